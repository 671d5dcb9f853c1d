using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Tests.Scoring;

namespace Microsoft.ML.HyperDpo.Tests.Persistence;

/// <summary>A row with features and its own objective weights, for WeightedScore.</summary>
public sealed class WeightedRow
{
    [VectorType(SyntheticRanking.FeatureCount)]
    public float[] Features { get; set; }

    [VectorType(2)]
    public float[] ObjectiveWeights { get; set; }
}

[TestClass]
public class SaveLoadTests
{
    private static TemporaryFolder _folder;

    [ClassInitialize]
    public static void CreateFolder(TestContext _)
    {
        _folder = new TemporaryFolder("hyperdpo-persist");
    }

    [ClassCleanup]
    public static void DeleteFolder() => _folder.Dispose();

    internal static List<WeightedRow> WeightedRows(int count, int seed)
    {
        var (x, w) = ScorerVariants.RandomInputs(count, SyntheticRanking.FeatureCount, 2, seed);
        return Enumerable.Range(0, count).Select(r => new WeightedRow
        {
            Features = x.AsSpan(r * SyntheticRanking.FeatureCount, SyntheticRanking.FeatureCount).ToArray(),
            ObjectiveWeights = w.AsSpan(r * 2, 2).ToArray(),
        }).ToList();
    }

