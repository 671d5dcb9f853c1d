namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>The standard set of methods a comparison runs.</summary>
public static class FrontMethods
{
    /// <summary>
    /// HyperDPO and the paper's baselines, in report order: HyperDPO, HyperDPO on LambdaMART (fine-tuning FastTree models),
    /// DPO-LS, DPO Soup, FastTree scalarised, LightGBM scalarised, FastTree score soup, and conditioned FastTree (one model with w
    /// among its features) with linear and with stochastic label aggregation, and HyperDPO on conditioned LambdaMART (that one model as the reference). The three DPO methods share <paramref name="options"/>, so they train the same network the same way.
    /// </summary>
    /// <param name="options">Makes fresh HyperDPO trainer options for each fit; null for the defaults.</param>
    /// <param name="perObjectiveReferenceOptions">The options of HyperDPO on LambdaMART, the one method with K per-objective references, where they
    /// differ (options only such references read, e.g. <see cref="HyperDpoRankingTrainer.ReferenceOptions.Reweighting"/>); null: <paramref name="options"/>.</param>
    public static IReadOnlyList<FrontMethod> All(Func<HyperDpoRankingTrainer.Options>? options = null, Func<HyperDpoRankingTrainer.Options>? perObjectiveReferenceOptions = null) => new FrontMethod[]
    {
        new HyperDpoFront(options),
        new HyperDpoOnLambdaMart(perObjectiveReferenceOptions ?? options),
        new DpoLinearScalarization(options),
        new DpoSoup(options),
        new ScalarisedLambdaMart(LambdaMartLibrary.FastTree),
        new ScalarisedLambdaMart(LambdaMartLibrary.LightGbm),
        new LambdaMartScoreSoup(LambdaMartLibrary.FastTree),
        new ConditionedLambdaMart(),
        new ConditionedLambdaMart(aggregation: LabelAggregation.Stochastic),
        new HyperDpoOnConditionedLambdaMart(options),
    };
}
