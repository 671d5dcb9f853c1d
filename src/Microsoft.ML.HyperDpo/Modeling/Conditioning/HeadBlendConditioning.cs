using Microsoft.ML.HyperDpo.Scoring;
using Microsoft.ML.HyperDpo.Scoring.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Modeling.Conditioning;

/// <summary>
/// <see cref="ConditioningKind.Hypernetwork"/>, a blend of output heads: c is concatenated to the features, and one linear
/// map turns c into a change of the output layer's weights and bias. With c = w on the simplex this is the w-weighted blend
/// of K output heads on a shared trunk. Only the last layer depends on c this way; the map starts at zero.
/// </summary>
internal sealed class HeadBlendConditioning : ConditioningModule
{
    public static readonly ConditioningDefinition Definition = new(ConditioningKind.Hypernetwork, ConcatenatesCondition: true, s => new HeadBlendConditioning(s));

    private readonly Linear heads;

    private HeadBlendConditioning(ConditioningShape shape) : base(nameof(HeadBlendConditioning))
    {
        heads = ZeroLinear(shape.ConditionWidth, shape.Width + 1);
        RegisterComponents();
    }

    public override Tensor Score(Linear output, Tensor h, Tensor c)
    {
        var p = heads.forward(c);
        long width = h.shape[^1];
        return base.Score(output, h, c).Plus((h * p.narrow(-1, 0, width)).sum(-1)).Plus(p.narrow(-1, width, 1).squeeze(-1));
    }

    public override ConditioningParameters Export() => new HeadBlendParameters(heads.ToDense());
}

/// <summary>The head blend without TorchSharp: c -> (width output weights, 1 bias) added to the trunk's output layer.</summary>
internal sealed class HeadBlendParameters : ConditioningParameters
{
    private readonly DenseLayer _heads;

    public HeadBlendParameters(DenseLayer heads) => _heads = heads;

    public override bool ReadsCondition => true;
    public override int ScratchLength => _heads.Outputs;

    public override void WriteTerms(ReadOnlySpan<float> c, ScorerParameters network, ConditioningTerms terms, int row)
    {
        var scratch = terms.Scratch;
        _heads.Apply(c, scratch);
        var weights = terms.OutputWeights(row);
        int width = weights.Length;
        for (int j = 0; j < width; j++) weights[j] += scratch[j];
        terms.OutputBias[row] += scratch[width];
    }

    public override string OnnxScore(OnnxGraph g, DenseLayer output, string h, string c)
    {
        int width = output.Inputs;
        string pw = g.Gemm(c, "hyper_weight", _heads.Rows(0, width));
        string pb = g.Gemm(c, "hyper_bias", _heads.Rows(width, 1));
        string dot = g.Node("MatMul", new[] { g.Node("Mul", new[] { h, pw }), g.Constant("ones", Enumerable.Repeat(1f, width).ToArray(), width, 1) });
        return g.Node("Add", new[] { g.Node("Add", new[] { base.OnnxScore(g, output, h, c), dot }), pb });
    }
}
