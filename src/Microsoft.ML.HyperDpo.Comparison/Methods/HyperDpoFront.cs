namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>HyperDPO: one network conditioned on the objective weights, trained once for the whole front.</summary>
public sealed class HyperDpoFront : FrontMethod
{
    private readonly Func<HyperDpoRankingTrainer.Options> _options;

    /// <summary>Creates the method.</summary>
    /// <param name="options">Makes fresh trainer options for each fit (label, feature and group columns are set by the comparison); null for the defaults.</param>
    public HyperDpoFront(Func<HyperDpoRankingTrainer.Options>? options = null) => _options = options ?? DpoFit.Defaults;

    /// <inheritdoc/>
    public override string Name => "HyperDPO";

    /// <inheritdoc/>
    public override string Key => FrontMethodKeys.HyperDpo;

    /// <inheritdoc/>
    public override int FitCount(int objectives, int gridPoints) => 1;

    /// <summary>The model of the last <see cref="Fit"/>, e.g. to pick a trade-off from it afterwards.</summary>
    public HyperDpoRankingTransformer? LastModel { get; private set; }

    /// <inheritdoc/>
    public override FittedFront Fit(FrontFitContext context)
    {
        var (model, elapsed) = DpoFit.Train(context, _options);
        LastModel = model;
        return new FittedFront(w => model.WithObjectiveWeights(w), elapsed, 1, DpoFit.Reports(model));
    }
}
