using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Tests.Evaluation;

[TestClass]
public class TradeOffPickerTests
{
    private static (MLContext Ml, HyperDpoRankingTransformer Model, IDataView Validation) Fitted()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticRanking.Load(ml, SyntheticRanking.Rows(60, 8, 16, seed: 1));
        var validation = SyntheticRanking.Load(ml, SyntheticRanking.Rows(30, 8, 16, seed: 3));
        return (ml, ml.Ranking.Trainers.HyperDpo(SyntheticRanking.FastOptions(epochs: 8)).Fit(train), validation);
    }

    [TestMethod]
    public void MaximisesThePrimaryObjectiveAmongThePointsThatMeetTheConstraints()
    {
        var (ml, model, validation) = Fitted();
        var profile = ParetoProfiler.Profile(ml, model, validation);
        // A requirement on B halfway between its worst and best grid values, so some points meet it and some do not.
        var b = profile.Points.Select(p => p.Ndcg[1][9]).ToArray();
        double minimum = (b.Min() + b.Max()) / 2;
        var constraint = new NdcgConstraint(SyntheticRanking.LabelB, minimum);

        var choice = TradeOffPicker.Pick(ml, model, validation, SyntheticRanking.LabelA, new[] { constraint });

        var feasible = profile.Points.Where(p => p.Ndcg[1][9] >= minimum).ToList();
        Assert.AreEqual(feasible.Count, choice.FeasibleCount);
        Assert.IsLessThan(profile.Points.Count, choice.FeasibleCount, "the constraint must exclude some points for the test to mean anything");
        Assert.IsGreaterThanOrEqualTo(minimum, choice.Validation.Ndcg[1][9]);
        Assert.AreEqual(feasible.Max(p => p.Ndcg[0][9]), choice.Validation.Ndcg[0][9], 1e-12);
        CollectionAssert.AreEqual(choice.Weights, choice.Model.ObjectiveWeights.ToArray(), "the returned model ranks at the chosen weights");
        Assert.AreEqual(SyntheticRanking.Ndcg(ml, choice.Model.Transform(validation), SyntheticRanking.LabelA), choice.Validation.Ndcg[0][9], 1e-12);
    }

    [TestMethod]
    public void WithoutConstraintsTakesThePrimaryObjectivesBestPoint()
    {
        var (ml, model, validation) = Fitted();

        var choice = TradeOffPicker.Pick(ml, model, validation, SyntheticRanking.LabelB, Array.Empty<NdcgConstraint>());

        Assert.AreEqual(choice.ValidationProfile.Points.Count, choice.FeasibleCount);
        Assert.AreEqual(choice.ValidationProfile.Points.Max(p => p.Ndcg[1][9]), choice.Validation.Ndcg[1][9], 1e-12);
    }

    [TestMethod]
    public void SaysWhichConstraintNoPointMeetsAndTheBestItReaches()
    {
        // Weights (1, 0), (0.5, 0.5), (0, 1); B never reaches 0.8.
        var points = new[] { Point(1f, 0.9, 0.2), Point(0.5f, 0.6, 0.4), Point(0f, 0.3, 0.5) };
        var profile = ParetoProfiler.FromPoints(new[] { "A", "B" }, points);
        HyperDpoRankingTransformer ModelAt(float[] w) => throw new AssertFailedException("no model is built without a solution");

        var error = Assert.ThrowsExactly<InvalidOperationException>(() =>
            TradeOffPicker.Pick(profile, ModelAt, "A", new[] { new NdcgConstraint("A", 0.5), new NdcgConstraint("B", 0.8, K: 5) }));

        StringAssert.Contains(error.Message, "No weight vector of the 3-point validation grid meets every constraint");
        StringAssert.Contains(error.Message, "NDCG@5 on 'B' >= 0.8: never met, best 0.5000 at weights (0, 1)");
        StringAssert.Contains(error.Message, "NDCG@10 on 'A' >= 0.5: met");
    }

    [TestMethod]
    public void ConstraintsThatEachHoldSomewhereButNeverTogetherAreReportedToo()
    {
        var (ml, model, validation) = Fitted();
        var profile = ParetoProfiler.Profile(ml, model, validation);
        double bestA = profile.Points.Max(p => p.Ndcg[0][9]), bestB = profile.Points.Max(p => p.Ndcg[1][9]);
        Assert.IsFalse(profile.Points.Any(p => p.Ndcg[0][9] >= bestA && p.Ndcg[1][9] >= bestB), "the corners differ on this data");

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => TradeOffPicker.Pick(profile, w => model.WithObjectiveWeights(w),
            SyntheticRanking.LabelA, new[] { new NdcgConstraint(SyntheticRanking.LabelA, bestA), new NdcgConstraint(SyntheticRanking.LabelB, bestB) }));

        StringAssert.Contains(error.Message, "meets every constraint together");
        StringAssert.Contains(error.Message, $"NDCG@10 on '{SyntheticRanking.LabelB}' >= {bestB.ToString(System.Globalization.CultureInfo.InvariantCulture)}: met");
    }

    [TestMethod]
    public void RejectsUnknownObjectivesAndTruncationsBeyondTheProfile()
    {
        var points = new[] { new WeightedNdcg(new[] { 1f, 0f }, new[] { new double[10], new double[10] }) };
        var profile = ParetoProfiler.FromPoints(new[] { "A", "B" }, points);
        HyperDpoRankingTransformer ModelAt(float[] w) => throw new AssertFailedException("no model is needed before the checks pass");

        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => TradeOffPicker.Pick(profile, ModelAt, "C", Array.Empty<NdcgConstraint>())).Message, "'C' is not an objective");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => TradeOffPicker.Pick(profile, ModelAt, "A", new[] { new NdcgConstraint("B", 0.5, K: 20) })).Message, "NDCG@20");
    }

    [TestMethod]
    [DataRow("NDCG@10 on PageRank >= 0.70", "PageRank", 0.70, 10)]
    [DataRow("PageRank@5>=0.7", "PageRank", 0.7, 5)]
    [DataRow("UrlLength >= .5", "UrlLength", 0.5, 10)]
    public void ParsesTheWrittenForms(string text, string objective, double minimum, int k)
    {
        Assert.AreEqual(new NdcgConstraint(objective, minimum, k), NdcgConstraint.Parse(text));
    }

    [TestMethod]
    public void RejectsAnUnreadableConstraint()
    {
        var error = Assert.ThrowsExactly<FormatException>(() => NdcgConstraint.Parse("PageRank > 0.7"));
        StringAssert.Contains(error.Message, "'PageRank > 0.7'");
    }

    private static WeightedNdcg Point(float w, double a, double b) =>
        new(new[] { w, 1 - w }, new[] { Enumerable.Repeat(a, 10).ToArray(), Enumerable.Repeat(b, 10).ToArray() });
}
