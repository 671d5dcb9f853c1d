using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Language.Data;
using Microsoft.ML.HyperDpo.Language.Evaluation;
using Microsoft.ML.HyperDpo.Language.Persistence;
using Microsoft.ML.HyperDpo.Language.Scoring;
using Microsoft.ML.HyperDpo.Language.Training;

namespace Microsoft.ML.HyperDpo.Tests.Language;

[TestClass]
public class ResponseRankingEstimatorTests
{
    private sealed class Row
    {
        public string Prompt { get; set; }

        public string[] Responses { get; set; }

        [VectorType]
        public float[] @short { get; set; }

        [VectorType]
        public float[] yes { get; set; }
    }

    [TestMethod]
    public void FitAlignsAndTheTransformerScoresEveryResponseAtItsWeightsAndSavesThroughTheModelFile()
    {
        var lists = AlignmentTests.SyntheticLists(12, 7);
        var rows = lists.Select(l => new Row
        {
            Prompt = l.Prompt, Responses = l.Responses.ToArray(),
            @short = l.Scores["short"].Select(v => (float)v).ToArray(), yes = l.Scores["yes"].Select(v => (float)v).ToArray(),
        }).ToList();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var (model, tokenizer) = AlignmentTests.TinyModel(lists);
        var options = new LanguageAlignmentOptions { Objectives = new[] { "short", "yes" }, PromptLength = 2, HiddenSize = 8, MaxPromptTokens = 12, MaxResponseTokens = 16, Steps = 3, ListsPerStep = 2 };
        var estimator = new ResponseRankingEstimator(ml, model, tokenizer, options);
        var shape = estimator.GetOutputSchema(MlNetInternals.ShapeOf(data.Schema));
        Assert.IsTrue(shape.Any(c => c.Name == "Score"));

        var transformer = estimator.Fit(data);
        var atShort = transformer.WithObjectiveWeights(1f, 0f);
        var scored = atShort.Transform(data);
        var scores = scored.GetColumn<float[]>("Score").ToList();
        Assert.AreEqual(rows.Count, scores.Count);
        Assert.IsTrue(scores.All(s => s.Length == 4));
        // The column equals the model's implicit rewards at those weights.
        var expected = transformer.Model.ImplicitRewards(lists, new[] { 1f, 0f });
        for (int i = 0; i < rows.Count; i++)
            CollectionAssert.AreEqual(expected[i], scores[i], new ToleranceComparer(1e-4f));
        var atYes = transformer.WithObjectiveWeights(0f, 1f).Transform(data).GetColumn<float[]>("Score").ToList();
        Assert.IsTrue(atYes.Zip(scores).Any(p => p.First.Zip(p.Second).Any(q => Math.Abs(q.First - q.Second) > 1e-5)), "the weights change the scores");
        Assert.ThrowsExactly<ArgumentException>(() => transformer.WithObjectiveWeights(0.5f, 0.6f));

        string dir = Directory.CreateTempSubdirectory("aligned-").FullName;
        try
        {
            AlignedModelFile.Save(dir, transformer.Model);
            var loaded = AlignedModelFile.Load(dir);
            var again = loaded.ImplicitRewards(lists, new[] { 1f, 0f });
            for (int i = 0; i < lists.Count; i++)
                CollectionAssert.AreEqual(expected[i], again[i], new ToleranceComparer(1e-5f));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void AMissingObjectiveColumnIsNamed()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new { Prompt = "p", Responses = new[] { "a", "b" } } });
        var lists = AlignmentTests.SyntheticLists(2, 1);
        var (model, tokenizer) = AlignmentTests.TinyModel(lists);
        var estimator = new ResponseRankingEstimator(ml, model, tokenizer, new LanguageAlignmentOptions { Objectives = new[] { "short" } });
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        StringAssert.Contains(e.Message, "'short'");
    }

    [TestMethod]
    public void KendallTauBAndTheSignTestMatchHandValues()
    {
        // x = (1, 2, 3, 4), y = (1, 3, 2, 4): 5 concordant, 1 discordant pair of 6.
        Assert.AreEqual(4.0 / 6, RankCorrelation.KendallTauB(new double[] { 1, 2, 3, 4 }, new double[] { 1, 3, 2, 4 })!.Value, 1e-12);
        // y = (2, 1, 1, 4): C = 3, D = 2, one pair tied in y of P = 6: (3 - 2) / sqrt(6 * 5).
        Assert.AreEqual(1 / Math.Sqrt(30), RankCorrelation.KendallTauB(new double[] { 1, 2, 3, 4 }, new double[] { 2, 1, 1, 4 })!.Value, 1e-12);
        Assert.IsNull(RankCorrelation.KendallTauB(new double[] { 1, 2 }, new double[] { 5, 5 }));
        // 9 of 10: P(X >= 9) = 11 / 1024, two-sided 22 / 1024.
        Assert.AreEqual(22.0 / 1024, SignTest.TwoSidedPValue(9, 1), 1e-12);
        Assert.AreEqual(1.0, SignTest.TwoSidedPValue(5, 5), 1e-12);
    }

    private sealed class ToleranceComparer(float tolerance) : System.Collections.IComparer
    {
        public int Compare(object x, object y) => Math.Abs((float)x - (float)y) <= tolerance ? 0 : ((float)x).CompareTo((float)y);
    }
}
