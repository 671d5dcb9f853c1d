namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>
/// DPO Soup: K unconditioned networks, network k trained on objective k alone (weights e_k) from the same initial parameters
/// (same seed); the ranker for w has parameters sum_k w_k theta_k (<see cref="ParameterSoup"/>).
/// </summary>
public sealed class DpoSoup : FrontMethod
{
    private readonly Func<HyperDpoRankingTrainer.Options> _options;

    /// <summary>Creates the method.</summary>
    /// <param name="options">Makes fresh trainer options for each fit (conditioning and weights are then set per fit); null for the defaults.</param>
    public DpoSoup(Func<HyperDpoRankingTrainer.Options>? options = null) => _options = options ?? DpoFit.Defaults;

    /// <inheritdoc/>
    public override string Name => "DPO Soup";

    /// <inheritdoc/>
    public override string Key => FrontMethodKeys.DpoSoup;

    /// <inheritdoc/>
    public override int FitCount(int objectives, int gridPoints) => objectives;

    /// <inheritdoc/>
    public override FittedFront Fit(FrontFitContext context)
    {
        var models = new List<HyperDpoRankingTransformer>();
        var total = TimeSpan.Zero;
        for (int k = 0; k < context.Objectives; k++)
        {
            var (model, elapsed) = DpoFit.TrainUnconditioned(context, _options, context.Corner(k));
            models.Add(model);
            total += elapsed;
        }
        var ml = context.MLContext;
        return new FittedFront(w => ParameterSoup.Mix(ml, models, w), total, models.Count, DpoFit.Reports(models));
    }
}
