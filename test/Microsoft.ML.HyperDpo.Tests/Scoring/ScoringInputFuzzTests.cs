using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Modeling.Transformer;

namespace Microsoft.ML.HyperDpo.Tests.Scoring;

/// <summary>
/// Feature (and weight) vectors of the wrong length, through every scoring route: a prediction engine in memory and after
/// <c>LoadHyperDpo</c>, <c>Transform</c> over an enumerable, <c>WeightedScore</c>, and a listwise model's whole-group scoring.
/// ML.NET's <c>LoadFromEnumerable</c> and prediction engines hand such arrays through unchecked, so each must be refused by
/// the scorer with an error naming the column and both lengths, never scored with stale or zero-padded values.
/// </summary>
[TestClass]
public class ScoringInputFuzzTests
{
    private const int F = SyntheticRanking.FeatureCount;

    /// <summary>Lengths other than the model's 4: empty, short, one more, and far too long.</summary>
    private static readonly int[] WrongLengths = [0, 1, 2, 3, 5, 13];

    private static RankingRow Row(params float[] features) => new() { Features = features, QueryId = 1 };

    private static float[] Filled(int length, float value) => Enumerable.Repeat(value, length).ToArray();

    private static void AssertLengthError(Exception e, int actual, string column = "Features", int expected = F)
    {
        Assert.IsInstanceOfType<InvalidOperationException>(e, $"{e.GetType().Name}: {e.Message}");
        Assert.Contains($"'{column}'", e.Message);
        Assert.Contains($"has {actual} values", e.Message);
        Assert.Contains($"expects {expected}", e.Message);
    }

    private static string Saved(MLContext ml, ITransformer model, TemporaryFolder folder, DataViewSchema schema)
    {
        string path = folder.File("model.zip");
        ml.Model.SaveAtomically(model, schema, path);
        return path;
    }

    /// <summary>The prediction engines of a fixed-weights model: in memory and read back with LoadHyperDpo.</summary>
    private static IEnumerable<(string Route, PredictionEngine<RankingRow, ScoreRow> Engine)> Engines(MLContext ml, TemporaryFolder folder)
    {
        var model = ScorerVariants.Model(ConditioningKind.FiLM);
        var schema = ml.Data.LoadFromEnumerable(new[] { Row(Filled(F, 0f)) }).Schema;
        var loaded = ml.Model.LoadHyperDpo(Saved(ml, model, folder, schema));
        Assert.IsInstanceOfType<HyperDpoRankingTransformer>(loaded);
        yield return ("in memory", ml.Model.CreatePredictionEngine<RankingRow, ScoreRow>(model));
        yield return ("after LoadHyperDpo", ml.Model.CreatePredictionEngine<RankingRow, ScoreRow>(loaded));
    }

    [TestMethod]
    public void APredictionEngineRefusesAShortRowInsteadOfScoringItWithThePreviousRowsValues()
    {
        using var folder = new TemporaryFolder("hyperdpo-input-fuzz");
        var ml = new MLContext(1);
        foreach (var (route, engine) in Engines(ml, folder))
        {
            float padded = engine.Predict(Row(0.5f, 0.5f, 0.9f, 0.9f)).Score;
            float fresh = engine.Predict(Row(0.5f, 0.5f, 0f, 0f)).Score;
            Assert.AreNotEqual(padded, fresh, $"{route}: the test needs the last two features to matter");

            // A server reusing one engine: a row of 0.9s, then a request with two values.
            engine.Predict(Row(Filled(F, 0.9f)));
            var e = Assert.Throws<Exception>(() => engine.Predict(Row(0.5f, 0.5f)), route);
            AssertLengthError(e, actual: 2);
            // The engine is still usable, and scores a whole row as it did before.
            Assert.AreEqual(fresh, engine.Predict(Row(0.5f, 0.5f, 0f, 0f)).Score, route);

            foreach (int length in WrongLengths)
            {
                engine.Predict(Row(Filled(F, 0.9f)));
                AssertLengthError(Assert.Throws<Exception>(() => engine.Predict(Row(Filled(length, 0.5f))), $"{route}, {length} values"), length);
            }
        }
    }

