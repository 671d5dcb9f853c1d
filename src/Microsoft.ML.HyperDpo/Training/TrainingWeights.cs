using Microsoft.ML.HyperDpo.Data;
using Microsoft.ML.HyperDpo.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Where each training list's objective weights come from, chosen once per fit: a Dirichlet draw per list (the whole
/// front) or one fixed trade-off. It also says where validation measures the model and which single figure it follows.
/// </summary>
internal abstract class TrainingWeights : IDisposable
{
    /// <summary>The source the options ask for: fixed when <see cref="HyperDpoRankingTrainer.LossOptions.FixedObjectiveWeights"/> is set, else Dirichlet.</summary>
    public static TrainingWeights Create(HyperDpoRankingTrainer.Options options, int objectives, Generator generator, Device device) =>
        options.Loss.FixedObjectiveWeights is { } fixedWeights
            ? new Fixed(ObjectiveWeights.Normalize(fixedWeights, objectives, HyperDpoRankingTrainer.Options.Path(nameof(options.Loss), nameof(options.Loss.FixedObjectiveWeights))), device)
            : new Dirichlet(objectives, options, generator, device);

    /// <summary>
    /// The weight vectors at which validation measures NDCG under <paramref name="options"/>: the fixed trade-off, or the simplex
    /// lattice and any further grids (<see cref="HyperDpoRankingTrainer.ValidationOptions.Grids"/>), the same points as <see cref="ValidationGrid"/>.
    /// </summary>
    public static IReadOnlyList<float[]> ValidationGridOf(HyperDpoRankingTrainer.Options options, int objectives) =>
        options.Loss.FixedObjectiveWeights is { } fixedWeights
            ? new[] { ObjectiveWeights.Normalize(fixedWeights, objectives, HyperDpoRankingTrainer.Options.Path(nameof(options.Loss), nameof(options.Loss.FixedObjectiveWeights))) }
            : new ValidationGridSet(objectives, options.ValidationDivisions, options.Validation.Grids).Points;

    /// <summary>The weights of <paramref name="lists"/> lists: [lists, K].</summary>
    public abstract Tensor Draw(int lists);

    /// <summary>The weight vectors at which validation measures NDCG.</summary>
    public abstract IReadOnlyList<float[]> ValidationGrid { get; }

    /// <summary>What the validation figure is called in the log.</summary>
    public abstract string FigureName { get; }

    /// <summary>The validation figure early stopping maximises, from [grid point][objective] NDCG.</summary>
    public abstract double ValidationFigure(double[][] ndcg);

    public virtual void Dispose()
    {
    }

    /// <summary>w ~ Dirichlet(alpha) per list; validation over the weight lattice (and more grids when asked), summarised by the early-stopping metric.</summary>
    private sealed class Dirichlet : TrainingWeights
    {
        private readonly DirichletSampler _sampler;
        private readonly EarlyStoppingMetric _metric;
        private readonly ValidationGridSet _grids;

        public Dirichlet(int objectives, HyperDpoRankingTrainer.Options options, Generator generator, Device device)
        {
            _sampler = new DirichletSampler(objectives, options.Loss.DirichletAlpha, generator, device);
            _metric = options.Validation.EarlyStoppingMetric;
            _grids = new ValidationGridSet(objectives, options.ValidationDivisions, options.Validation.Grids);
        }

        public override Tensor Draw(int lists) => _sampler.Sample(lists);
        public override IReadOnlyList<float[]> ValidationGrid => _grids.Points;
        public override string FigureName => _grids.Count == 1 ? _metric.ToString() : $"{_metric}, mean of {_grids.Count} grids";
        public override double ValidationFigure(double[][] ndcg) => _grids.Mean(ndcg, points => ValidationEvaluator.Summarize(points, _metric));
    }

    /// <summary>One trade-off for every list; validation at it alone, scalarised as sum_k w_k NDCG_k.</summary>
    private sealed class Fixed : TrainingWeights
    {
        private readonly float[] _weights;
        private readonly Tensor _row;

        public Fixed(float[] weights, Device device)
        {
            _weights = weights;
            _row = tensor(weights, new long[] { 1, weights.Length }, device: device);
        }

        public override Tensor Draw(int lists) => _row.expand(lists, _weights.Length);
        public override IReadOnlyList<float[]> ValidationGrid => new[] { _weights };
        public override string FigureName => "weighted NDCG";
        public override double ValidationFigure(double[][] ndcg) => ndcg[0].Select((value, j) => _weights[j] * value).Sum();
        public override void Dispose() => _row.Dispose();
    }
}