    internal static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, what);
        for (int r = 0; r < expected.Length; r++)
            Assert.AreEqual(expected[r], actual[r], 1e-5f, $"{what}, row {r}");
    }

    private static string NewPath(string name) => _folder.File(name + ".zip");

    [TestMethod]
    public void HyperDpoTransformerAtItsWeightsLoadsInANewProcessWithoutThisLibrary()
    {
        var ml = new MLContext(1);
        var model = ScorerVariants.Model(ConditioningKind.FiLM).WithObjectiveWeights(0.3f, 0.7f);
        var data = SyntheticRanking.Load(ml, SyntheticRanking.Rows(30, 3, 9, seed: 40));
        string path = NewPath("fixed");
        ml.Model.Save(model, data.Schema, path);

        var (scores, type, hyperDpo) = ModelProcess.Score(ml, path, data);
        AssertClose(SyntheticRanking.Scores(model.Transform(data)), scores, "new process");
        Assert.AreEqual("TransformerChain`1", type);
        Assert.AreEqual("", hyperDpo, "the loading process must not load Microsoft.ML.HyperDpo");
    }

    [TestMethod]
    public void WeightedScoreTransformerLoadsInANewProcess()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(WeightedRows(300, seed: 41));
        var transformer = ml.Transforms.WeightedScore(ScorerVariants.Model(ConditioningKind.Hypernetwork)).Fit(data);
        string path = NewPath("weighted");
        ml.Model.Save(transformer, data.Schema, path);

        var (scores, _, hyperDpo) = ModelProcess.Score(ml, path, data);
        AssertClose(SyntheticRanking.Scores(transformer.Transform(data)), scores, "new process");
        Assert.AreEqual("", hyperDpo);
    }

    [TestMethod]
    public void ChainWithPreprocessingAndConstantWeightsLoadsInANewProcess()
    {
        var ml = new MLContext(1);
        var raw = SyntheticRanking.Load(ml, SyntheticRanking.Rows(30, 3, 9, seed: 42));
        var model = ScorerVariants.Model(ConditioningKind.Input);
        var pipeline = ml.Transforms.NormalizeMinMax("Features")
            .Append(ml.Transforms.ConstantObjectiveWeights(new[] { 2f, 1f }))
            .Append(ml.Transforms.WeightedScore(model));
        var fitted = pipeline.Fit(raw);
        float[] expected = SyntheticRanking.Scores(fitted.Transform(raw));
        string path = NewPath("chain");
        ml.Model.Save(fitted, raw.Schema, path);

        var (scores, _, _) = ModelProcess.Score(ml, path, raw);
        AssertClose(expected, scores, "new process");

        // The constant column gives the same scores as the model moved to those weights.
        var normalised = ml.Transforms.NormalizeMinMax("Features").Fit(raw).Transform(raw);
        AssertClose(SyntheticRanking.Scores(model.WithObjectiveWeights(2f, 1f).Transform(normalised)), expected, "constant weights");
    }

    [TestMethod]
    public void EveryConditioningKindRoundTripsInProcess()
    {
        var ml = new MLContext(1);
        var data = SyntheticRanking.Load(ml, SyntheticRanking.Rows(20, 3, 9, seed: 43));
        foreach (var kind in ScorerVariants.Kinds)
        {
            var model = ScorerVariants.Model(kind).WithObjectiveWeights(0.6f, 0.4f);
            string path = NewPath("kind-" + kind);
            ml.Model.SaveAtomically(model, data.Schema, path);
            var loaded = new MLContext(2).Model.LoadWithClearErrors(path, out var schema);
            Assert.AreEqual(data.Schema.Count, schema.Count, "the input schema is saved");
            var scored = loaded.Transform(data);
            Assert.AreEqual(NumberDataViewType.Single, scored.Schema["Score"].Type, "Score stays a Single column");
            Assert.IsNull(scored.Schema.GetColumnOrNull("HyperDpo.RawScore"), "temporary columns are dropped");
            AssertClose(SyntheticRanking.Scores(model.Transform(data)), SyntheticRanking.Scores(scored), kind.ToString());
            // ML.NET's evaluator reads the loaded Score column as it reads the in-memory one.
            Assert.AreEqual(SyntheticRanking.Ndcg(ml, model.Transform(data), SyntheticRanking.LabelA), SyntheticRanking.Ndcg(ml, scored, SyntheticRanking.LabelA), 1e-6);
        }
    }

    [TestMethod]
    public void ModelWithAReferenceModelRoundTrips()
    {
        var ml = new MLContext(1);
        var data = SyntheticRanking.Load(ml, SyntheticRanking.Rows(40, 4, 10, seed: 44));
        var reference = SyntheticRanking.SmallFastTree(ml, SyntheticRanking.LabelA, 5).Fit(data);
        var options = SyntheticRanking.FastOptions(epochs: 2);
        options.References.Source = ReferenceSource.Shared(reference);
        var model = ml.Ranking.Trainers.HyperDpo(options).Fit(data);
        string path = NewPath("reference");
        ml.Model.SaveAtomically(model, data.Schema, path);
        var loaded = new MLContext(2).Model.LoadWithClearErrors(path, out _);
        AssertClose(SyntheticRanking.Scores(model.Transform(data)), SyntheticRanking.Scores(loaded.Transform(data)), "with reference");

        // The export holds g only and adds the ReferenceScore input.
        using var onnx = new MemoryStream();
        model.ExportToOnnx(onnx);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx.ToArray());
        CollectionAssert.AreEqual(new[] { "Features", "ObjectiveWeights", "ReferenceScore" }, session.InputMetadata.Keys.ToArray());
    }

    /// <summary>
    /// A LETOR file as a user has it: <paramref name="queries"/> queries of 6..12 documents, 46 features, relevance from
    /// feature 1, and a PageRank-like feature 41 that conflicts with it.
    /// </summary>
    private static string LetorFile(string name, int queries, int seed)
    {
        var random = new Random(seed);
        var lines = new List<string>();
        for (int q = 0; q < queries; q++)
            for (int d = random.Next(6, 13); d > 0; d--)
            {
                var f = Enumerable.Range(0, 46).Select(_ => (float)random.NextDouble()).ToArray();
                f[40] = 1 - f[0] + 0.1f * (float)random.NextDouble();
                string features = string.Join(" ", f.Select((v, i) => FormattableString.Invariant($"{i + 1}:{v:F6}")));
                lines.Add($"{Math.Min(2, (int)(3 * f[0]))} qid:{1000 + q} {features} #docid = d{q}-{d}");
            }
        string path = _folder.File(name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [TestMethod]
    public void FullPipelineFromTheLoaderScoresRawRowsInANewProcess()
    {
        var ml = new MLContext(1);
        IDataView raw = ml.Data.LoadLetorFiles(LetorFile("pipeline-train.txt", 40, seed: 45));
        IDataView rawTest = ml.Data.LoadLetorFiles(LetorFile("pipeline-test.txt", 10, seed: 46));
        var options = SyntheticRanking.FastOptions(epochs: 2);
        options.LabelColumnNames = new[] { "Label", "PageRank" };
        // Loader output -> objective (feature 41 removed from the inputs) -> the ranker, as one estimator chain.
        var objective = ml.Transforms.FeatureRankObjective("PageRank", featureIndex: 40, removeFromFeatures: true);
        var trained = objective.Append(ml.Ranking.Trainers.HyperDpo(options)).Fit(raw);
        // ... and a serving chain: the same objective, then WeightedScore at fixed weights.
        var serving = objective.Append(ml.Transforms.ConstantObjectiveWeights(new[] { 0.25f, 0.75f }))
            .Append(ml.Transforms.WeightedScore(trained.LastTransformer)).Fit(raw);

        foreach (var (name, pipeline) in new (string, ITransformer)[] { ("trained", trained), ("serving", serving) })
        {
            string path = NewPath("pipeline-" + name);
            ml.Model.Save(pipeline, raw.Schema, path);
            var (scores, _, hyperDpo) = ModelProcess.Score(ml, path, rawTest);
            AssertClose(SyntheticRanking.Scores(pipeline.Transform(rawTest)), scores, name + ", raw 46-feature rows in a new process");
            Assert.AreEqual("", hyperDpo, "the loading process must not load Microsoft.ML.HyperDpo");
        }
        // The serving chain scores as the model moved to those weights does on the shortened features.
        var shortened = objective.Fit(rawTest).Transform(rawTest);
        AssertClose(SyntheticRanking.Scores(trained.LastTransformer.WithObjectiveWeights(0.25f, 0.75f).Transform(shortened)),
            SyntheticRanking.Scores(serving.Transform(rawTest)), "serving chain");
    }
}
