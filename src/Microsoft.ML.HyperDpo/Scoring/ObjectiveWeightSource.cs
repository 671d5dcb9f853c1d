using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Data;

namespace Microsoft.ML.HyperDpo.Scoring;

/// <summary>
/// Where a scorer takes its objective weights from: one fixed, normalised vector for every row (the HyperDPO
/// transformer), or a column holding each row's own vector (<see cref="WeightedScoreTransformer"/>).
/// </summary>
internal sealed class ObjectiveWeightSource
{
    private ObjectiveWeightSource(float[]? fixedWeights, string? columnName)
    {
        FixedWeights = fixedWeights;
        ColumnName = columnName;
    }

    /// <summary>The same normalised weights for every row.</summary>
    public static ObjectiveWeightSource Fixed(float[] weights) => new(weights, null);

    /// <summary>Each row's weights from the named column, checked and normalised row by row.</summary>
    public static ObjectiveWeightSource FromColumn(string columnName) => new(null, columnName);

    public float[]? FixedWeights { get; }
    public string? ColumnName { get; }

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

    /// <summary>
    /// Reads one row's weights into <paramref name="destination"/>, normalised; throws naming the column, the row and
    /// the values when they are not a valid weight vector.
    /// </summary>
    public void ReadRow(ValueGetter<VBuffer<float>> getter, ref VBuffer<float> buffer, Span<float> destination, long position)
    {
        getter(ref buffer);
        Span<float> raw = stackalloc float[destination.Length];
        buffer.CopyTo(raw);
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
