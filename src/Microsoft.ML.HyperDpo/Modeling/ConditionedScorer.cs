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
    // The reference re-weighting a(x, c) (ReferenceReweighting.PerObjective), or null: a separate small MLP rather than a head on the
    // trunk, so that the trunk, its managed scorer and its ONNX graph stay as they are, and a(x, c) reads c directly whatever the
    // conditioning kind does with it.
    private readonly Linear? reweight_hidden;
    private readonly Linear? reweight_output;

    public ConditionedScorer(int features, int conditionWidth, IReadOnlyList<int> hiddenSizes, float dropoutRate,
        ConditioningKind kind, float[] featureMean, float[] featureScale, int reweightedObjectives = 0) : base(TorchBackend.Require(nameof(ConditionedScorer)))
    {
        if (reweightedObjectives < 0 || reweightedObjectives > conditionWidth)
            throw new ArgumentOutOfRangeException(nameof(reweightedObjectives), reweightedObjectives, $"Expected 0 (no re-weighting) up to the condition width {conditionWidth}.");
        ReweightedObjectives = reweightedObjectives;
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
        if (reweightedObjectives > 0)
        {
            reweight_hidden = Linear(features + conditionWidth, _hiddenSizes[^1]);
            reweight_output = Linear(_hiddenSizes[^1], reweightedObjectives);
            ZeroReweighting();
        }
        feature_mean = torch.tensor(featureMean).reshape(1, features);
        feature_scale = torch.tensor(featureScale).reshape(1, features);
        RegisterComponents();
    }

    public ConditioningKind Kind { get; }

    /// <summary>K when the network re-weights the K references (<see cref="ReferenceReweighting.PerObjective"/>), else 0.</summary>
    public int ReweightedObjectives { get; }
    public int FeatureCount { get; }

    /// <summary>The widths of the hidden layers.</summary>
    public IReadOnlyList<int> HiddenSizes => _hiddenSizes;

    /// <summary>The length C of the conditioning vector the network reads.</summary>
    public int ConditionWidth { get; }

    /// <summary>A network of the same architecture, with fresh parameters, for state to be loaded into (parameter soups).</summary>
    public ConditionedScorer EmptyCopy() =>
        new(FeatureCount, ConditionWidth, _hiddenSizes, _dropoutRate, Kind, new float[FeatureCount], Enumerable.Repeat(1f, FeatureCount).ToArray(), ReweightedObjectives);

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
    /// The reference term with the re-weighting: sum_k w_k (1 + tanh a_k(x, c)) r_k, w = the first K values of c. Shapes as for
    /// <see cref="forward"/>, with <paramref name="reference"/> [..., K] (the K standardised reference scores of each document).
    /// </summary>
    /// <remarks>
    /// A multiplier 1 + tanh a rather than a softmax over the references or an unbounded 1 + a: it is exactly 1 at a = 0 (the soup)
    /// with slope 1 there, so the first steps move it like a linear term; it stays in (0, 2), so a reference can be turned down to
    /// nothing or doubled but never flipped in sign, and a large a cannot blow the scores up; and each objective keeps its own
    /// multiplier, which a softmax over K would tie together (and which, at K = 1, it could not move at all).
    /// </remarks>
    public Tensor ReweightedReference(Tensor features, Tensor condition, Tensor reference)
    {
        if (reweight_hidden is null || reweight_output is null)
            throw new InvalidOperationException("This network does not re-weight its references.");
        using var scope = torch.NewDisposeScope();
        var x = (features - feature_mean) / feature_scale;
        var c = condition.expand(MatchLeading(condition, features));
        var a = reweight_output.forward(functional.silu(reweight_hidden.forward(torch.cat(new[] { x, c }, dim: -1))));
        var w = c.narrow(-1, 0, ReweightedObjectives);
        return (w * (torch.tanh(a) + 1) * reference).sum(-1).MoveToOuterDisposeScope();
    }

    private void ZeroReweighting()
    {
        if (reweight_output is null) return;
        using (torch.no_grad())
        {
            reweight_output.weight!.zero_();
            reweight_output.bias?.zero_();
        }
    }

    /// <summary>
    /// Zeroes the output layer so that g(x; c) = 0 for every input until trained (with a reference, training then starts exactly
    /// at it). The conditioning kinds' own output terms start at zero already; the re-weighting's last layer is zeroed too, so the
    /// reference term is the soup again.
    /// </summary>
    public void ZeroOutput()
    {
        using (torch.no_grad())
        {
            output.weight!.zero_();
            output.bias?.zero_();
        }
        ZeroReweighting();
    }

    /// <summary>A TorchSharp-free copy of everything the network computes with (to the CPU, as float32).</summary>
    public ScorerParameters Export() =>
        new(FeatureCount, ConditionWidth, _concatenates, LinearExport.Read(feature_mean), LinearExport.Read(feature_scale),
            hidden.Select(l => l.ToDense()).ToArray(), output.ToDense(), conditioning.Export(),
            reweight_hidden is null || reweight_output is null ? null : new ReweightingParameters(reweight_hidden.ToDense(), reweight_output.ToDense()));

    private static long[] MatchLeading(Tensor condition, Tensor features)
    {
        var shape = features.shape.ToArray();
        shape[^1] = condition.shape[^1];
        return shape;
    }
}
