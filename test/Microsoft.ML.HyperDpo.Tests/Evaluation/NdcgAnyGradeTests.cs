using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Tests.Evaluation;

/// <summary>
/// NDCG of grades past ML.NET's default table (0..4), up to 1000: against ML.NET's own evaluator up to grade 4, and against a
/// float64 computation written here, from the definition, beyond.
/// </summary>
[TestClass]
public class NdcgAnyGradeTests
{
    private sealed class ScoredRow
    {
        public float Label { get; set; }
        public float Score { get; set; }
        public uint QueryId { get; set; }
    }

    /// <summary>Contiguous groups of 1..12 documents with grades 0..<paramref name="maxGrade"/> (the top grade present) and distinct scores.</summary>
    private static List<ScoredRow> Rows(int maxGrade, int seed)
    {
        var random = new Random(seed);
        var rows = new List<ScoredRow>();
        for (uint q = 1; q <= 40; q++)
        {
            int docs = random.Next(1, 13);
            for (int d = 0; d < docs; d++)
                rows.Add(new ScoredRow { Label = random.Next(0, maxGrade + 1), Score = (float)random.NextDouble(), QueryId = q });
        }
        rows[0].Label = maxGrade;
        return rows;
    }

    private static IDataView Load(MLContext ml, IEnumerable<ScoredRow> rows)
    {
        var view = ml.Data.LoadFromEnumerable(rows);
        return ml.Transforms.Conversion.MapValueToKey("GroupId", nameof(ScoredRow.QueryId)).Fit(view).Transform(view);
    }

    /// <summary>
    /// Mean NDCG@1..<paramref name="truncation"/> from the definition: gain 0 for grade 0 and 2^(g+1) - 1 above (ML.NET's
    /// 0, 3, 7, 15, 31 continued), discount 1 / ln(position + 1), equal scores worst grade first, NDCG 0 for a group without a
    /// positive grade.
    /// </summary>
    internal static double[] ReferenceNdcg(IReadOnlyList<(int Group, int Grade, float Score)> rows, int truncation)
    {
        static double Gain(int grade) => grade == 0 ? 0 : Math.ScaleB(1.0, grade + 1) - 1;
        var groups = rows.GroupBy(r => r.Group).ToList();
        var sums = new double[truncation];
        foreach (var g in groups)
        {
            var ranked = g.OrderByDescending(r => r.Score).ThenBy(r => r.Grade).Select(r => r.Grade).ToArray();
            var ideal = g.Select(r => r.Grade).OrderByDescending(x => x).ToArray();
            double dcg = 0, idcg = 0;
            for (int k = 0; k < truncation; k++)
            {
                if (k < ranked.Length)
                {
                    dcg += Gain(ranked[k]) / Math.Log(k + 2);
                    idcg += Gain(ideal[k]) / Math.Log(k + 2);
                }
                sums[k] += idcg > 0 ? dcg / idcg : 0;
            }
        }
        return sums.Select(s => s / groups.Count).ToArray();
    }

    private static double[] ReferenceNdcg(IEnumerable<ScoredRow> rows, int truncation = 10) =>
        ReferenceNdcg(rows.Select(r => ((int)r.QueryId, (int)r.Label, r.Score)).ToList(), truncation);

