namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>
/// HyperDPO fine-tuning conditioned LambdaMART: one FastTree model r(x, w) for every trade-off (<see cref="ConditionedLambdaMart"/>,
/// linear label aggregation), given to one HyperDPO fit as <see cref="HyperDpoRankingTrainer.ReferenceOptions.ConditionedModel"/>
/// in place of the K-model soup. The model starts at r(x, w) standardised and learns one correction g(x; w) for every trade-off.
/// The reported time includes the conditioned model's fit.
/// </summary>
public sealed class HyperDpoOnConditionedLambdaMart : FrontMethod
{
    private readonly Func<HyperDpoRankingTrainer.Options> _options;
    private readonly ConditionedLambdaMart _reference = new();

    /// <summary>Creates the method.</summary>
    /// <param name="options">Makes fresh trainer options for each fit (columns and the reference are set by the comparison); null for the defaults.</param>
    public HyperDpoOnConditionedLambdaMart(Func<HyperDpoRankingTrainer.Options>? options = null) => _options = options ?? DpoFit.Defaults;

    /// <inheritdoc/>
    public override string Name => "HyperDPO on conditioned LambdaMART";

    /// <inheritdoc/>
    public override string Key => FrontMethodKeys.HyperDpoOnConditionedLambdaMart;

    /// <inheritdoc/>
    public override int FitCount(int objectives, int gridPoints) => 2;

    /// <summary>The model of the last <see cref="Fit"/>.</summary>
    public HyperDpoRankingTransformer? LastModel { get; private set; }

    /// <inheritdoc/>
    public override FittedFront Fit(FrontFitContext context)
    {
        var (reference, referenceTime) = _reference.Train(context);
        var (fitted, elapsed) = DpoFit.Train(context, _options, o =>
        {
            o.References.ConditionedModel = reference;
            o.References.ConditionedFeatureColumnName = ConditionedLambdaMart.FeaturesColumn;
        });
        LastModel = fitted;
        // One conditioned FastTree model and one HyperDPO network.
        return new FittedFront(w => fitted.WithObjectiveWeights(w), referenceTime + elapsed, 2, DpoFit.Reports(fitted));
    }
}
