using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Comparison;
using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Tests.Comparison;

/// <summary>Each method of the comparison, trained and measured on a small slice of MQ2008.</summary>
[TestClassWithSkipReasons]
public class BaselineTests
{
    /// <summary>Every method of the registry, with the small trainer options of the slice.</summary>
    private static IReadOnlyList<FrontMethod> Registered => FrontMethods.All(Mq2008Slice.FastDpo);

    /// <summary>One row per registered method: a method added to <see cref="FrontMethods.All"/> is tested with no edit here but its fit count.</summary>
    public static IEnumerable<object[]> MethodKeys => Registered.Select(m => new object[] { m.Key });

    /// <summary>
    /// Fits per split on two objectives and a grid of three weights, counted by hand: one network; one per weight; one per
    /// objective; the network and its references (one per objective, or the one conditioned model).
    /// </summary>
    private static readonly Dictionary<string, int> ExpectedFits = new()
    {
        [FrontMethodKeys.HyperDpo] = 1,
        [FrontMethodKeys.HyperDpoOnLambdaMart] = 3,
        [FrontMethodKeys.DpoLinearScalarization] = 3,
        [FrontMethodKeys.DpoSoup] = 2,
        [FrontMethodKeys.FastTree] = 3,
        [FrontMethodKeys.LightGbm] = 3,
        [FrontMethodKeys.FastTreeSoup] = 2,
        [FrontMethodKeys.FastTreeConditioned] = 1,
        [FrontMethodKeys.FastTreeConditionedStochastic] = 1,
        [FrontMethodKeys.HyperDpoOnConditionedLambdaMart] = 2,
    };

    [TestMethod]
    [DynamicData(nameof(MethodKeys))]
    public void RunsOnASliceOfRealDataAndTracesAFront(string key)
    {
        var method = Registered.Single(m => m.Key == key);
        string name = method.Name;
        Assert.IsTrue(ExpectedFits.TryGetValue(key, out int fits), $"No expected fit count for method '{key}': add it to {nameof(ExpectedFits)}.");
        var (ml, split) = Mq2008Slice.Load();
        int reported = 0;
        var options = new ParetoComparisonOptions { LabelColumnNames = Mq2008Slice.Objectives, Methods = new[] { method }, GridDivisions = 2 };

        var result = ParetoComparison.Run(ml, new[] { split }, options, new SynchronousProgress<ComparisonProgress>(_ => reported++));

        var run = result.Runs.Single();
        Assert.AreEqual(name, run.Method);
        Assert.AreEqual(fits, run.Fits);
        Assert.AreEqual(method.FitCount(Mq2008Slice.Objectives.Length, 3) + 1, reported, "one report per planned fit and one for the evaluation");
        Assert.HasCount(3, run.TestProfile.Points);
        Assert.IsGreaterThan(TimeSpan.Zero, run.TrainingTime);
        Assert.IsGreaterThan(0.1, run.TestProfile.Hypervolume, "a trained ranker is far from the origin on both objectives");
        foreach (var point in run.TestProfile.Points)
            foreach (double[] ndcg in point.Ndcg)
                Assert.IsTrue(ndcg.All(v => v is >= 0 and <= 1), string.Join(", ", ndcg));
        // Relevance is best at (1, 0) and PageRank at (0, 1): every method trades one for the other.
        var corners = (First: run.TestProfile.Points[0], Last: run.TestProfile.Points[^1]);
        Assert.IsGreaterThan(corners.Last.Ndcg[0][9], corners.First.Ndcg[0][9], $"{name}: relevance NDCG@10 at (1,0) vs (0,1)");
        Assert.IsGreaterThan(corners.First.Ndcg[1][9], corners.Last.Ndcg[1][9], $"{name}: PageRank NDCG@10 at (0,1) vs (1,0)");
    }

    [TestMethod]
    public void TheScoreSoupsCornerRanksLikeItsSingleObjectiveModel()
    {
        var (ml, split) = Mq2008Slice.Load();
        var soup = new LambdaMartScoreSoup().Fit(new FrontFitContext(ml, split, Mq2008Slice.Objectives, "Features", "GroupId", SimplexLattice.Points(2, 2), 1, null));
        var alone = ml.Ranking.Trainers.FastTree(labelColumnName: "PageRank").Fit(split.Train);

        double soupNdcg = SyntheticRanking.Ndcg(ml, soup.ModelAt(new[] { 0f, 1f }).Transform(split.Test), "PageRank");
        double aloneNdcg = SyntheticRanking.Ndcg(ml, alone.Transform(split.Test), "PageRank");

        // Standardising is increasing and affine, so the order, and NDCG, are the single model's.
        Assert.AreEqual(aloneNdcg, soupNdcg, 1e-9);
        Assert.AreEqual(2, soup.Fits);
    }

    [TestMethod]
    public void TheConditionedModelReadsTheWeightsAndItsLabelAggregation()
    {
        var (ml, split) = Mq2008Slice.Load();
        var grid = SimplexLattice.Points(2, 2);
        float[] Scores(ConditionedLambdaMart method, float[] w) =>
            method.Fit(new FrontFitContext(ml, split, Mq2008Slice.Objectives, "Features", "GroupId", grid, 3, null)).ModelAt(w).Transform(split.Test).GetColumn<float>("Score").ToArray();

        var linear = new ConditionedLambdaMart(copies: 4);
        var atRelevance = Scores(linear, new[] { 1f, 0f });
        var atPageRank = Scores(linear, new[] { 0f, 1f });
        CollectionAssert.AreNotEqual(atRelevance, atPageRank, "one model, different rankings for different w");
        CollectionAssert.AreEqual(atRelevance, Scores(linear, new[] { 1f, 0f }), "the same seed gives the same model");
        CollectionAssert.AreNotEqual(atRelevance, Scores(new ConditionedLambdaMart(copies: 4, aggregation: LabelAggregation.Stochastic), new[] { 1f, 0f }),
            "stochastic aggregation trains on other grades");
        Assert.IsTrue(linear.UsesSeed, "the Dirichlet draws follow the seed");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ConditionedLambdaMart(copies: 0));
    }

    [TestMethod]
    public void OneModelPerWeightMethodsRejectWeightsOffTheirGrid()
    {
        var (ml, split) = Mq2008Slice.Load();
        var fitted = new ScalarisedLambdaMart(LambdaMartLibrary.LightGbm).Fit(
            new FrontFitContext(ml, split, Mq2008Slice.Objectives, "Features", "GroupId", new[] { new[] { 1f, 0f } }, 1, null));

        var error = Assert.ThrowsExactly<ArgumentException>(() => fitted.ModelAt(new[] { 0.5f, 0.5f }));
        StringAssert.Contains(error.Message, "none was trained for (0.5, 0.5)");
    }
}
