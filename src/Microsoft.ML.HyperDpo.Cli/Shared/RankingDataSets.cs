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
    /// rank grade (0..4) for each feature objective, whose feature is then removed from Features. The feature count is
    /// <paramref name="featureCount"/>, or the largest feature id of the first training file; an id beyond it in any other
    /// file is an error naming the file and line (so a stray id cannot silently widen every vector). Every objective must
    /// order the documents of at least one query of each set: one that is the same within every query (a constant feature,
    /// or one the files leave out) would give NDCG 1 everywhere, or 0, and an empty front.
    /// </summary>
    public static RankingDataSets FromLetor(MLContext ml, string[] train, string[] valid, string[] test, IReadOnlyList<ObjectiveSpec> objectives, int? featureCount = null)
    {
        int count = featureCount ?? LetorTextLoader.FeatureCount(train[0]);
        string origin = featureCount is null ? $"the largest feature id of the first training file, '{train[0]}'; --feature-count sets it" : "--feature-count";
        foreach (var o in objectives.Where(o => o.FeatureId > count))
            throw new ArgumentException($"--objectives: there is no feature {o.FeatureId}; the files have {count} features (ids 1 to {count}: {origin}).");
        IDataView Load(string[] files)
        {
            try
            {
                return ml.Data.LoadLetorFiles(count, files);
            }
            catch (InvalidDataException e) when (e.Data.Contains(LetorTextLoader.FeatureIdBeyondCount))
            {
                throw new InvalidDataException($"{e.Message} The feature count {count} is {origin}.", e);
            }
        }
        IEstimator<ITransformer> pipeline = new EstimatorChain<ITransformer>();
        // Remove the highest slots first so that the other feature ids keep their slot positions.
        foreach (var o in objectives.Where(o => o.FeatureId is not null).OrderByDescending(o => o.FeatureId))
            pipeline = pipeline.Append(ml.Transforms.FeatureRankObjective(o.ColumnName, o.FeatureId!.Value - 1, o.Direction, removeFromFeatures: true));
        var trainView = Load(train);
        var validView = valid.Length == 0 ? null : Load(valid);
        var testView = test.Length == 0 ? null : Load(test);
        var prep = pipeline.Fit(trainView);
        IDataView? Prepare(IDataView? view, string[] files, string role)
        {
            if (view is null) return null;
            var prepared = ml.Data.Cache(prep.Transform(view));
            RequireOrdering(prepared, objectives, files, role);
            return prepared;
        }
        return new RankingDataSets(Prepare(trainView, train, "training")!, Prepare(validView, valid, "validation"), Prepare(testView, test, "test"),
            objectives.Select(o => o.ColumnName).ToArray(),
            $"LETOR files: train {string.Join(",", train.Select(Path.GetFileName))}" +
            (valid.Length > 0 ? $", valid {string.Join(",", valid.Select(Path.GetFileName))}" : "") +
            (test.Length > 0 ? $", test {string.Join(",", test.Select(Path.GetFileName))}" : "") +
            $"; {count} features",
            prep, trainView.Schema);
    }

    /// <summary>
    /// Refuses an objective whose grade is the same for every document of every query of <paramref name="data"/>: it ranks
    /// nothing there, so training on it learns nothing and its NDCG is no measurement.
    /// </summary>
    private static void RequireOrdering(IDataView data, IReadOnlyList<ObjectiveSpec> objectives, string[] files, string role)
    {
        var orders = Data.RankableLists.OrdersSomeGroup(data, objectives.Select(o => o.ColumnName).ToArray(), LetorTextLoader.GroupIdColumnName);
        for (int i = 0; i < orders.Length; i++)
        {
            if (orders[i]) continue;
            var o = objectives[i];
            string what = o.FeatureId is int id
                ? $"feature {id} has the same value for every document of each query (a constant feature, or one these files leave out: a missing id reads as 0)"
                : "the label is the same for every document of each query";
            throw new InvalidDataException($"Objective '{o.ColumnName}' ranks nothing in the {role} files ({string.Join(", ", files)}): {what}, so its NDCG would measure nothing. Choose another objective or other files.");
        }
    }

    /// <summary>The objectives of <see cref="Synthetic"/>.</summary>
    public static string[] SyntheticObjectives => new[] { "Relevance", "Quality" };

    /// <summary>The embedded default: the documented synthetic two-objective data set (Relevance vs. Quality).</summary>
    public static RankingDataSets Synthetic(MLContext ml, int seed)
    {
        var splits = SyntheticRankingData.GenerateSplits(ml, new SyntheticRankingDataOptions { Seed = seed });
        return new RankingDataSets(splits.Train, splits.Validation, splits.Test, SyntheticObjectives,
            $"embedded synthetic data (SyntheticRankingData, seed {seed}): objectives Relevance and Quality, correlation -0.3");
    }
}
