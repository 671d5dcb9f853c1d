using System.Globalization;
using Microsoft.ML.HyperDpo.Modeling;

namespace Microsoft.ML.HyperDpo.Scoring.Onnx;

/// <summary>
/// Writes the scoring network as an ONNX graph that computes what <see cref="Modeling.ConditionedScorer.forward"/> computes
/// in eval mode: standardisation, the conditioning kind's layers (<see cref="ConditioningParameters"/>), SiLU as x * Sigmoid(x),
/// no dropout.
/// </summary>
/// <remarks>
/// <para>Inputs: the feature column [N, F]; the weights column [N, K] unless the weights are fixed, in which case
/// their contribution is folded into constants (<see cref="ScorerParameters.WriteTerms"/>) and the graph reads
/// features only; with a reference, the K standardised reference scores [N, K] (<see cref="ReferenceScores"/>), whose
/// w-weighted sum r_w is added to g; for a temperature-conditioned model with a temperature column, that column [N, 1] (else
/// the temperature is a constant of the graph, <see cref="OnnxCondition"/>). Output: the score [N].
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
    /// <param name="extraMetadata">More metadata entries (the saved form's, see <c>SavedForm</c>).</param>
    /// <param name="temperatureRange">The trained temperature range of a temperature-conditioned network (<see cref="OnnxCondition"/>), else null.</param>
    /// <param name="referenceInputs">True when the network reads the reference scores after the features (its inputs are [x, r]).</param>
    public static void Write(Stream stream, ScorerParameters parameters, IReadOnlyList<string> objectives, string featureInput,
        ObjectiveWeightSource weights, string? referenceInput, string output, IReadOnlyDictionary<string, string>? extraMetadata = null,
        IReadOnlyList<float>? temperatureRange = null, bool referenceInputs = false)
    {
        var g = new OnnxGraph();
        int k = objectives.Count, f = parameters.FeatureCount - (referenceInputs ? k : 0);
        string features = g.Input(featureInput, null, f);
        string? w = null, c = null;
        if (weights.ColumnName is { } name)
        {
            // Normalise each row to sum 1 (the sum as a product with a column of ones); c = w, or (w, t(beta)).
            string raw = g.Input(name, null, k);
            w = g.Node("Div", new[] { raw, g.Node("MatMul", new[] { raw, g.Constant("weight_ones", Enumerable.Repeat(1f, k).ToArray(), k, 1) }) });
            c = OnnxCondition.Of(g, w, raw, k, null, weights, temperatureRange);
        }
        string? r = null;
        if (referenceInput is not null)
        {
            r = g.Input(referenceInput, null, k);
            if (referenceInputs) features = g.Node("Concat", new[] { features, r }, ("axis", 1));
        }

        string x = g.Node("Div", new[] { g.Node("Sub", new[] { features, g.Constant("feature_mean", parameters.Mean, parameters.FeatureCount) }),
            g.Constant("feature_scale", parameters.Scale, parameters.FeatureCount) });
        float[]? fixedCondition = weights.FixedWeights is { } fixedWeights ? ConditionVector.Of(fixedWeights, weights.Temperature, temperatureRange) : null;
        string? reference = null;
        if (r is not null)
        {
            // r_w = sum_k w_k m_k r_k (m = 1 without the re-weighting): a product with the fixed weights, or with each row's weights then a sum over k.
            if (parameters.Reweighting is { } reweighting) r = g.Node("Mul", new[] { r, Multipliers(g, reweighting, x, c, fixedCondition) });
            string soup = w is null
                ? g.Node("MatMul", new[] { r, g.Constant("reference_weights", weights.FixedWeights!, k, 1) })
                : g.Node("MatMul", new[] { g.Node("Mul", new[] { r, w }), g.Constant("reference_ones", Enumerable.Repeat(1f, k).ToArray(), k, 1) });
            reference = g.Node("Reshape", new[] { soup, g.Constant("reference_flat", new long[] { -1 }) });
        }
        string score = fixedCondition is not null
            ? FixedNetwork(g, parameters, x, fixedCondition)
            : ConditionedNetwork(g, parameters, x, c!);
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
        if (temperatureRange is not null && weights.TemperatureColumnName is null)
            metadata["hyperdpo.temperature"] = weights.Temperature.ToString("R", CultureInfo.InvariantCulture);
        foreach (var (key, value) in extraMetadata ?? new Dictionary<string, string>()) metadata[key] = value;
        g.WriteModel(stream, "HyperDpoScorer",
            "HyperDPO weight-conditioned ranking scorer g(x; w)" + (reference is null ? "" : " plus the w-weighted reference scores input") + ". Objectives: " + string.Join(", ", objectives) + ".",
            metadata);
    }

    /// <summary>
    /// The scores [N, 1] of the network over the raw <paramref name="features"/> [N, F] under <paramref name="c"/> [N, C]:
    /// its standardisation, then <see cref="ConditionedNetwork"/> (the transformer's per-document scorer is written with this).
    /// </summary>
    internal static string Scores(OnnxGraph g, ScorerParameters parameters, string features, string c) =>
        ConditionedNetwork(g, parameters, g.Node("Div", new[] { g.Node("Sub", new[] { features, g.Constant("document_mean", parameters.Mean, parameters.FeatureCount) }),
            g.Constant("document_scale", parameters.Scale, parameters.FeatureCount) }), c);

    /// <summary>The network with c as an input: the trunk, with each layer and the score written by the conditioning kind.</summary>
    private static string ConditionedNetwork(OnnxGraph g, ScorerParameters parameters, string x, string c)
    {
        string h = parameters.ConcatenatesCondition ? g.Node("Concat", new[] { x, c }, ("axis", 1)) : x;
        for (int l = 0; l < parameters.Hidden.Length; l++)
            h = SiLU(g, parameters.Conditioning.OnnxLayer(g, l, parameters.Hidden[l], h, c));
        return parameters.Conditioning.OnnxScore(g, parameters.Output, h, c);
    }

    /// <summary>The network at one fixed c: every conditioning term folded into constants, a plain MLP over the features.</summary>
    private static string FixedNetwork(OnnxGraph g, ScorerParameters parameters, string x, float[] c)
    {
        var terms = new ConditioningTerms(parameters, 1, width => width);
        parameters.WriteTerms(c, terms, 0);
        string h = x;
        for (int l = 0; l < parameters.Hidden.Length; l++)
        {
            var layer = parameters.Hidden[l];
            int width = layer.Outputs, inputs = parameters.LayerInputs(l);
            var weight = terms.HasGeneratedWeights ? terms.Weights(l, 0).ToArray() : XColumns(layer, inputs);
            h = g.Gemm(h, $"hidden{l}_weight", weight, width, inputs, terms.Bias(l, 0).ToArray());
            if (terms.HasModulation)
                h = g.Node("Add", new[] { g.Node("Mul", new[] { h, g.Constant($"scale{l}", terms.Scale(l, 0).ToArray(), 1, width) }), g.Constant($"shift{l}", terms.Shift(l, 0).ToArray(), 1, width) });
            h = SiLU(g, h);
        }
        return g.Gemm(h, "output_weight", terms.OutputWeights(0).ToArray(), 1, parameters.Width, new[] { terms.OutputBias[0] });
    }

    /// <summary>
    /// The re-weighting's multipliers 1 + tanh a(x, c) [N, K] (<see cref="ReweightingParameters"/>): from the input c, or with a fixed
    /// c folded into the hidden layer's bias.
    /// </summary>
    private static string Multipliers(OnnxGraph g, ReweightingParameters reweighting, string x, string? c, float[]? fixedCondition)
    {
        var layer = reweighting.Hidden;
        string h;
        if (fixedCondition is null)
            h = g.Gemm(g.Node("Concat", new[] { x, c! }, ("axis", 1)), "reweight_hidden", layer);
        else
        {
            int inputs = layer.Inputs - fixedCondition.Length;
            var bias = new float[layer.Outputs];
            for (int o = 0; o < layer.Outputs; o++)
            {
                double sum = layer.Bias[o];
                for (int j = 0; j < fixedCondition.Length; j++) sum += (double)layer.Weight[o * layer.Inputs + inputs + j] * fixedCondition[j];
                bias[o] = (float)sum;
            }
            h = g.Gemm(x, "reweight_hidden", XColumns(layer, inputs), layer.Outputs, inputs, bias);
        }
        string a = g.Gemm(SiLU(g, h), "reweight_output", reweighting.Output);
        return g.Node("Add", new[] { g.Node("Tanh", new[] { a }), g.Constant("reweight_one", new[] { 1f }, 1) });
    }

    /// <summary>The first <paramref name="inputs"/> columns of the layer's weights (c's columns are folded into the bias).</summary>
    private static float[] XColumns(DenseLayer layer, int inputs)
    {
        var columns = new float[layer.Outputs * inputs];
        for (int o = 0; o < layer.Outputs; o++) Array.Copy(layer.Weight, o * layer.Inputs, columns, o * inputs, inputs);
        return columns;
    }

    private static string SiLU(OnnxGraph g, string h) => g.Node("Mul", new[] { h, g.Node("Sigmoid", new[] { h }) });
}
