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
/// <item><term>Output (default <c>Score</c>)</term><description>Single: the reference soup r_w + g(x; w) (g alone without a reference). Higher ranks first.</description></item>
/// </list>
/// <para>The estimator has nothing to learn: <see cref="Fit"/> only checks the schema.</para>
/// </remarks>
public sealed class WeightedScoreEstimator : IEstimator<WeightedScoreTransformer>
{
    private readonly HyperDpoRankingTransformer _model;
    private readonly string _weightsColumn;
    private readonly string _outputColumn;

    internal WeightedScoreEstimator(HyperDpoRankingTransformer model, string objectiveWeightsColumnName, string outputColumnName)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        if (string.IsNullOrWhiteSpace(objectiveWeightsColumnName))
            throw new ArgumentException("The objective weights column name must not be empty.", nameof(objectiveWeightsColumnName));
        if (string.IsNullOrWhiteSpace(outputColumnName))
            throw new ArgumentException("The output column name must not be empty.", nameof(outputColumnName));
        _weightsColumn = objectiveWeightsColumnName;
        _outputColumn = outputColumnName;
    }

    /// <summary>Checks the input schema and returns the transformer (nothing is learnt).</summary>
    /// <exception cref="ArgumentException">The feature or weights column is missing, or has the wrong type or size; the message names it.</exception>
    public WeightedScoreTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = new WeightedScoreTransformer(_model, _weightsColumn, _outputColumn);
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
        columns[_outputColumn] = MlNetInternals.ShapeColumn(_outputColumn, NumberDataViewType.Single);
        return new SchemaShape(columns.Values);
    }
}
