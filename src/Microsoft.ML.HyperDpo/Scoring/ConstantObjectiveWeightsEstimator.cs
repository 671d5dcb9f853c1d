using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Scoring.Onnx;
using Microsoft.ML.Transforms.Onnx;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Adds a column holding the same objective-weight vector on every row, for <see cref="WeightedScoreEstimator"/>:
/// the declarative way to fix a trade-off inside a pipeline that is saved and loaded.
/// Create it with <c>mlContext.Transforms.ConstantObjectiveWeights(weights)</c>.
/// </summary>
/// <remarks>
/// <para><b>Input and output columns</b></para>
/// <list type="table">
/// <listheader><term>Column</term><description>Type and role</description></listheader>
/// <item><term>Anchor (input)</term><description>The first visible Single column, scalar or known-size vector, found by <see cref="Fit"/>
/// (usually the features): its values are not used, it only gives the row to attach the constant to.</description></item>
/// <item><term>Output (default <c>ObjectiveWeights</c>)</term><description>Known-size vector of K Single values: the weights as given.</description></item>
/// </list>
/// <para>The fitted transformer is ML.NET's own <see cref="OnnxTransformer"/> over a one-node graph, so it saves and
/// loads like any ML.NET transformer.</para>
/// </remarks>
public sealed class ConstantObjectiveWeightsEstimator : IEstimator<ITransformer>
{
    private readonly float[] _weights;
    private readonly string _outputColumn;

    internal ConstantObjectiveWeightsEstimator(float[] weights, string outputColumnName)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Length < 1)
            throw new ArgumentException("The objective weights must have one value per objective; got none.", nameof(weights));
        ObjectiveWeights.Normalize(weights, weights.Length, nameof(weights));
        if (string.IsNullOrWhiteSpace(outputColumnName))
            throw new ArgumentException("The output column name must not be empty.", nameof(outputColumnName));
        _weights = (float[])weights.Clone();
        _outputColumn = outputColumnName;
    }

    /// <summary>Finds the anchor column and returns the transformer (an <see cref="OnnxTransformer"/>).</summary>
    /// <exception cref="ArgumentException">The input has no visible Single column to anchor the constant to.</exception>
    public ITransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var anchor = input.Schema.FirstOrDefault(c => !c.IsHidden && c.Name != _outputColumn && IsSingle(c.Type));
        if (anchor.Name is null)
            throw new ArgumentException($"ConstantObjectiveWeights needs a Single column (scalar or known-size vector) in the input to attach '{_outputColumn}' to; the input has none. Columns present: {string.Join(", ", input.Schema.Select(c => c.Name))}.", nameof(input));
        int? size = anchor.Type is VectorDataViewType v ? v.Size : null;
        using var graph = new MemoryStream();
        OnnxConstantGraph.Write(graph, anchor.Name, size, _outputColumn, _weights);
        graph.Position = 0;
        var ml = new MLContext();
        return ml.Transforms.ApplyOnnxModel(new[] { _outputColumn }, new[] { anchor.Name }, graph).Fit(input);
    }

    /// <summary>The input columns plus the weights column, a vector of K Single values.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[_outputColumn] = MlNetInternals.ShapeColumn(_outputColumn, new VectorDataViewType(NumberDataViewType.Single, _weights.Length));
        return new SchemaShape(columns.Values);
    }

    private static bool IsSingle(DataViewType type) =>
        type == NumberDataViewType.Single || type is VectorDataViewType { IsKnownSize: true } v && v.ItemType == NumberDataViewType.Single;
}