    [TestMethod]
    public void TheReferenceComputationIsMlNetsUpToGrade4()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(4, seed: 3);
        var mlNet = ml.Ranking.Evaluate(Load(ml, rows), "Label", "GroupId", "Score").NormalizedDiscountedCumulativeGains;
        var reference = ReferenceNdcg(rows);
        for (int k = 0; k < 10; k++)
            Assert.AreEqual(mlNet[k], reference[k], 1e-9, $"NDCG@{k + 1}");
        // And so is what the library measures there: ML.NET's default table, unchanged.
        CollectionAssert.AreEqual(mlNet.ToArray(), ObjectiveNdcg.Measure(ml, Load(ml, rows), new[] { "Label" })[0]);
    }

    [TestMethod]
    [DataRow(5)]
    [DataRow(7)]
    [DataRow(10)]
    [DataRow(30)]
    [DataRow(1000)]
    public void ObjectiveNdcgMeasuresGradesPastMlNetsTable(int maxGrade)
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(maxGrade, seed: maxGrade);
        var measured = ObjectiveNdcg.Measure(ml, Load(ml, rows), new[] { "Label" })[0];
        var reference = ReferenceNdcg(rows);
        for (int k = 0; k < 10; k++)
        {
            Assert.IsTrue(double.IsFinite(measured[k]), $"NDCG@{k + 1} is {measured[k]}");
            Assert.AreEqual(reference[k], measured[k], 1e-9, $"NDCG@{k + 1} with grades up to {maxGrade}");
        }
    }

    [TestMethod]
    [DataRow(5)]
    [DataRow(30)]
    [DataRow(1000)]
    public void TheTrainingLoopsNdcgAgreesPastGrade4(int maxGrade)
    {
        var rows = Rows(maxGrade, seed: 11 * maxGrade);
        var starts = new List<int> { 0 };
        for (int i = 1; i < rows.Count; i++)
            if (rows[i].QueryId != rows[i - 1].QueryId) starts.Add(i);
        starts.Add(rows.Count);
        float[] scores = rows.Select(r => r.Score).ToArray();
        var reference = ReferenceNdcg(rows);
        for (int k = 1; k <= 10; k++)
            Assert.AreEqual(reference[k - 1], ListNdcg.Mean(scores, r => rows[r].Label, starts.ToArray(), k), 1e-9, $"NDCG@{k}");
    }

    [TestMethod]
    public void AGradeAbove1000IsRefusedNamingTheColumnAndTheValue()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(4, seed: 5);
        rows[3].Label = 1021;
        var e = Assert.Throws<ArgumentException>(() => ObjectiveNdcg.Measure(ml, Load(ml, rows), new[] { "Label" }));
        StringAssert.Contains(e.Message, "'Label'");
        StringAssert.Contains(e.Message, "1021");
        StringAssert.Contains(e.Message, "above 1000");
    }

    [TestMethod]
    public void ParetoProfileOfAModelTrainedOnGrades0To7_AndItsValidationFigures()
    {
        // Synthetic data graded 0..7: the trainer (with validation) and the public profiler both measure it.
        var ml = new MLContext(seed: 1);
        static List<RankingRow> Graded(int queries, int seed) => SyntheticRanking.Rows(queries, 5, 10, seed).Select(r =>
        {
            r.RelevanceA = Math.Min(7, (int)(8 * r.Features[0]));
            r.RelevanceB = Math.Min(7, (int)(8 * r.Features[1]));
            return r;
        }).ToList();
        var trainRows = Graded(30, 41);
        var validRows = Graded(12, 42);
        Assert.IsTrue(validRows.Any(r => r.RelevanceA == 7) && validRows.Any(r => r.RelevanceB >= 5));
        var valid = SyntheticRanking.Load(ml, validRows);
        var model = ml.Ranking.Trainers.HyperDpo(SyntheticRanking.FastOptions(epochs: 3)).Fit(SyntheticRanking.Load(ml, trainRows), valid);
        Assert.IsTrue(model.TrainingReport!.Epochs.All(e => e.ValidationScore is double v && double.IsFinite(v) && v > 0),
            string.Join(", ", model.TrainingReport.Epochs.Select(e => e.ValidationScore)));

        var profile = ParetoProfiler.Profile(ml, model, valid, new ParetoProfileOptions { Weights = SimplexLattice.Points(2, 2) });
        Assert.HasCount(3, profile.Points);
        foreach (var point in profile.Points)
        {
            var scores = SyntheticRanking.Scores(model.WithObjectiveWeights(point.Weights).Transform(valid));
            for (int objective = 0; objective < 2; objective++)
            {
                var reference = ReferenceNdcg(validRows.Select((r, i) => ((int)r.QueryId, (int)(objective == 0 ? r.RelevanceA : r.RelevanceB), scores[i])).ToList(), 10);
                for (int k = 0; k < 10; k++)
                    Assert.AreEqual(reference[k], point.Ndcg[objective][k], 1e-9, $"objective {objective}, NDCG@{k + 1} at ({string.Join(", ", point.Weights)})");
            }
        }
        Assert.IsGreaterThan(0, profile.Hypervolume);
    }

    [TestMethod]
    public void TrainingOnAGradeAbove1000IsRefusedBeforeAnyEpoch_NotANaNAfterward()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticRanking.Rows(20, 5, 10, seed: 43);
        var valid = SyntheticRanking.Rows(8, 5, 10, seed: 44);
        valid[2].RelevanceB = 1021;
        int epochs = 0;
        var options = SyntheticRanking.FastOptions(epochs: 3);
        options.Runtime.Progress = new SynchronousProgress<TrainingProgress>(_ => epochs++);
        var e = Assert.Throws<InvalidOperationException>(() =>
            ml.Ranking.Trainers.HyperDpo(options).Fit(SyntheticRanking.Load(ml, train), SyntheticRanking.Load(ml, valid)));
        StringAssert.Contains(e.Message, "'RelevanceB'");
        StringAssert.Contains(e.Message, "1021");
        StringAssert.Contains(e.Message, "validation data");
        StringAssert.Contains(e.Message, "above 1000");
        Assert.AreEqual(0, epochs);
    }
}
