using System.Globalization;
using Microsoft.ML.HyperDpo.Modeling;
using Microsoft.ML.HyperDpo.Modeling.Transformer;

namespace Microsoft.ML.HyperDpo.Scoring.Onnx;

/// <summary>
/// Writes a listwise transformer ranker as an ONNX graph that scores ONE group, the group being the batch: inputs the
/// group's features [N, F] and, unless the weights are fixed, its objective weights [1, K] (normalised in the graph); with a
/// reference model a reference score input [N] (the soup r_w), or [N, K] (the K standardised reference scores) for a network that
/// reads them as inputs; output the scores [N]. Attention is written with MatMul, Softmax and
/// LayerNormalization (opset 17), one head at a time; no mask is needed because a group has no padding. A per-document scorer
/// is written as the MLP's graph is (<see cref="OnnxScoringGraph.Scores"/>) and added to the head's score.
/// </summary>
internal static class TransformerOnnxGraph
{
    public static void Write(Stream stream, TransformerParameters p, IReadOnlyList<string> objectives, string featureInput,
        ObjectiveWeightSource weights, string? referenceInput, string output, IReadOnlyList<float>? temperatureRange = null, bool referenceInputs = false)
    {
        var g = new OnnxGraph();
        var shape = p.Shape;
        int k = objectives.Count, d = shape.Width, f = shape.FeatureCount - (referenceInputs ? k : 0);
        string features = g.Input(featureInput, null, f);
        // A network that reads the reference scores gets [x, r]; its soup r_w = r c^T is added to the score below.
        string? scores = referenceInputs ? g.Input(referenceInput!, null, k) : null;
        if (scores is not null) features = g.Node("Concat", new[] { features, scores }, ("axis", 1));
        string c;
        if (weights.ColumnName is { } name)
        {
            string raw = g.Input(name, 1, k);
            c = g.Node("Div", new[] { raw, g.Node("MatMul", new[] { raw, g.Constant("weight_ones", Enumerable.Repeat(1f, k).ToArray(), k, 1) }) });
            c = OnnxCondition.Of(g, c, raw, k, 1, weights, temperatureRange);
        }
        else
        {
            var fixedCondition = ConditionVector.Of(weights.FixedWeights!, weights.Temperature, temperatureRange);
            c = g.Constant("objective_weights", fixedCondition, 1, fixedCondition.Length);
        }
        string x = g.Node("Div", new[] { g.Node("Sub", new[] { features, g.Constant("feature_mean", p.Mean, shape.FeatureCount) }),
            g.Constant("feature_scale", p.Scale, shape.FeatureCount) });
        // c repeated for every document: [N, 1] ones times c [1, C].
        string PerDocument(string condition)
        {
            string ones = g.Node("Add", new[] { g.Node("Mul", new[] { g.Node("Slice", new[] { x, Ints(g, 0), Ints(g, 1), Ints(g, 1) }), g.Constant("zero", new[] { 0f }, 1) }), g.Constant("one", new[] { 1f }, 1) });
            return g.Node("MatMul", new[] { ones, condition });
        }
        // The per-document scorer reads the features as they come in, with c for every document.
        string? documentScores = p.Document is { } document ? OnnxScoringGraph.Scores(g, document, features, PerDocument(c)) : null;
        if (shape.ConcatenatesCondition) x = g.Node("Concat", new[] { x, PerDocument(c) }, ("axis", 1));
        string h = g.Gemm(x, "projection", p.Projection);
        int m = shape.PromptTokens;
        if (p.PromptMixture is { } mixture)
        {
            string flat = g.Gemm(c, "prompt_mixture", mixture);
            if (p.PromptHidden is { } ph)
                flat = g.Node("Add", new[] { flat, g.Gemm(SiLU(g, g.Gemm(c, "prompt_hidden", ph)), "prompt_correction", p.PromptCorrection!) });
            string prompts = g.Node("Reshape", new[] { flat, g.Constant("shape", new long[] { m, d }) });
            h = g.Node("Concat", new[] { prompts, h }, ("axis", 0));
        }
        for (int b = 0; b < p.Blocks.Length; b++) h = Block(g, p.Blocks[b], h, d, b);
        h = g.Node("Slice", new[] { h, Ints(g, m), Ints(g, long.MaxValue), Ints(g, 0) });
        string score = g.Gemm(SiLU(g, g.Gemm(Norm(g, h, p.HeadNorm, "head_norm"), "head_hidden", p.HeadHidden)), "head_out", p.HeadOut);
        if (documentScores is not null) score = g.Node("Add", new[] { score, documentScores });
        score = g.Node("Reshape", new[] { score, g.Constant("flat", new long[] { -1 }) });
        if (scores is not null)
            score = g.Node("Add", new[] { score, g.Node("Reshape", new[] { g.Node("MatMul", new[] { scores, g.Node("Transpose", new[] { c }) }), g.Constant("soup_flat", new long[] { -1 }) }) });
        else if (referenceInput is not null)
            score = g.Node("Add", new[] { score, g.Input(referenceInput, (long?)null) });
        g.Output(score, output, (long?)null);

        var metadata = new Dictionary<string, string>
        {
            ["hyperdpo.objectives"] = string.Join(",", objectives),
            ["hyperdpo.features"] = f.ToString(CultureInfo.InvariantCulture),
            ["hyperdpo.scores"] = "one group per run (the group is the batch)",
        };
        if (weights.FixedWeights is { } fixedW)
            metadata["hyperdpo.objective_weights"] = string.Join(",", fixedW.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        if (temperatureRange is not null && weights.TemperatureColumnName is null)
            metadata["hyperdpo.temperature"] = weights.Temperature.ToString("R", CultureInfo.InvariantCulture);
        g.WriteModel(stream, "HyperDpoListwiseScorer",
            "HyperDPO listwise transformer ranker: scores the documents of one group under the objective weights. Objectives: " + string.Join(", ", objectives) + ".",
            metadata);
    }

    /// <summary>h + attention(LN(h)), then + feed-forward(LN(h)); tokens [T, d].</summary>
    private static string Block(OnnxGraph g, TransformerBlockParameters p, string h, int d, int index)
    {
        int dh = d / p.Heads;
        string a = Norm(g, h, p.AttentionNorm, $"block{index}_attention_norm");
        var heads = new string[p.Heads];
        float scale = (float)(1 / Math.Sqrt(dh));
        for (int head = 0; head < p.Heads; head++)
        {
            string q = g.Gemm(a, $"block{index}_q{head}", p.Qkv.Rows(head * dh, dh));
            string kT = g.Node("Transpose", new[] { g.Gemm(a, $"block{index}_k{head}", p.Qkv.Rows(d + head * dh, dh)) });
            string v = g.Gemm(a, $"block{index}_v{head}", p.Qkv.Rows(2 * d + head * dh, dh));
            string logits = g.Node("Mul", new[] { g.Node("MatMul", new[] { q, kT }), g.Constant("scale", new[] { scale }, 1) });
            heads[head] = g.Node("MatMul", new[] { g.Node("Softmax", new[] { logits }, ("axis", -1)), v });
        }
        string attended = p.Heads == 1 ? heads[0] : g.Node("Concat", heads, ("axis", 1));
        h = g.Node("Add", new[] { h, g.Gemm(attended, $"block{index}_attention_out", p.AttentionOut) });
        string ff = g.Gemm(SiLU(g, g.Gemm(Norm(g, h, p.FeedForwardNorm, $"block{index}_ff_norm"), $"block{index}_ff_in", p.FeedForwardIn)), $"block{index}_ff_out", p.FeedForwardOut);
        return g.Node("Add", new[] { h, ff });
    }

    /// <summary>LayerNormalization over the last axis (epsilon 1e-5, TorchSharp's default).</summary>
    private static string Norm(OnnxGraph g, string x, (float[] Scale, float[] Bias) norm, string name) =>
        g.Node("LayerNormalization", new[] { x, g.Constant(name + "_scale", norm.Scale, norm.Scale.Length), g.Constant(name + "_bias", norm.Bias, norm.Bias.Length) }, ("axis", -1));

    private static string SiLU(OnnxGraph g, string h) => g.Node("Mul", new[] { h, g.Node("Sigmoid", new[] { h }) });

    private static string Ints(OnnxGraph g, long value) => g.Constant("index", new[] { value });
}
