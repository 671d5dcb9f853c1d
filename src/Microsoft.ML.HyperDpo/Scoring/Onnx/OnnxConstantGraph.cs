namespace Microsoft.ML.HyperDpo.Scoring.Onnx;

/// <summary>
/// An ONNX graph whose output is one constant vector, whatever its input: the saved form of
/// the transformer of <see cref="ConstantObjectiveWeightsEstimator"/>. OnnxTransformer runs a graph once per row and needs at least one
/// input column to do so, so the graph declares one (the anchor) and ignores its values.
/// </summary>
internal static class OnnxConstantGraph
{
    /// <param name="stream">Where the ModelProto goes.</param>
    /// <param name="anchor">The input's name: a Single column of the pipeline.</param>
    /// <param name="anchorSize">Values per row of the anchor; null for a scalar column.</param>
    /// <param name="output">The output's name.</param>
    /// <param name="values">The constant.</param>
    public static void Write(Stream stream, string anchor, int? anchorSize, string output, float[] values)
    {
        var g = new OnnxGraph();
        // ML.NET's OnnxTransformer feeds one row at a time with a batch dimension, a scalar column as [1, 1].
        g.Input(anchor, null, anchorSize ?? 1);
        g.Output(g.Constant("objective_weights", values, values.Length), output, values.Length);
        g.WriteModel(stream, "HyperDpoConstantObjectiveWeights", "A constant objective-weight vector for HyperDPO's WeightedScore; the input is ignored.",
            new Dictionary<string, string>());
    }
}
