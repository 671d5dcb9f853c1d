namespace Microsoft.ML.HyperDpo.Scoring;

/// <summary>
/// The reference re-weighting a(x, c) of a network with <see cref="ReferenceReweighting.PerObjective"/>, copied out of the TorchSharp
/// module: a one-hidden-layer MLP over [standardised x, c] with SiLU, K outputs. The reference term is
/// sum_k w_k (1 + tanh a_k) r_k (<see cref="Modeling.ConditionedScorer.ReweightedReference"/>).
/// </summary>
/// <param name="Hidden">[F + C] -> H.</param>
/// <param name="Output">H -> K.</param>
internal sealed record ReweightingParameters(DenseLayer Hidden, DenseLayer Output)
{
    /// <summary>K, the references re-weighted.</summary>
    public int Objectives => Output.Outputs;

    /// <summary>Scratch for <see cref="Term"/>: [x, c], then the hidden layer, then a.</summary>
    public float[] CreateScratch() => new float[Hidden.Inputs + Hidden.Outputs + Output.Outputs];

    /// <summary>
    /// The reference term of one row: <paramref name="features"/> holds its F features (standardised here with <paramref name="mean"/> and
    /// <paramref name="scale"/>, as the module does), <paramref name="condition"/>
    /// its C conditioning values (the K normalised weights first), <paramref name="reference"/> its K reference scores.
    /// </summary>
    public float Term(ReadOnlySpan<float> features, ReadOnlySpan<float> mean, ReadOnlySpan<float> scale, ReadOnlySpan<float> condition,
        ReadOnlySpan<float> reference, float[] scratch)
    {
        var input = scratch.AsSpan(0, Hidden.Inputs);
        for (int i = 0; i < features.Length; i++) input[i] = (features[i] - mean[i]) / scale[i];
        condition.CopyTo(input[features.Length..]);
        var h = scratch.AsSpan(Hidden.Inputs, Hidden.Outputs);
        Hidden.Apply(input, h);
        for (int i = 0; i < h.Length; i++) h[i] = h[i] / (1f + MathF.Exp(-h[i]));
        var a = scratch.AsSpan(Hidden.Inputs + Hidden.Outputs, Output.Outputs);
        Output.Apply(h, a);
        double term = 0;
        for (int k = 0; k < a.Length; k++) term += (double)condition[k] * (1.0 + Math.Tanh(a[k])) * reference[k];
        return (float)term;
    }
}
