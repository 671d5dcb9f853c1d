using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Tests.Evaluation;

[TestClass]
public class ListNdcgTests
{
    private sealed class ScoredRow
    {
        public float Label { get; set; }
        public float Score { get; set; }
        public uint QueryId { get; set; }
    }

    [TestMethod]
    public void MeanEqualsMlNetRankingEvaluatorAtEveryTruncation()
    {
        // Contiguous groups of 1..25 documents; labels 0..4 (some lists have only 0s); scores rounded to one
        // decimal so that many documents tie, including ties between different labels.
        var random = new Random(7);
        var rows = new List<ScoredRow>();
        var starts = new List<int> { 0 };
        int listsWithoutRelevant = 0;
        for (uint q = 0; q < 60; q++)
        {
            int docs = q == 0 ? 1 : random.Next(1, 26);
            bool noRelevant = q % 7 == 3;
            if (noRelevant) listsWithoutRelevant++;
            for (int d = 0; d < docs; d++)
                rows.Add(new ScoredRow
                {
                    Label = noRelevant ? 0 : random.Next(0, 5),
                    Score = MathF.Round((float)random.NextDouble(), 1),
                    QueryId = q + 1,
                });
            starts.Add(rows.Count);
        }
        Assert.IsGreaterThan(5, listsWithoutRelevant);
        Assert.IsTrue(Enumerable.Range(0, starts.Count - 1).Any(i =>
            rows.Skip(starts[i]).Take(starts[i + 1] - starts[i]).GroupBy(r => r.Score).Any(g => g.Select(r => r.Label).Distinct().Count() > 1)),
            "The data must contain ties in score between documents of different labels.");

        var mlContext = new MLContext(seed: 1);
        var view = mlContext.Data.LoadFromEnumerable(rows);
        view = mlContext.Transforms.Conversion.MapValueToKey("GroupId", nameof(ScoredRow.QueryId)).Fit(view).Transform(view);
        var metrics = mlContext.Ranking.Evaluate(view, "Label", "GroupId", "Score");
        Assert.HasCount(10, metrics.NormalizedDiscountedCumulativeGains);

        float[] scores = rows.Select(r => r.Score).ToArray();
        for (int k = 1; k <= 10; k++)
        {
            double ours = ListNdcg.Mean(scores, r => rows[r].Label, starts.ToArray(), k);
            Assert.AreEqual(metrics.NormalizedDiscountedCumulativeGains[k - 1], ours, 1e-6, $"NDCG@{k}");
        }
    }

    [TestMethod]
    public void UsesMlNetDefaultGainsNotTwoToTheLabelMinusOne()
    {
        // Label 1 ranked above label 4: NDCG@1 = gain(1) / gain(4) = 3 / 31 with ML.NET's gains 0,3,7,15,31
        // (2^label - 1 would give 1 / 15).
        float[] scores = { 0.9f, 0.1f };
        float[] labels = { 1, 4 };
        Assert.AreEqual(3.0 / 31, ListNdcg.Mean(scores, r => labels[r], new[] { 0, 2 }, 1), 1e-12);
    }

    [TestMethod]
    public void TiesAreOrderedWorstLabelFirst()
    {
        // Two documents with the same score, labels 2 and 0: the pessimistic order puts the 0 first,
        // NDCG@1 = 0 and NDCG@2 = (7 / ln 3) / (7 / ln 2) = ln 2 / ln 3.
        float[] scores = { 0.5f, 0.5f };
        float[] labels = { 2, 0 };
        int[] starts = { 0, 2 };
        Assert.AreEqual(0, ListNdcg.Mean(scores, r => labels[r], starts, 1), 1e-12);
        Assert.AreEqual(Math.Log(2) / Math.Log(3), ListNdcg.Mean(scores, r => labels[r], starts, 2), 1e-12);
    }
}
