using Microsoft.ML.HyperDpo.Scoring;
using Microsoft.ML.HyperDpo.Scoring.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.HyperDpo.Modeling.Conditioning;

/// <summary>
/// <see cref="ConditioningKind.FiLM"/>: c is concatenated to the features, and one linear map per hidden layer turns c into
/// a per-unit scale (1 + gamma) and shift (beta) of that layer's pre-activations (Perez et al., FiLM). The maps start at
/// zero, so training starts unmodulated.
/// </summary>
internal sealed class FilmConditioning : ConditioningModule
{
    public static readonly ConditioningDefinition Definition = new(ConditioningKind.FiLM, ConcatenatesCondition: true, s => new FilmConditioning(s), BuiltBeforeOutput: true);

    private readonly ModuleList<Linear> layers;

    private FilmConditioning(ConditioningShape shape) : base(nameof(FilmConditioning))
    {
        layers = new ModuleList<Linear>(shape.HiddenSizes.Select(h => ZeroLinear(shape.ConditionWidth, 2 * h)).ToArray());
        RegisterComponents();
    }

    public override Tensor Layer(int layer, Linear trunk, Tensor h, Tensor c)
    {
        var gammaBeta = layers[layer].forward(c).chunk(2, dim: -1);
        return (trunk.forward(h) * gammaBeta[0].Plus(1)).Plus(gammaBeta[1]);
    }

    public override ConditioningParameters Export() => new FilmParameters(layers.Select(l => l.ToDense()).ToArray());
}

/// <summary>FiLM without TorchSharp: per hidden layer, c -> (gamma, beta) of its 2 H outputs.</summary>
internal sealed class FilmParameters : ConditioningParameters
{
    private readonly DenseLayer[] _film;

    public FilmParameters(DenseLayer[] film) => _film = film;

    public override bool ReadsCondition => true;
    public override bool Modulates => true;
    public override int ScratchLength => _film.Max(l => l.Outputs);

    public override void WriteTerms(ReadOnlySpan<float> c, ScorerParameters network, ConditioningTerms terms, int row)
    {
        var scratch = terms.Scratch;
        for (int i = 0; i < _film.Length; i++)
        {
            int h = _film[i].Outputs / 2;
            _film[i].Apply(c, scratch);
            var scale = terms.Scale(i, row);
            var shift = terms.Shift(i, row);
            for (int o = 0; o < h; o++)
            {
                scale[o] = scratch[o] + 1;
                shift[o] = scratch[h + o];
            }
        }
    }

    public override string OnnxLayer(OnnxGraph g, int layer, DenseLayer trunk, string h, string c)
    {
        int width = trunk.Outputs;
        var gamma = _film[layer].Rows(0, width);
        var beta = _film[layer].Rows(width, width);
        string scale = g.Gemm(c, $"film{layer}_gamma", gamma.Weight, width, gamma.Inputs, gamma.Bias.Select(b => b + 1).ToArray());
        string shift = g.Gemm(c, $"film{layer}_beta", beta);
        return g.Node("Add", new[] { g.Node("Mul", new[] { base.OnnxLayer(g, layer, trunk, h, c), scale }), shift });
    }
}
