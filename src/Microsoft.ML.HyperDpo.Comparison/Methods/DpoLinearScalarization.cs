namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>
/// DPO-LS (linear scalarisation): HyperDPO's network without conditioning (<see cref="ConditioningKind.None"/>), trained once per
/// grid weight w on the fixed scalarised loss sum_k w_k L_k (<see cref="HyperDpoRankingTrainer.LossOptions.FixedObjectiveWeights"/>),
/// with everything else as HyperDPO's options say.
/// </summary>
public sealed class DpoLinearScalarization : FrontMethod
{
    private readonly Func<HyperDpoRankingTrainer.Options> _options;

    /// <summary>Creates the method.</summary>
    /// <param name="options">Makes fresh trainer options for each fit (conditioning and weights are then set per fit); null for the defaults.</param>
    public DpoLinearScalarization(Func<HyperDpoRankingTrainer.Options>? options = null) => _options = options ?? DpoFit.Defaults;

    /// <inheritdoc/>
    public override string Name => "DPO-LS";

    /// <inheritdoc/>
    public override string Key => FrontMethodKeys.DpoLinearScalarization;

    /// <inheritdoc/>
    public override int FitCount(int objectives, int gridPoints) => gridPoints;

    /// <inheritdoc/>
    public override FittedFront Fit(FrontFitContext context)
    {
        var models = new List<(float[] Weights, HyperDpoRankingTransformer Model)>();
        var total = TimeSpan.Zero;
        foreach (float[] w in context.Grid)
        {
            var (model, elapsed) = DpoFit.TrainUnconditioned(context, _options, w);
            models.Add((w, model));
            total += elapsed;
        }
        return new FittedFront(FittedFront.PerWeight(Name, models.Select(m => (m.Weights, (ITransformer)m.Model)).ToList()), total, models.Count,
            DpoFit.Reports(models.Select(m => m.Model)));
    }
}
