using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Tests.Evaluation;

[TestClass]
public class ParetoProfilerTests
{
    private static (MLContext Ml, HyperDpoRankingTransformer Model, IDataView Test) Fitted()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticRanking.Load(ml, SyntheticRanking.Rows(60, 8, 16, seed: 1));
        var test = SyntheticRanking.Load(ml, SyntheticRanking.Rows(30, 8, 16, seed: 2));
        var model = ml.Ranking.Trainers.HyperDpo(SyntheticRanking.FastOptions(epochs: 8)).Fit(train);
        return (ml, model, test);
    }

    [TestMethod]
    public void ProfilesAFittedModelAlongTheLatticeWithMlNetsNdcg()
    {
        var (ml, model, test) = Fitted();

        var profile = ParetoProfiler.Profile(ml, model, test);

        Assert.HasCount(11, profile.Points, "K = 2 defaults to step 1/10");
        CollectionAssert.AreEqual(SyntheticRanking.Labels, profile.Objectives.ToArray());
        Assert.AreEqual(10, profile.NdcgAt);
        for (int p = 0; p < profile.Points.Count; p++)
        {
            var point = profile.Points[p];
            CollectionAssert.AreEqual(SimplexLattice.Points(2, 10)[p], point.Weights);
            Assert.HasCount(10, point.Ndcg[0], "NDCG@1..10 are all kept");
        }

        // Each figure is exactly ML.NET's evaluator on the model set to that weight.
        var corner = model.WithObjectiveWeights(0f, 1f).Transform(test);
        Assert.AreEqual(SyntheticRanking.Ndcg(ml, corner, SyntheticRanking.LabelB), profile.Points[^1].Ndcg[1][9], 1e-12);
        Assert.AreEqual(SyntheticRanking.Ndcg(ml, corner, SyntheticRanking.LabelA, k: 3), profile.Points[^1].Ndcg[0][2], 1e-12);

        // The trade-off is visible: objective A's corner is better on A than B's corner is, and the other way round.
        Assert.IsGreaterThan(profile.Points[^1].Ndcg[0][9], profile.Points[0].Ndcg[0][9]);
        Assert.IsGreaterThan(profile.Points[0].Ndcg[1][9], profile.Points[^1].Ndcg[1][9]);

        var vectors = profile.VectorsAt(10);
        CollectionAssert.AreEqual(ParetoFront.NonDominatedIndices(vectors).ToArray(), profile.FrontIndices.ToArray());
        Assert.AreEqual(Hypervolume.Compute(vectors), profile.Hypervolume, 1e-12);
        Assert.IsTrue(profile.HypervolumeIsExact);
        Assert.AreEqual(0.0, profile.HypervolumeStandardError);
        Assert.IsGreaterThan(TimeSpan.Zero, profile.ScoringTime);
    }

    [TestMethod]
    public void ThreeObjectivesUseTheirLatticeAndAReferencePoint()
    {
        var (ml, model, test) = Fitted();
        // A third objective, graded from noise feature 2: the profiler works on any label columns the data has.
        var third = ml.Transforms.FeatureRankObjective("Noise", featureIndex: 2).Fit(test).Transform(test);
        var options = new ParetoProfileOptions { GridDivisions = 4, ReferencePoint = new[] { 0.1, 0.1, 0.1 } };

        var profile = ParetoProfiler.Profile(ml, w => model.WithObjectiveWeights(w[0] + w[2], w[1]), third,
            new[] { SyntheticRanking.LabelA, SyntheticRanking.LabelB, "Noise" }, options);

        Assert.HasCount(15, profile.Points, "(4 + 1)(4 + 2) / 2");
        CollectionAssert.AreEqual(new[] { 0.1, 0.1, 0.1 }, profile.ReferencePoint.ToArray());
        Assert.AreEqual(Hypervolume.Compute(profile.VectorsAt(10), new[] { 0.1, 0.1, 0.1 }), profile.Hypervolume, 1e-12);
    }

    [TestMethod]
    public void KeepsOnlyNonDominatedPointsAndCountsEachTradeOffOnce()
    {
        // Weight order: (1,0), (0.5,0.5), (0,1), (0.25,0.75).
        var points = new[]
        {
            Point(1.00f, 0.9, 0.2),
            Point(0.50f, 0.6, 0.6),
            Point(0.00f, 0.2, 0.9),
            Point(0.25f, 0.5, 0.5), // dominated by (0.6, 0.6)
            Point(0.75f, 0.6, 0.6), // equal to the second: listed once
        };

        var profile = ParetoProfiler.FromPoints(new[] { "A", "B" }, points);

        CollectionAssert.AreEqual(new[] { 0, 1, 2 }, profile.FrontIndices.ToArray());
        Assert.AreEqual(3, profile.Front.Count());
        // Staircase: 0.9 * 0.2 + (0.6 * 0.6 - 0.6 * 0.2) + (0.2 * 0.9 - 0.2 * 0.6) = 0.18 + 0.24 + 0.06.
        Assert.AreEqual(0.48, profile.Hypervolume, 1e-12);
    }

    [TestMethod]
    public void FourObjectivesGiveAMonteCarloEstimateWithItsErrorWhenExactWouldCostTooMuch()
    {
        var random = new Random(3);
        var points = Enumerable.Range(0, 40).Select(i =>
        {
            var v = Enumerable.Range(0, 4).Select(_ => 0.2 + 0.8 * random.NextDouble()).ToArray();
            return new WeightedNdcg(new float[] { 0.25f, 0.25f, 0.25f, 0.25f }, v.Select(x => Enumerable.Repeat(x, 10).ToArray()).ToArray());
        }).ToList();
        string[] objectives = { "A", "B", "C", "D" };

        var exact = ParetoProfiler.FromPoints(objectives, points);
        var estimate = ParetoProfiler.FromPoints(objectives, points, new ParetoProfileOptions { ExactCostLimit = 10 });

        Assert.IsTrue(exact.HypervolumeIsExact, "40^3 points of cost stay under the default limit");
        Assert.IsFalse(estimate.HypervolumeIsExact);
        Assert.IsGreaterThan(0.0, estimate.HypervolumeStandardError);
        Assert.AreEqual(exact.Hypervolume, estimate.Hypervolume, 4 * estimate.HypervolumeStandardError,
            $"exact {exact.Hypervolume}, estimate {estimate.Hypervolume} ± {estimate.HypervolumeStandardError}");
    }

    [TestMethod]
    public void RejectsAReferenceOfTheWrongLengthAndUnknownColumns()
    {
        var (ml, model, test) = Fitted();

        var reference = Assert.ThrowsExactly<ArgumentException>(() =>
            ParetoProfiler.Profile(ml, model, test, new ParetoProfileOptions { ReferencePoint = new[] { 0.0 } }));
        StringAssert.Contains(reference.Message, "ReferencePoint");

        var column = Assert.ThrowsExactly<ArgumentException>(() =>
            ParetoProfiler.Profile(ml, w => model.WithObjectiveWeights(w), test, new[] { SyntheticRanking.LabelA, "Missing" }));
        StringAssert.Contains(column.Message, "'Missing'");
    }

    private static WeightedNdcg Point(float w, double a, double b) =>
        new(new[] { w, 1 - w }, new[] { Enumerable.Repeat(a, 10).ToArray(), Enumerable.Repeat(b, 10).ToArray() });
}
