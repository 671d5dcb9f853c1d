namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>
/// HyperDPO fine-tuning LambdaMART: K FastTree rankers, ranker k trained on objective k's labels (as for the score soup), given to
/// one HyperDPO fit as <see cref="HyperDpoRankingTrainer.ReferenceOptions.Source"/>, which fits them (out of fold too when
/// <see cref="HyperDpoRankingTrainer.ReferenceOptions.Folds"/> asks for it). The model starts at their score soup and learns one
/// correction g(x; w) for every trade-off. The reported time includes the reference fits.
/// </summary>
public sealed class HyperDpoOnLambdaMart : FrontMethod
{
    private readonly Func<HyperDpoRankingTrainer.Options> _options;

    /// <summary>Creates the method.</summary>
    /// <param name="options">Makes fresh trainer options for each fit (columns and references are set by the comparison); null for the defaults.</param>
    public HyperDpoOnLambdaMart(Func<HyperDpoRankingTrainer.Options>? options = null) => _options = options ?? DpoFit.Defaults;

    /// <inheritdoc/>
    public override string Name => "HyperDPO on LambdaMART";

    /// <inheritdoc/>
    public override string Key => FrontMethodKeys.HyperDpoOnLambdaMart;

    /// <inheritdoc/>
    public override int FitCount(int objectives, int gridPoints) => 1;

    /// <summary>The model of the last <see cref="Fit"/>.</summary>
    public HyperDpoRankingTransformer? LastModel { get; private set; }

    /// <inheritdoc/>
    public override FittedFront Fit(FrontFitContext context)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var rule = ScalarisedLabelRule.Fit(context.Split.Train, context.LabelColumnNames);
        var references = context.LabelColumnNames.Select(label => LambdaMart.Estimator(context, LambdaMartLibrary.FastTree, label, rule.Gains)).ToArray();
        var rules = clock.Elapsed;
        int folds = 0;
        var (fitted, elapsed) = DpoFit.Train(context, _options, o =>
        {
            o.References.Source = ReferenceSource.FitPerObjective(references);
            folds = o.References.Folds >= 2 ? o.References.Folds : 0;
        });
        LastModel = fitted;
        // K reference rankers and one HyperDPO network (more rankers with out-of-fold references).
        int fits = context.Objectives * (1 + folds) + 1;
        return new FittedFront(w => fitted.WithObjectiveWeights(w), rules + elapsed, fits, DpoFit.Reports(fitted));
    }
}
