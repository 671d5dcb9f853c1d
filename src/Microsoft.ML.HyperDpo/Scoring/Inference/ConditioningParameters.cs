using Microsoft.ML.HyperDpo.Scoring.Onnx;

namespace Microsoft.ML.HyperDpo.Scoring;

/// <summary>
/// The TorchSharp-free part of a conditioning kind: what the kind adds to the shared MLP trunk, for the managed scorer
/// (<see cref="WriteTerms"/>) and for the ONNX export (<see cref="OnnxLayer"/>, <see cref="OnnxScore"/>). Each kind
/// derives its own next to its TorchSharp module (Modeling/Conditioning/); this base class is a kind that adds nothing.
/// Instances are immutable and shared between threads.
/// </summary>
internal class ConditioningParameters
{
    /// <summary>A conditioning part with no parameters: the trunk alone.</summary>
    public static readonly ConditioningParameters None = new();

    /// <summary>True when this part reads c (so the scores depend on c even without input concatenation).</summary>
    public virtual bool ReadsCondition => false;

    /// <summary>True when <see cref="WriteTerms"/> writes a scale and shift of hidden pre-activations.</summary>
    public virtual bool Modulates => false;

    /// <summary>True when <see cref="WriteTerms"/> writes the hidden layers' weights.</summary>
    public virtual bool GeneratesWeights => false;

    /// <summary>Floats of <see cref="ConditioningTerms.Scratch"/> that <see cref="WriteTerms"/> needs.</summary>
    public virtual int ScratchLength => 0;

    /// <summary>
    /// Adds what c contributes to row <paramref name="row"/> of <paramref name="terms"/>, which holds the trunk's own values
    /// (scale 1 and shift 0 where modulated). Must allocate nothing.
    /// </summary>
    public virtual void WriteTerms(ReadOnlySpan<float> c, ScorerParameters network, ConditioningTerms terms, int row)
    {
    }

    /// <summary>
    /// ONNX: hidden layer <paramref name="layer"/>'s pre-activation (before SiLU) of the input <paramref name="h"/> [N, inputs],
    /// with the conditioning vector <paramref name="c"/> [N, C]; <paramref name="trunk"/> is the trunk's layer.
    /// </summary>
    public virtual string OnnxLayer(OnnxGraph g, int layer, DenseLayer trunk, string h, string c) =>
        g.Gemm(h, $"hidden{layer}_weight", trunk);

    /// <summary>ONNX: the score [N, 1] of the last hidden activations <paramref name="h"/>; <paramref name="output"/> is the trunk's output layer.</summary>
    public virtual string OnnxScore(OnnxGraph g, DenseLayer output, string h, string c) =>
        g.Gemm(h, "output_weight", output);
}
