using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.HyperDpo.Modeling;

/// <summary>
/// The weight-conditioned scoring network g(x; w): an MLP over standardised features whose behaviour is set by
/// the objective weights w, in one of three ways (<see cref="ConditioningKind"/>), or a plain MLP that ignores w
/// (<see cref="ConditioningKind.None"/>, the single-trade-off baselines).
/// </summary>
/// <remarks>
/// Shapes: features [..., F], weights [..., K] (broadcastable to the features' leading dimensions) -> scores [...].
/// The feature standardisation (mean and scale fitted on the training data) lives in buffers of the module, so it is
/// saved with the parameters and travels with any export.
/// </remarks>
internal sealed class ConditionedScorer : Module<Tensor, Tensor, Tensor>
{
    private readonly ConditioningKind _kind;
    private readonly int[] _hiddenSizes;
    private readonly float _dropoutRate;
    private readonly ModuleList<Linear> hidden;
    private readonly ModuleList<Linear> film;
    private readonly Linear output;
    private readonly Linear? hyper;
    private readonly Dropout dropout;
    private readonly Tensor feature_mean;
    private readonly Tensor feature_scale;

    public ConditionedScorer(int features, int objectives, IReadOnlyList<int> hiddenSizes, float dropoutRate,
        ConditioningKind kind, float[] featureMean, float[] featureScale) : base(nameof(ConditionedScorer))
    {
        _kind = kind;
        _hiddenSizes = hiddenSizes.ToArray();
        _dropoutRate = dropoutRate;
        FeatureCount = features;
        ObjectiveCount = objectives;
        var layers = new List<Linear>();
        // Unconditioned networks do not see w at all, so their input is the features alone.
        int width = features + (kind == ConditioningKind.None ? 0 : objectives);
        foreach (int h in hiddenSizes)
        {
            layers.Add(Linear(width, h));
            width = h;
        }
        hidden = new ModuleList<Linear>(layers.ToArray());
        // FiLM: one linear map from w to (scale, shift) per hidden layer; initialised at zero so training starts unmodulated.
        film = new ModuleList<Linear>(kind == ConditioningKind.FiLM
            ? hiddenSizes.Select(h => ZeroInit(Linear(objectives, 2 * h))).ToArray()
            : Array.Empty<Linear>());
        output = Linear(width, 1);
        // Hypernetwork: w -> the output layer's weights and bias, added to a shared base (the output layer above).
        hyper = kind == ConditioningKind.Hypernetwork ? ZeroInit(Linear(objectives, width + 1)) : null;
        dropout = Dropout(dropoutRate);
        feature_mean = torch.tensor(featureMean).reshape(1, features);
        feature_scale = torch.tensor(featureScale).reshape(1, features);
        RegisterComponents();
    }

    public int FeatureCount { get; }
    public int ObjectiveCount { get; }

    /// <summary>A network of the same architecture, with fresh parameters, for state to be loaded into (parameter soups).</summary>
    public ConditionedScorer EmptyCopy() =>
        new(FeatureCount, ObjectiveCount, _hiddenSizes, _dropoutRate, _kind, new float[FeatureCount], Enumerable.Repeat(1f, FeatureCount).ToArray());

    public override Tensor forward(Tensor features, Tensor weights)
    {
        using var scope = torch.NewDisposeScope();
        var x = (features - feature_mean) / feature_scale;
        var w = weights.expand(MatchLeading(weights, features));
        var h = _kind == ConditioningKind.None ? x : torch.cat(new[] { x, w }, dim: -1);
        for (int i = 0; i < hidden.Count; i++)
        {
            h = hidden[i].forward(h);
            if (_kind == ConditioningKind.FiLM)
            {
                var gb = film[i].forward(w).chunk(2, dim: -1);
                h = h * (gb[0] + 1) + gb[1];
            }
            h = dropout.forward(functional.silu(h));
        }
        var score = output.forward(h).squeeze(-1);
        if (hyper is not null)
        {
            var p = hyper.forward(w);
            var width = h.shape[^1];
            score = score + (h * p.narrow(-1, 0, width)).sum(-1) + p.narrow(-1, width, 1).squeeze(-1);
        }
        return score.MoveToOuterDisposeScope();
    }

    /// <summary>Zeroes the output layer (the hypernetwork's is zero already), so that g(x; w) = 0 for every input until trained.</summary>
    public void ZeroOutput() => ZeroInit(output);

    private static long[] MatchLeading(Tensor weights, Tensor features)
    {
        var shape = features.shape.ToArray();
        shape[^1] = weights.shape[^1];
        return shape;
    }

    private static Linear ZeroInit(Linear layer)
    {
        using (torch.no_grad())
        {
            layer.weight!.zero_();
            layer.bias?.zero_();
        }
        return layer;
    }
}
