using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Tests.Evaluation;

[TestClass]
public class ChanceNdcgTests
{
    private sealed class LabelledRow
    {
        public float First { get; set; }
        public float Second { get; set; }
        public float Score { get; set; }
        public uint QueryId { get; set; }
    }

    private static IDataView Load(MLContext ml, IEnumerable<LabelledRow> rows)
    {
        var view = ml.Data.LoadFromEnumerable(rows);
        return ml.Transforms.Conversion.MapValueToKey("GroupId", nameof(LabelledRow.QueryId)).Fit(view).Transform(view);
    }

    private static IEnumerable<LabelledRow> Query(uint id, float[] first, float[] second) =>
        first.Select((label, i) => new LabelledRow { First = label, Second = second[i], QueryId = id });

    [TestMethod]
    public void EqualsTheExpectedNdcgOfARandomRankingComputedByHand()
    {
        // Query 1: grades 2, 0, 1 (gains 7, 0, 3); query 2: no relevant document (NDCG 0, averaged in); query 3: grades 1, 0, 0, 0.
        // In a random order each of the first two positions holds a document drawn uniformly, so E[DCG@2] = mean gain x (1/ln 2 + 1/ln 3).
        var ml = new MLContext(seed: 1);
        var data = Load(ml, Query(1, [2, 0, 1], [0, 0, 4]).Concat(Query(2, [0, 0], [1, 0])).Concat(Query(3, [1, 0, 0, 0], [0, 0, 0, 0])));

        double d = 1 / Math.Log(2) + 1 / Math.Log(3);
        double query1 = 10.0 / 3 * d / (7 / Math.Log(2) + 3 / Math.Log(3));
        double query3 = 0.75 * d / (3 / Math.Log(2));
        // Second objective: query 1 gains 0, 0, 31 (ideal 31 / ln 2); query 2 gains 3, 0 (both positions fit, E[DCG@2] = 1.5 x d); query 3 none.
        double second1 = 31.0 / 3 * d / (31 / Math.Log(2));
        double second2 = 1.5 * d / (3 / Math.Log(2));

        double[] chance = ChanceNdcg.Expected(ml, data, ["First", "Second"], truncation: 2);

        Assert.HasCount(2, chance);
        Assert.AreEqual((query1 + 0 + query3) / 3, chance[0], 1e-12);
        Assert.AreEqual((second1 + second2 + 0) / 3, chance[1], 1e-12);
    }

    [TestMethod]
    public void EqualsMlNetsNdcgAveragedOverEveryOrderOfEachQuery()
    {
        // Each query's documents are scored in every one of their n! orders, each order its own group, and ML.NET's evaluator
        // averages NDCG@k over those groups: the exact mean over random rankings, measured by ML.NET itself.
        var random = new Random(5);
        var queries = Enumerable.Range(0, 6).Select(q => Enumerable.Range(0, random.Next(1, 6)).Select(_ => (float)random.Next(0, 5)).ToArray()).ToArray();
        queries[2] = [0, 0, 0];
        var ml = new MLContext(seed: 1);
        var data = Load(ml, queries.SelectMany((labels, q) => Query((uint)q + 1, labels, labels)));

        for (int k = 1; k <= 4; k++)
        {
            double expected = queries.Average(labels =>
            {
                var rows = new List<LabelledRow>();
                uint group = 0;
                foreach (int[] order in Permutations(labels.Length))
                {
                    group++;
                    for (int i = 0; i < labels.Length; i++)
                        rows.Add(new LabelledRow { First = labels[i], Score = labels.Length - order[i], QueryId = group });
                }
                return ml.Ranking.Evaluate(Load(ml, rows), new Microsoft.ML.Data.RankingEvaluatorOptions { DcgTruncationLevel = k }, "First", "GroupId", "Score")
                    .NormalizedDiscountedCumulativeGains[k - 1];
            });

            Assert.AreEqual(expected, ChanceNdcg.Expected(ml, data, ["First"], truncation: k)[0], 1e-9, $"NDCG@{k}");
        }
    }

    [TestMethod]
    public void ByQueryIsEachQuerysNdcgAveragedOverEveryOrderOfItsDocuments()
    {
        // Two queries of three documents; each query's expected NDCG@2 is its NDCG@2 averaged over the 3! = 6 orders, enumerated here
        // in float64 with ML.NET's gains (grade g: 0, 3, 7, 15, 31) and discounts 1 / ln(position + 1). Query 2 has no positive
        // label on the second objective: 0. Expected is the mean of the two.
        double[] gains = [0, 3, 7, 15, 31];
        double Ndcg2(int[] grades, int[] order)
        {
            double Dcg(IEnumerable<int> ranked) => ranked.Take(2).Select((g, p) => gains[g] / Math.Log(p + 2)).Sum();
            double ideal = Dcg(grades.OrderDescending());
            return ideal == 0 ? 0 : Dcg(order.Select(i => grades[i])) / ideal;
        }
        double ByEnumeration(int[] grades) => Permutations(grades.Length).Average(order => Ndcg2(grades, order));
        int[][] first = [[2, 0, 1], [1, 1, 0]], second = [[0, 0, 4], [0, 0, 0]];
        var ml = new MLContext(seed: 1);
        var data = Load(ml, Query(1, [2, 0, 1], [0, 0, 4]).Concat(Query(2, [1, 1, 0], [0, 0, 0])));

        double[][] byQuery = ChanceNdcg.ByQuery(ml, data, ["First", "Second"], truncation: 2);

        Assert.HasCount(2, byQuery);
        for (int q = 0; q < 2; q++)
        {
            Assert.AreEqual(ByEnumeration(first[q]), byQuery[0][q], 1e-12, $"first objective, query {q + 1}");
            Assert.AreEqual(ByEnumeration(second[q]), byQuery[1][q], 1e-12, $"second objective, query {q + 1}");
        }
        Assert.AreEqual(0, byQuery[1][1]);
        double[] expected = ChanceNdcg.Expected(ml, data, ["First", "Second"], truncation: 2);
        Assert.AreEqual((byQuery[0][0] + byQuery[0][1]) / 2, expected[0], 1e-15);
        Assert.AreEqual((byQuery[1][0] + byQuery[1][1]) / 2, expected[1], 1e-15);
        // A resample that draws query 1 twice and query 2 not at all has query 1's chance NDCG as its chance point.
        CollectionAssert.AreEqual(new[] { byQuery[0][0], byQuery[1][0] }, ChanceNdcg.Point(byQuery, [2, 0]));
    }

    [TestMethod]
    public void RefusesGroupsThatAreNotContiguousAndATruncationBelowOne()
    {
        var ml = new MLContext(seed: 1);
        var shuffled = Load(ml, Query(1, [1, 0], [1, 0]).Concat(Query(2, [2], [2])).Concat(Query(1, [0], [0])));
        var error = Assert.ThrowsExactly<ArgumentException>(() => ChanceNdcg.Expected(ml, shuffled, ["First"]));
        StringAssert.Contains(error.Message, "contiguous");

        var data = Load(ml, Query(1, [1, 0], [1, 0]));
        var truncation = Assert.ThrowsExactly<ArgumentException>(() => ChanceNdcg.Expected(ml, data, ["First"], truncation: 0));
        StringAssert.Contains(truncation.Message, "truncation");
    }

    private static IEnumerable<int[]> Permutations(int n)
    {
        if (n == 0)
        {
            yield return [];
            yield break;
        }
        foreach (int[] rest in Permutations(n - 1))
            for (int at = 0; at <= rest.Length; at++)
                yield return [.. rest[..at], n - 1, .. rest[at..]];
    }
}
