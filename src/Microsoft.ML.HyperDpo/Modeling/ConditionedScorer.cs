using Microsoft.ML.HyperDpo.Modeling.Conditioning;
using Microsoft.ML.HyperDpo.Native;
using Microsoft.ML.HyperDpo.Scoring;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.HyperDpo.Modeling;

/// <summary>
/// The conditioned scoring network g(x; c): an MLP trunk over standardised features whose behaviour is set by the
/// conditioning vector c (today c = w, the objective weights) through the part of one conditioning kind
/// (<see cref="ConditioningKind"/>, registered in <see cref="ConditioningRegistry"/>).
/// </summary>
/// <remarks>
/// Shapes: features [..., F], condition [..., C] of the same rank, each leading dimension equal to the features' or 1
/// (one vector per list: [B, 1, C] with features [B, L, F]; one for all: [1, C] with [N, F]) -> scores [...].
/// The feature standardisation (mean and scale fitted on the training data) lives in buffers of the module, so it is
/// saved with the parameters and travels with any export.
/// </remarks>
internal sealed class ConditionedScorer : Module<Tensor, Tensor, Tensor>, IRankingNetwork
{
    private readonly int[] _hiddenSizes;
    private readonly float _dropoutRate;
    private readonly bool _concatenates;
    private readonly ModuleList<Linear> hidden;
    private readonly Linear output;
    private readonly ConditioningModule conditioning;
    private readonly Dropout dropout;
    private readonly Tensor feature_mean;
    private readonly Tensor feature_scale;

    public ConditionedScorer(int features, int conditionWidth, IReadOnlyList<int> hiddenSizes, float dropoutRate,
        ConditioningKind kind, float[] featureMean, float[] featureScale) : base(TorchBackend.Require(nameof(ConditionedScorer)))
    {
        Kind = kind;
        _hiddenSizes = hiddenSizes.ToArray();
        _dropoutRate = dropoutRate;
        FeatureCount = features;
        ConditionWidth = conditionWidth;
        var definition = ConditioningRegistry.Get(kind);
        _concatenates = definition.ConcatenatesCondition;
        var layers = new List<Linear>();
        int firstInputs = features + (_concatenates ? conditionWidth : 0);
        int width = firstInputs;
        foreach (int h in hiddenSizes)
        {
            layers.Add(Linear(width, h));
            width = h;
        }
        hidden = new ModuleList<Linear>(layers.ToArray());
        var shape = new ConditioningShape(features, conditionWidth, _hiddenSizes, firstInputs);
        ConditioningModule? before = definition.BuiltBeforeOutput ? definition.Create(shape) : null;
        output = Linear(width, 1);
        conditioning = before ?? definition.Create(shape);
        dropout = Dropout(dropoutRate);
        feature_mean = torch.tensor(featureMean).reshape(1, features);
        feature_scale = torch.tensor(featureScale).reshape(1, features);
        RegisterComponents();
    }

    public ConditioningKind Kind { get; }
    public int FeatureCount { get; }

    /// <summary>The widths of the hidden layers.</summary>
    public IReadOnlyList<int> HiddenSizes => _hiddenSizes;

    /// <summary>The length C of the conditioning vector the network reads.</summary>
    public int ConditionWidth { get; }

    /// <summary>A network of the same architecture, with fresh parameters, for state to be loaded into (parameter soups).</summary>
    public ConditionedScorer EmptyCopy() =>
        new(FeatureCount, ConditionWidth, _hiddenSizes, _dropoutRate, Kind, new float[FeatureCount], Enumerable.Repeat(1f, FeatureCount).ToArray());

    nn.Module IRankingNetwork.Module => this;

    IRankingNetwork IRankingNetwork.EmptyCopy() => EmptyCopy();

    /// <summary>Each document is scored alone, so padding and list boundaries change nothing.</summary>
    public Tensor ScoreLists(Tensor features, Tensor condition, Tensor mask) => forward(features, condition.unsqueeze(1));

    /// <inheritdoc cref="IRankingNetwork.ScoreRows"/>
    public Tensor ScoreRows(Tensor features, Tensor condition, int[] listLengths) => forward(features, condition);

    public override Tensor forward(Tensor features, Tensor condition)
    {
        using var scope = torch.NewDisposeScope();
        var x = (features - feature_mean) / feature_scale;
        // The kind's hooks get c as given (broadcastable, so one vector per list is computed with once); only the
        // concatenation needs a copy per document.
        var h = _concatenates ? torch.cat(new[] { x, condition.expand(MatchLeading(condition, features)) }, dim: -1) : x;
        for (int i = 0; i < hidden.Count; i++)
            h = dropout.forward(functional.silu(conditioning.Layer(i, hidden[i], h, condition)));
        return conditioning.Score(output, h, condition).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Zeroes the output layer so that g(x; c) = 0 for every input until trained (with a reference, training then starts exactly
    /// at it). The conditioning kinds' own output terms start at zero already.
    /// </summary>
    public void ZeroOutput()
    {
        using (torch.no_grad())
        {
            output.weight!.zero_();
            output.bias?.zero_();
        }
    }

    /// <summary>A TorchSharp-free copy of everything the network computes with (to the CPU, as float32).</summary>
    public ScorerParameters Export() =>
        new(FeatureCount, ConditionWidth, _concatenates, LinearExport.Read(feature_mean), LinearExport.Read(feature_scale),
            hidden.Select(l => l.ToDense()).ToArray(), output.ToDense(), conditioning.Export());

    private static long[] MatchLeading(Tensor condition, Tensor features)
    {
        var shape = features.shape.ToArray();
        shape[^1] = condition.shape[^1];
        return shape;
    }
}
