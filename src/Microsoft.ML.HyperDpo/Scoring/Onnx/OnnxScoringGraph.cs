using System.Globalization;
using Microsoft.ML.HyperDpo.Modeling;

namespace Microsoft.ML.HyperDpo.Scoring.Onnx;

/// <summary>
/// Writes the scoring network as an ONNX graph that computes what <see cref="ConditionedScorer.forward"/> computes
/// in eval mode: standardisation, the conditioning (input concatenation, FiLM, hypernetwork), SiLU as x * Sigmoid(x),
/// no dropout.
/// </summary>
/// <remarks>
/// <para>Inputs: the feature column [N, F]; the weights column [N, K] unless the weights are fixed, in which case
/// their contribution is folded into constants (<see cref="ScorerParameters.WriteTerms"/>) and the graph reads
/// features only; with a reference, the K standardised reference scores [N, K] (<see cref="ReferenceScores"/>), whose
/// w-weighted sum r_w is added to g. Output: the score [N].
/// Every input and output is float32 and named after the ML.NET column it comes from or goes to, as
/// <c>OnnxTransformer</c> requires.</para>
/// <para>Per-row weights are divided by their sum inside the graph, as <see cref="WeightedScoreTransformer"/> does; the graph
/// cannot reject invalid weights (negative, NaN, all zero), which give meaningless scores or NaN instead of an error.</para>
/// </remarks>
internal static class OnnxScoringGraph
{
    /// <param name="stream">Where the ModelProto goes.</param>
    /// <param name="parameters">The network.</param>
    /// <param name="objectives">The objective names, recorded in the model's metadata.</param>
    /// <param name="featureInput">The feature input's name.</param>
    /// <param name="weights">Where the weights come from: an input column, or fixed (folded into constants).</param>
    /// <param name="referenceInput">The reference scores input's name ([N, K]), or null without a reference.</param>
    /// <param name="output">The score output's name.</param>
    public static void Write(Stream stream, ScorerParameters parameters, IReadOnlyList<string> objectives, string featureInput,
        ObjectiveWeightSource weights, string? referenceInput, string output)
    {
        var g = new OnnxGraph();
        int f = parameters.FeatureCount, k = parameters.ObjectiveCount;
        string features = g.Input(featureInput, null, f);
        string? w = null;
        if (weights.ColumnName is { } name)
        {
            // Normalise each row to sum 1 (the sum as a product with a column of ones).
            string raw = g.Input(name, null, k);
            w = g.Node("Div", new[] { raw, g.Node("MatMul", new[] { raw, g.Constant("weight_ones", Enumerable.Repeat(1f, k).ToArray(), k, 1) }) });
        }
        string? reference = null;
        if (referenceInput is not null)
        {
            // r_w = sum_k w_k r_k: a product with the fixed weights, or with each row's weights then a sum over k.
            string r = g.Input(referenceInput, null, k);
            string soup = w is null
                ? g.Node("MatMul", new[] { r, g.Constant("reference_weights", weights.FixedWeights!, k, 1) })
                : g.Node("MatMul", new[] { g.Node("Mul", new[] { r, w }), g.Constant("reference_ones", Enumerable.Repeat(1f, k).ToArray(), k, 1) });
            reference = g.Node("Reshape", new[] { soup, g.Constant("reference_flat", new long[] { -1 }) });
        }
        var terms = weights.FixedWeights is { } fixedWeights ? FixedTerms(parameters, fixedWeights) : null;

        string x = g.Node("Div", new[] { g.Node("Sub", new[] { features, g.Constant("feature_mean", parameters.Mean, f) }), g.Constant("feature_scale", parameters.Scale, f) });
        string h = x;
        for (int l = 0; l < parameters.Hidden.Length; l++)
        {
            var layer = parameters.Hidden[l];
            int width = layer.Outputs;
            if (l == 0 && terms is not null)
            {
                // w's columns of the first layer are folded into its bias.
                var xColumns = new float[width * f];
                for (int o = 0; o < width; o++) Array.Copy(layer.Weight, o * layer.Inputs, xColumns, o * f, f);
                h = Gemm(g, h, "hidden0_weight", xColumns, width, f, terms.FirstBias(0).ToArray());
            }
            else
            {
                if (l == 0 && parameters.ConcatenatesWeights) h = g.Node("Concat", new[] { h, w! }, ("axis", 1));
                h = Gemm(g, h, $"hidden{l}_weight", layer.Weight, width, layer.Inputs, layer.Bias);
            }
            if (parameters.Film is { } film)
            {
                string scale, shift;
                if (terms is not null)
                {
                    scale = g.Constant($"film{l}_scale", terms.FilmScale(l, 0).ToArray(), 1, width);
                    shift = g.Constant($"film{l}_shift", terms.FilmShift(l, 0).ToArray(), 1, width);
                }
                else
                {
                    var gamma = film[l].Rows(0, width);
                    var beta = film[l].Rows(width, width);
                    scale = Gemm(g, w!, $"film{l}_gamma", gamma.Weight, width, k, gamma.Bias.Select(b => b + 1).ToArray());
                    shift = Gemm(g, w!, $"film{l}_beta", beta.Weight, width, k, beta.Bias);
                }
                h = g.Node("Add", new[] { g.Node("Mul", new[] { h, scale }), shift });
            }
            h = g.Node("Mul", new[] { h, g.Node("Sigmoid", new[] { h }) });
        }

        int last = parameters.Width;
        string score;
        if (terms is not null)
        {
            score = Gemm(g, h, "output_weight", terms.OutputWeights(0).ToArray(), 1, last, new[] { terms.OutputBias[0] });
        }
        else
        {
            score = Gemm(g, h, "output_weight", parameters.Output.Weight, 1, last, parameters.Output.Bias);
            if (parameters.Hyper is { } hyper)
            {
                var outputWeights = hyper.Rows(0, last);
                var outputBias = hyper.Rows(last, 1);
                string pw = Gemm(g, w!, "hyper_weight", outputWeights.Weight, last, k, outputWeights.Bias);
                string pb = Gemm(g, w!, "hyper_bias", outputBias.Weight, 1, k, outputBias.Bias);
                string dot = g.Node("MatMul", new[] { g.Node("Mul", new[] { h, pw }), g.Constant("ones", Enumerable.Repeat(1f, last).ToArray(), last, 1) });
                score = g.Node("Add", new[] { g.Node("Add", new[] { score, dot }), pb });
            }
        }
        score = g.Node("Reshape", new[] { score, g.Constant("flat", new long[] { -1 }) });
        if (reference is not null) score = g.Node("Add", new[] { score, reference });
        g.Output(score, output, (long?)null);

        var metadata = new Dictionary<string, string>
        {
            ["hyperdpo.objectives"] = string.Join(",", objectives),
            ["hyperdpo.features"] = f.ToString(CultureInfo.InvariantCulture),
        };
        if (weights.FixedWeights is { } fixedW)
            metadata["hyperdpo.objective_weights"] = string.Join(",", fixedW.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        g.WriteModel(stream, "HyperDpoScorer",
            "HyperDPO weight-conditioned ranking scorer g(x; w)" + (reference is null ? "" : " plus the w-weighted reference scores input") + ". Objectives: " + string.Join(", ", objectives) + ".",
            metadata);
    }

    private static ConditioningTerms FixedTerms(ScorerParameters parameters, float[] weights)
    {
        var terms = new ConditioningTerms(parameters, 1, width => width);
        parameters.WriteTerms(weights, terms, 0);
        return terms;
    }

    /// <summary>Gemm(input, W, b, transB = 1): input [N, inputs] times W^T, W given as [outputs, inputs] (TorchSharp's layout).</summary>
    private static string Gemm(OnnxGraph g, string input, string name, float[] weight, int outputs, int inputs, float[] bias) =>
        g.Node("Gemm", new[] { input, g.Constant(name, weight, outputs, inputs), g.Constant(name + "_bias", bias, outputs) }, ("transB", 1));
}
