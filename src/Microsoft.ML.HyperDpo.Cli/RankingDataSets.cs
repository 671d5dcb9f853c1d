using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary>
/// Train, validation and test data with the objective label columns in place, and the preparation that put them there
/// (applied to rows of <see cref="RawSchema"/>; none when null), so that a saved model can take the raw rows.
/// </summary>
internal sealed record RankingDataSets(IDataView Train, IDataView? Validation, IDataView? Test, string[] Objectives, string Description,
    ITransformer? Preparation = null, DataViewSchema? RawSchema = null)
{
    /// <summary>
    /// Reads LETOR files and adds one label column per objective: the file's label for <c>label</c>, a within-query
    /// rank grade (0..4) for each feature objective, whose feature is then removed from Features.
    /// </summary>
    public static RankingDataSets FromLetor(MLContext ml, string[] train, string[] valid, string[] test, IReadOnlyList<ObjectiveSpec> objectives)
    {
        int featureCount = LetorTextLoader.FeatureCount(train.Concat(valid).Concat(test).ToArray());
        foreach (var o in objectives.Where(o => o.FeatureId > featureCount))
            throw new ArgumentException($"--objectives: there is no feature {o.FeatureId}; the files have {featureCount} features (ids 1 to {featureCount}).");
        IEstimator<ITransformer> pipeline = new EstimatorChain<ITransformer>();
        // Remove the highest slots first so that the other feature ids keep their slot positions.
        foreach (var o in objectives.Where(o => o.FeatureId is not null).OrderByDescending(o => o.FeatureId))
            pipeline = pipeline.Append(ml.Transforms.FeatureRankObjective(o.ColumnName, o.FeatureId!.Value - 1, o.Direction, removeFromFeatures: true));
        var trainView = ml.Data.LoadLetorFiles(featureCount, train);
        var prep = pipeline.Fit(trainView);
        IDataView? Prepare(string[] files) => files.Length == 0 ? null : ml.Data.Cache(prep.Transform(ml.Data.LoadLetorFiles(featureCount, files)));
        return new RankingDataSets(ml.Data.Cache(prep.Transform(trainView)), Prepare(valid), Prepare(test),
            objectives.Select(o => o.ColumnName).ToArray(),
            $"LETOR files: train {string.Join(",", train.Select(Path.GetFileName))}" +
            (valid.Length > 0 ? $", valid {string.Join(",", valid.Select(Path.GetFileName))}" : "") +
            (test.Length > 0 ? $", test {string.Join(",", test.Select(Path.GetFileName))}" : ""),
            prep, trainView.Schema);
    }

    /// <summary>The embedded default: the documented synthetic two-objective data set (Relevance vs. Quality).</summary>
    public static RankingDataSets Synthetic(MLContext ml, int seed)
    {
        var splits = SyntheticRankingData.GenerateSplits(ml, new SyntheticRankingDataOptions { Seed = seed });
        return new RankingDataSets(splits.Train, splits.Validation, splits.Test, new[] { "Relevance", "Quality" },
            $"embedded synthetic data (SyntheticRankingData, seed {seed}): objectives Relevance and Quality, correlation -0.3");
    }
}
