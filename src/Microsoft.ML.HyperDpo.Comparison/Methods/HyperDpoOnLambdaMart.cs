namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>
/// HyperDPO fine-tuning LambdaMART: K FastTree models, model k trained on objective k's labels (as for the score soup), given to
/// one HyperDPO fit as <see cref="HyperDpoRankingTrainer.Options.ReferenceModels"/>. The model starts at their score soup and
/// learns one correction g(x; w) for every trade-off. The reported time includes the K reference fits.
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
    public override string Key => "hyperdpo-lambdamart";

    /// <inheritdoc/>
    public override int FitCount(int objectives, int gridPoints) => objectives + 1;

    /// <summary>The model of the last <see cref="Fit"/>.</summary>
    public HyperDpoRankingTransformer? LastModel { get; private set; }

    /// <inheritdoc/>
    public override FittedFront Fit(FrontFitContext context)
    {
        var rule = ScalarisedLabelRule.Fit(context.Split.Train, context.LabelColumnNames);
        var references = new ITransformer[context.Objectives];
        var total = TimeSpan.Zero;
        for (int k = 0; k < context.Objectives; k++)
        {
            var (model, elapsed) = LambdaMart.Train(context, LambdaMartLibrary.FastTree, context.Split.Train, context.LabelColumnNames[k], rule.Gains);
            references[k] = model;
            total += elapsed;
        }
        var (fitted, dpoTime) = DpoFit.Train(context, _options, o => o.ReferenceModels = references);
        LastModel = fitted;
        return new FittedFront(w => fitted.WithObjectiveWeights(w), total + dpoTime, context.Objectives + 1);
    }
}
