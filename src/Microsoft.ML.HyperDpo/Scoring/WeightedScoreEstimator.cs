using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Scores every row with a fitted HyperDPO model at the objective weights in that row's own column, so that one
/// pipeline serves a different trade-off per request. Create it with <c>mlContext.Transforms.WeightedScore(model)</c>.
/// </summary>
/// <remarks>
/// <para><b>Input and output columns</b></para>
/// <list type="table">
/// <listheader><term>Column</term><description>Type and role</description></listheader>
/// <item><term>The model's feature column (input)</term><description>Known-size vector of Single, the size the model was trained on; finite values.</description></item>
/// <item><term>Objective weights (input, default <c>ObjectiveWeights</c>)</term><description>Known-size vector of K Single values, in the order of
/// <see cref="HyperDpoRankingTransformer.Objectives"/>: finite, &gt;= 0, not all zero; each row's vector is normalised to sum 1.
/// <c>mlContext.Transforms.ConstantObjectiveWeights</c> fills it with one constant vector.</description></item>
/// <item><term>Temperature (optional input)</term><description>For a model trained with a temperature range: Single, each row's temperature
/// beta, finite and within <see cref="HyperDpoRankingTransformer.TrainedTemperatureRange"/> (the row's score is the model's
/// <see cref="HyperDpoRankingTransformer.WithTemperature"/> at it). Without the column every row uses the model's <see cref="HyperDpoRankingTransformer.Temperature"/>.</description></item>
/// <item><term>Output (default <c>Score</c>)</term><description>Single: the reference soup r_w + g(x; w) (g alone without a reference). Higher ranks first.</description></item>
/// </list>
/// <para>The estimator has nothing to learn: <see cref="Fit"/> only checks the schema.</para>
/// </remarks>
public sealed class WeightedScoreEstimator : IEstimator<WeightedScoreTransformer>
{
    private readonly HyperDpoRankingTransformer _model;
    private readonly string _weightsColumn;
    private readonly string _outputColumn;
    private readonly string? _temperatureColumn;

    internal WeightedScoreEstimator(HyperDpoRankingTransformer model, string objectiveWeightsColumnName, string outputColumnName, string? temperatureColumnName = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        if (string.IsNullOrWhiteSpace(objectiveWeightsColumnName))
            throw new ArgumentException("The objective weights column name must not be empty.", nameof(objectiveWeightsColumnName));
        if (string.IsNullOrWhiteSpace(outputColumnName))
            throw new ArgumentException("The output column name must not be empty.", nameof(outputColumnName));
        if (temperatureColumnName is not null && model.Temperature is null)
            throw new ArgumentException($"The temperature column '{temperatureColumnName}' is given, but the model was trained at one temperature (Options.Beta), " +
                "which its network does not read; train with Options.TemperatureRange, or give no temperature column.", nameof(temperatureColumnName));
        if (temperatureColumnName is not null && string.IsNullOrWhiteSpace(temperatureColumnName))
            throw new ArgumentException("The temperature column name must not be empty.", nameof(temperatureColumnName));
        _temperatureColumn = temperatureColumnName;
        _weightsColumn = objectiveWeightsColumnName;
        _outputColumn = outputColumnName;
    }

    /// <summary>Checks the input schema and returns the transformer (nothing is learnt).</summary>
    /// <exception cref="ArgumentException">The feature or weights column is missing, or has the wrong type or size; the message names it.</exception>
    public WeightedScoreTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = new WeightedScoreTransformer(_model, _weightsColumn, _outputColumn, _temperatureColumn);
        transformer.GetOutputSchema(input.Schema);
        return transformer;
    }

    /// <summary>The input columns plus the Single output column, after checking the feature and weights columns.</summary>
    /// <exception cref="ArgumentException">The feature or weights column is missing or not a vector of Single; the message names it.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var columns = inputSchema.ToDictionary(c => c.Name);
        void RequireSingleVector(string name, string role)
        {
            if (!columns.TryGetValue(name, out var c))
                throw new ArgumentException($"The {role} column '{name}' is not in the input schema.", name);
            if (c.Kind != SchemaShape.Column.VectorKind.Vector || c.ItemType != NumberDataViewType.Single)
                throw new ArgumentException($"The {role} column '{name}' must be a known-size vector of Single; it is {c.Kind} of {c.ItemType}.", name);
        }
        RequireSingleVector(_model.FeatureColumnName, "feature");
        RequireSingleVector(_weightsColumn, "objective weights");
        if (_temperatureColumn is not null)
        {
            if (!columns.TryGetValue(_temperatureColumn, out var t))
                throw new ArgumentException($"The temperature column '{_temperatureColumn}' is not in the input schema.", _temperatureColumn);
            if (t.Kind != SchemaShape.Column.VectorKind.Scalar || t.ItemType != NumberDataViewType.Single)
                throw new ArgumentException($"The temperature column '{_temperatureColumn}' must be a Single scalar; it is {t.Kind} of {t.ItemType}.", _temperatureColumn);
        }
        columns[_outputColumn] = MlNetInternals.ShapeColumn(_outputColumn, NumberDataViewType.Single);
        return new SchemaShape(columns.Values);
    }
}
