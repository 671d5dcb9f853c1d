using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Data;
using Microsoft.ML.HyperDpo.Modeling;

namespace Microsoft.ML.HyperDpo.Scoring;

/// <summary>
/// Where a scorer takes its conditioning vector c (<see cref="ConditionVector"/>) from: one fixed, normalised weight vector for
/// every row (the HyperDPO transformer), or a column holding each row's own vector (<see cref="WeightedScoreTransformer"/>);
/// for a temperature-conditioned model also the temperature: one for every row, or each row's own from a column.
/// </summary>
internal sealed class ObjectiveWeightSource
{
    private ObjectiveWeightSource(float[]? fixedWeights, string? columnName, float temperature, string? temperatureColumnName)
    {
        FixedWeights = fixedWeights;
        ColumnName = columnName;
        Temperature = temperature;
        TemperatureColumnName = temperatureColumnName;
    }

    /// <summary>The same normalised weights (and temperature, read only by a temperature-conditioned model) for every row.</summary>
    public static ObjectiveWeightSource Fixed(float[] weights, float temperature = 0f) => new(weights, null, temperature, null);

    /// <summary>
    /// Each row's weights from the named column, checked and normalised row by row; its temperature from
    /// <paramref name="temperatureColumnName"/> when given, else <paramref name="temperature"/>.
    /// </summary>
    public static ObjectiveWeightSource FromColumn(string columnName, float temperature = 0f, string? temperatureColumnName = null) =>
        new(null, columnName, temperature, temperatureColumnName);

    public float[]? FixedWeights { get; }
    public string? ColumnName { get; }

    /// <summary>The temperature of every row without a temperature column (ignored by a model trained at one temperature).</summary>
    public float Temperature { get; }

    /// <summary>The column of each row's temperature, or null.</summary>
    public string? TemperatureColumnName { get; }

    /// <summary>The fixed conditioning vector c for <paramref name="model"/> (fixed weights only).</summary>
    public float[] FixedCondition(ConditionedScoringModel model) => ConditionVector.Of(FixedWeights!, Temperature, model.TemperatureRange);

    /// <summary>
    /// The weights column of <paramref name="schema"/>, checked to be a known-size vector of <paramref name="objectives"/>
    /// Single values; null for fixed weights.
    /// </summary>
    public DataViewSchema.Column? Check(DataViewSchema schema, IReadOnlyList<string> objectives)
    {
        if (ColumnName is null) return null;
        var column = ColumnChecks.Find(schema, ColumnName, "objective weights");
        string expected = $"a known-size vector of {objectives.Count} Single values, one weight per objective ({string.Join(", ", objectives)})";
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType n, IsKnownSize: true } vector || n.RawType != typeof(float))
            throw new ArgumentException($"The objective weights column '{ColumnName}' has type {column.Type}; it must be {expected}.", ColumnName);
        if (vector.Size != objectives.Count)
            throw new ArgumentException($"The objective weights column '{ColumnName}' has {vector.Size} values per row; it must be {expected}.", ColumnName);
        return column;
    }

    /// <summary>The temperature column of <paramref name="schema"/>, checked to be a Single scalar; null without one.</summary>
    public DataViewSchema.Column? CheckTemperature(DataViewSchema schema)
    {
        if (TemperatureColumnName is null) return null;
        var column = ColumnChecks.Find(schema, TemperatureColumnName, "temperature");
        if (column.Type != NumberDataViewType.Single)
            throw new ArgumentException($"The temperature column '{TemperatureColumnName}' has type {column.Type}; it must be a Single scalar, each row's temperature beta.", TemperatureColumnName);
        return column;
    }

    /// <summary>
    /// Reads one row's conditioning vector into <paramref name="destination"/> (C values): its weights, normalised, then for a
    /// temperature-conditioned model its temperature entry, from <paramref name="temperatureGetter"/> when given; throws naming the
    /// column, the row and the values when they are not valid.
    /// </summary>
    public void ReadRow(ConditionedScoringModel model, ValueGetter<VBuffer<float>> getter, ref VBuffer<float> buffer, ValueGetter<float>? temperatureGetter,
        Span<float> destination, long position)
    {
        int k = model.Objectives.Count;
        ReadWeights(getter, ref buffer, destination[..k], position);
        if (model.TemperatureRange is not { } range) return;
        float beta = Temperature;
        if (temperatureGetter is not null)
        {
            temperatureGetter(ref beta);
            if (HyperDpoRankingTransformer.TemperatureProblem(beta, range) is { } problem)
                throw new InvalidOperationException($"Column '{TemperatureColumnName}' at row {position}: {problem}");
        }
        destination[k] = ConditionVector.Temperature(beta, range);
    }

    private void ReadWeights(ValueGetter<VBuffer<float>> getter, ref VBuffer<float> buffer, Span<float> destination, long position)
    {
        getter(ref buffer);
        Span<float> raw = stackalloc float[destination.Length];
        ColumnChecks.CopyVector(buffer, ColumnName!, raw, position);
        if (ObjectiveWeights.TryNormalize(raw, destination)) return;
        try
        {
            ObjectiveWeights.Normalize(raw.ToArray(), destination.Length, ColumnName!);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"Column '{ColumnName}' at row {position}: {e.Message.Split(" (Parameter")[0]}", e);
        }
        throw new InvalidOperationException($"Column '{ColumnName}' at row {position} holds {ObjectiveWeights.Show(raw.ToArray())}, which is not a valid weight vector.");
    }
}
