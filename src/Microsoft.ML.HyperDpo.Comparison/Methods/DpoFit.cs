using System.Diagnostics;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>One timed HyperDPO-trainer fit on a split, shared by HyperDPO, DPO-LS and DPO Soup so that all three train the same network the same way.</summary>
internal static class DpoFit
{
    /// <summary>
    /// Fits a HyperDPO trainer with <paramref name="options"/> (fresh options from the method's factory), the context's columns and
    /// seed (unless the options set one), then <paramref name="adjust"/>; early stopping on the split's validation data if any.
    /// </summary>
    public static (HyperDpoRankingTransformer Model, TimeSpan Elapsed) Train(FrontFitContext context, Func<HyperDpoRankingTrainer.Options> options,
        Action<HyperDpoRankingTrainer.Options>? adjust = null)
    {
        var o = options() ?? throw new InvalidOperationException("The trainer options factory returned null.");
        o.LabelColumnNames = context.LabelColumnNames.ToArray();
        o.FeatureColumnName = context.FeatureColumnName;
        o.RowGroupColumnName = context.RowGroupColumnName;
        o.Seed ??= context.Seed;
        adjust?.Invoke(o);
        var clock = Stopwatch.StartNew();
        var model = context.MLContext.Ranking.Trainers.HyperDpo(o).Fit(context.Split.Train, context.Split.Validation);
        var elapsed = clock.Elapsed;
        context.Fitted();
        return (model, elapsed);
    }

    /// <summary>
    /// Fits the unconditioned network (<see cref="ConditioningKind.None"/>) on the one trade-off <paramref name="weights"/>:
    /// a DPO-LS model, or a DPO Soup ingredient at a corner of the simplex.
    /// </summary>
    public static (HyperDpoRankingTransformer Model, TimeSpan Elapsed) TrainUnconditioned(FrontFitContext context,
        Func<HyperDpoRankingTrainer.Options> options, float[] weights) =>
        Train(context, options, o =>
        {
            o.Network.Conditioning = ConditioningKind.None;
            o.Loss.FixedObjectiveWeights = weights;
        });

    /// <summary>The trainer reports of <paramref name="models"/> that have one, in order (for <see cref="FittedFront.Reports"/>).</summary>
    public static IReadOnlyList<TrainingReport> Reports(params IEnumerable<HyperDpoRankingTransformer> models) =>
        models.Select(m => m.TrainingReport).OfType<TrainingReport>().ToList();

    /// <summary>Default trainer options, for methods created without a factory.</summary>
    public static HyperDpoRankingTrainer.Options Defaults() => new();
}