    [TestMethod]
    public void TransformOverAnEnumerableRefusesAWrongLengthRowNamingTheRow()
    {
        using var folder = new TemporaryFolder("hyperdpo-input-fuzz");
        var ml = new MLContext(1);
        var model = ScorerVariants.Model(ConditioningKind.FiLM);
        var valid = Enumerable.Range(0, 6).Select(i => Row(Filled(F, i / 10f))).ToList();
        var loaded = ml.Model.LoadHyperDpo(Saved(ml, model, folder, ml.Data.LoadFromEnumerable(valid).Schema));
        foreach (var (route, transformer) in new[] { ("in memory", (ITransformer)model), ("after LoadHyperDpo", loaded) })
            foreach (int length in WrongLengths)
            {
                // Five good rows, then the bad one: a block scorer reuses its buffer, so stale values would be at hand.
                var rows = valid.Take(5).Append(Row(Filled(length, 0.5f))).ToList();
                var e = Assert.Throws<Exception>(() => SyntheticRanking.Scores(transformer.Transform(ml.Data.LoadFromEnumerable(rows))), $"{route}, {length} values");
                AssertLengthError(e, length);
                Assert.Contains("row 5", e.Message);
            }
    }

    [TestMethod]
    public void WeightedScoreRefusesWrongLengthFeaturesAndWeights()
    {
        var ml = new MLContext(1);
        var model = ScorerVariants.Model(ConditioningKind.FiLM);
        GroupWeightRow Weighted(int features, int weights) => new() { Features = Filled(features, 0.5f), QueryId = 1, ObjectiveWeights = Filled(weights, 0.5f) };
        var good = Enumerable.Range(0, 4).Select(_ => Weighted(F, 2)).ToList();
        var transformer = ml.Transforms.WeightedScore(model).Fit(ml.Data.LoadFromEnumerable(good));
        var engine = ml.Model.CreatePredictionEngine<GroupWeightRow, ScoreRow>(transformer);
        foreach (int length in WrongLengths)
        {
            AssertLengthError(Assert.Throws<Exception>(() => SyntheticRanking.Scores(transformer.Transform(ml.Data.LoadFromEnumerable(good.Append(Weighted(length, 2)))))), length);
            engine.Predict(Weighted(F, 2));
            AssertLengthError(Assert.Throws<Exception>(() => engine.Predict(Weighted(length, 2))), length);
        }
        foreach (int length in new[] { 0, 1, 3, 7 })
        {
            AssertLengthError(Assert.Throws<Exception>(() => SyntheticRanking.Scores(transformer.Transform(ml.Data.LoadFromEnumerable(good.Append(Weighted(F, length)))))),
                length, "ObjectiveWeights", expected: 2);
            AssertLengthError(Assert.Throws<Exception>(() => engine.Predict(Weighted(F, length))), length, "ObjectiveWeights", expected: 2);
        }
    }

    [TestMethod]
    public void AListwiseModelRefusesAWrongLengthRowInAGroup()
    {
        var ml = new MLContext(1);
        var model = ListwiseScoringTests.Model(TransformerConditioning.Kinds.First());
        foreach (int length in WrongLengths)
        {
            var rows = Enumerable.Range(0, 6).Select(i => new RankingRow { Features = Filled(i == 4 ? length : F, 0.5f), QueryId = (uint)(i / 3) }).ToList();
            var e = Assert.Throws<Exception>(() => SyntheticRanking.Scores(model.Transform(SyntheticRanking.Load(ml, rows))), $"{length} values");
            AssertLengthError(e, length);
            Assert.Contains("row 4", e.Message);
        }
    }
}
