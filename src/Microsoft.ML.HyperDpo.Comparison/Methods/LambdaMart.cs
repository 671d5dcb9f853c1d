using System.Diagnostics;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>One timed LambdaMART fit with default options, shared by the scalarised and score-soup baselines.</summary>
internal static class LambdaMart
{
    public static (ITransformer Model, TimeSpan Elapsed) Train(FrontFitContext context, LambdaMartLibrary library, IDataView data, string labelColumnName, double[] gains)
    {
        var trainer = Estimator(context, library, labelColumnName, gains);
        var clock = Stopwatch.StartNew();
        var model = trainer.Fit(data);
        var elapsed = clock.Elapsed;
        context.Fitted();
        return (model, elapsed);
    }

    /// <summary>The unfitted LambdaMART ranker of one label column, with default options and the given label gains.</summary>
    public static IEstimator<ITransformer> Estimator(FrontFitContext context, LambdaMartLibrary library, string labelColumnName, double[] gains)
    {
        var ml = context.MLContext;
        return library switch
        {
            LambdaMartLibrary.FastTree => ml.Ranking.Trainers.FastTree(new FastTreeRankingTrainer.Options
            {
                LabelColumnName = labelColumnName,
                FeatureColumnName = context.FeatureColumnName,
                RowGroupColumnName = context.RowGroupColumnName,
                CustomGains = gains,
            }),
            LambdaMartLibrary.LightGbm => ml.Ranking.Trainers.LightGbm(new LightGbmRankingTrainer.Options
            {
                LabelColumnName = labelColumnName,
                FeatureColumnName = context.FeatureColumnName,
                RowGroupColumnName = context.RowGroupColumnName,
                CustomGains = gains.Select(g => (int)g).ToArray(),
                Seed = context.Seed,
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(library), library, "Unknown LambdaMART library."),
        };
    }

    public static string Name(LambdaMartLibrary library) => library == LambdaMartLibrary.FastTree ? "FastTree" : "LightGBM";

    /// <summary>The library's part of a method key: "fasttree" or "lightgbm".</summary>
    public static string Key(LambdaMartLibrary library) => Name(library).ToLowerInvariant();
}
