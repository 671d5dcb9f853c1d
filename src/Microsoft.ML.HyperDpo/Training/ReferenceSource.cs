using Microsoft.ML.Runtime;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Where the reference rankers of a fit come from (<see cref="HyperDpoRankingTrainer.ReferenceOptions.Source"/>): one shared
/// fitted model, one fitted model per objective, or one estimator per objective that the fit trains first. Created by
/// <see cref="Shared"/>, <see cref="PerObjective"/> or <see cref="FitPerObjective"/>; immutable.
/// </summary>
public abstract class ReferenceSource
{
    private protected ReferenceSource()
    {
    }

    /// <summary>
    /// One fitted ML.NET transformer that adds the references' score column (a FastTree LambdaMART model, say), shared by every
    /// objective: the reference for every w is its score r, standardised on the training data.
    /// </summary>
    public static ReferenceSource Shared(ITransformer model) =>
        new SharedModel(model ?? throw new ArgumentNullException(nameof(model)));

    /// <summary>
    /// One fitted ML.NET ranker per objective, in <see cref="HyperDpoRankingTrainer.Options.LabelColumnNames"/> order, each adding
    /// the references' score column (e.g. a FastTree LambdaMART model trained on that objective's labels). The reference for
    /// the trade-off w is their score soup r_w = sum_k w_k (r_k - mu_k) / sigma_k (mean and deviation on the training data).
    /// </summary>
    public static ReferenceSource PerObjective(params ITransformer[] models) =>
        new PerObjectiveModels((ITransformer[])(models ?? throw new ArgumentNullException(nameof(models))).Clone());

    /// <summary>
    /// As <see cref="PerObjective"/>, unfitted: one ML.NET ranking estimator per objective, in
    /// <see cref="HyperDpoRankingTrainer.Options.LabelColumnNames"/> order, each set up with that objective's label column;
    /// <c>Fit</c> fits them on the training data first. The only source that can give out-of-fold scores
    /// (<see cref="HyperDpoRankingTrainer.ReferenceOptions.Folds"/>).
    /// </summary>
    public static ReferenceSource FitPerObjective(params IEstimator<ITransformer>[] estimators) =>
        new PerObjectiveEstimators((IEstimator<ITransformer>[])(estimators ?? throw new ArgumentNullException(nameof(estimators))).Clone());

    /// <summary>The reference chain of a checkpoint or fitted model, used as it is (never refitted or restandardised).</summary>
    internal static ReferenceSource Saved(ITransformer chain) => new SavedChain(chain);

    /// <summary>Whether the references are fitted by the fit, so that they can be refitted out of fold.</summary>
    internal virtual bool FitsEstimators => false;

    /// <summary>The chain this source is when it is one already (a checkpoint's), else null.</summary>
    internal virtual ITransformer? Chain => null;

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="option"/> when the source does not fit the <paramref name="labels"/>.</summary>
    internal virtual void Validate(string option, string[] labels)
    {
    }

    /// <summary>The reference chain fitted on <paramref name="train"/>, with the training rows' out-of-fold scores when asked.</summary>
    internal abstract (ITransformer Chain, float[]? TrainingScores) Prepare(HyperDpoRankingTrainer.Options o, IDataView train, int seed, IChannel channel);

    private static void RequireOnePerObjective<T>(T[] items, string what, string option, string[] labels) where T : class
    {
        if (items.Length != labels.Length || items.Any(m => m is null))
            throw new ArgumentException($"{option} must hold one {what} per objective ({labels.Length}: {string.Join(", ", labels)}); got {items.Length}" +
                (items.Any(m => m is null) ? ", some null." : "."), option);
    }

    private sealed class SharedModel(ITransformer model) : ReferenceSource
    {
        internal override (ITransformer Chain, float[]? TrainingScores) Prepare(HyperDpoRankingTrainer.Options o, IDataView train, int seed, IChannel channel) =>
            ReferenceScores.Build(Enumerable.Repeat(model, o.LabelColumnNames.Length).ToArray(), o.References.ScoreColumnName, o.LabelColumnNames, train, null);

        public override string ToString() => "ReferenceSource.Shared";
    }

    private sealed class PerObjectiveModels(ITransformer[] models) : ReferenceSource
    {
        internal override void Validate(string option, string[] labels) => RequireOnePerObjective(models, "fitted model", option, labels);

        internal override (ITransformer Chain, float[]? TrainingScores) Prepare(HyperDpoRankingTrainer.Options o, IDataView train, int seed, IChannel channel) =>
            ReferenceScores.Build(models, o.References.ScoreColumnName, o.LabelColumnNames, train, null);

        public override string ToString() => $"ReferenceSource.PerObjective ({models.Length} models)";
    }

    private sealed class PerObjectiveEstimators(IEstimator<ITransformer>[] estimators) : ReferenceSource
    {
        internal override bool FitsEstimators => true;

        internal override void Validate(string option, string[] labels) => RequireOnePerObjective(estimators, "estimator", option, labels);

        internal override (ITransformer Chain, float[]? TrainingScores) Prepare(HyperDpoRankingTrainer.Options o, IDataView train, int seed, IChannel channel) =>
            ReferenceScores.FitAndBuild(o, estimators, train, seed, channel);

        public override string ToString() => $"ReferenceSource.FitPerObjective ({estimators.Length} estimators)";
    }

    private sealed class SavedChain(ITransformer chain) : ReferenceSource
    {
        internal override ITransformer? Chain => chain;

        internal override (ITransformer Chain, float[]? TrainingScores) Prepare(HyperDpoRankingTrainer.Options o, IDataView train, int seed, IChannel channel) => (chain, null);

        public override string ToString() => "the saved reference chain";
    }
}
