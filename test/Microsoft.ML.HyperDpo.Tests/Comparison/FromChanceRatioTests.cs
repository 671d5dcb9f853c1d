using Microsoft.ML.HyperDpo.Comparison;
using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Tests.Comparison;

/// <summary>The ratio to the soup of the hypervolume from chance, with the chance point resampled with the test queries.</summary>
[TestClass]
public class FromChanceRatioTests
{
    private static readonly string[] Objectives = ["First", "Second"];
    private static readonly float[][] Grid = [[1f, 0f], [0.5f, 0.5f], [0f, 1f]];

    /// <summary>Each query's chance NDCG@1: query 1 (0.1, 0.2), query 2 (0.3, 0.1); [objective][query].</summary>
    private static readonly double[][] Chance = [[0.1, 0.3], [0.2, 0.1]];

    /// <summary>The front's shape above chance: hypervolume 0.4 x 0.1 + 0.3 x (0.3 - 0.1) + 0.1 x (0.4 - 0.3) = 0.11.</summary>
    private static readonly (double First, double Second)[] Shape = [(0.4, 0.1), (0.3, 0.3), (0.1, 0.4)];

    /// <summary>A run whose NDCG@1 on query q at grid point p is query q's chance NDCG plus <paramref name="scale"/> times the shape's point p.</summary>
    private static MethodRun Run(string key, string name, double scale)
    {
        var options = new ParetoProfileOptions { NdcgAt = 1, Weights = Grid };
        double[][][] values = Shape.Select(s => new[]
        {
            Chance[0].Select(c => c + scale * s.First).ToArray(),
            Chance[1].Select(c => c + scale * s.Second).ToArray(),
        }).ToArray();
        var points = values.Select((v, p) => new WeightedNdcg(Grid[p], [[v[0].Average()], [v[1].Average()]])).ToList();
        return new MethodRun(key, name, "F1", ParetoProfiler.FromPoints(Objectives, points, options), TimeSpan.FromSeconds(1), 1)
        {
            Seed = key == "fasttree-soup" ? null : 1,
            Queries = new QueryNdcg(values, ndcgAt: 1),
        };
    }

    [TestMethod]
    public void TheChancePointIsRecomputedFromTheSameDrawnQueriesAsTheFronts()
    {
        // On any resample of the two queries, both fronts are the drawn queries' mean chance point plus 1.2 x (method) or 1 x (soup)
        // the shape, and that mean chance point is the resample's chance point: the hypervolumes from it are 1.2^2 x 0.11 and 0.11,
        // so every replicate of the ratio is 1.44 and the interval is [1.44, 1.44]. A chance point fixed at the full sample's would
        // make the ratio move with the resample, as the ratio from the origin does.
        var soup = Run("fasttree-soup", "FastTree score soup", 1.0);
        var method = Run("hyperdpo", "HyperDPO", 1.2);
        var grid = new ParetoProfileOptions { NdcgAt = 1, Weights = Grid };
        var result = new ComparisonResult(Objectives, Grid, ["F1"], [("hyperdpo", "HyperDPO"), ("fasttree-soup", "FastTree score soup")], [method, soup],
            grid, TimeSpan.FromSeconds(2), [1], bootstrapReplicates: 400, bootstrapSeed: 7, chanceByQuery: [Chance]);

        CollectionAssert.AreEqual(new[] { 0.2, 0.15 }, result.ChancePoints[0].Select(x => Math.Round(x, 12)).ToArray(), "the mean of the two queries");
        Assert.AreEqual(0.11, result.HypervolumeFromChance(soup), 1e-12);
        Assert.AreEqual(0.11 * 1.44, result.HypervolumeFromChance(method), 1e-12);

        var ratio = result.Ratios.Single().HypervolumeFromChance!;
        Assert.AreEqual(1.44, ratio.Interval.Estimate, 1e-9);
        Assert.AreEqual(1.44, ratio.Interval.Lower, 1e-9);
        Assert.AreEqual(1.44, ratio.Interval.Upper, 1e-9);
        Assert.AreEqual(1.44, ratio.Lowest, 1e-9);
        Assert.IsTrue(ratio.Significant);
        var origin = result.Ratios.Single().Hypervolume.Interval;
        Assert.IsGreaterThan(1e-3, origin.Upper - origin.Lower, "from the origin, the ratio depends on which queries are drawn");

        string md = ComparisonMarkdown.Significance(result);
        StringAssert.Contains(md, "| hypervolume from chance / soup's |");
        StringAssert.Contains(md, "| 1.440x [1.440x, 1.440x], **significantly above** |");
    }

    [TestMethod]
    public void ABaselineWithNoVolumeAboveChanceLeavesTheRatioFromChanceUndefinedNotAFailure()
    {
        // The soup at exactly each query's chance NDCG (scale 0): its volume from chance is 0 on every resample, a ratio to 0.
        var soup = Run("fasttree-soup", "FastTree score soup", 0.0);
        var method = Run("hyperdpo", "HyperDPO", 1.2);
        var result = new ComparisonResult(Objectives, Grid, ["F1"], [("hyperdpo", "HyperDPO"), ("fasttree-soup", "FastTree score soup")], [method, soup],
            new ParetoProfileOptions { NdcgAt = 1, Weights = Grid }, TimeSpan.FromSeconds(2), [1], bootstrapReplicates: 50, bootstrapSeed: 7,
            chanceByQuery: [Chance]);

        var ratios = result.Ratios.Single();
        Assert.IsNull(ratios.HypervolumeFromChance);
        StringAssert.Contains(ratios.HypervolumeFromChanceNotMeasured, "no volume above chance");
        Assert.IsGreaterThan(1.0, ratios.Hypervolume.Interval.Estimate, "from the origin the ratio is still defined");
        StringAssert.Contains(ComparisonMarkdown.Significance(result), "not measured: the baseline's front has no volume above chance");
    }

    [TestMethod]
    public void WithoutPerQueryChanceNdcgForTheTestQueriesTheRatioFromChanceIsNotMeasured()
    {
        var soup = Run("fasttree-soup", "FastTree score soup", 1.0);
        var method = Run("hyperdpo", "HyperDPO", 1.2);
        // One chance value per objective for a split of two test queries: it cannot be resampled with them.
        var result = new ComparisonResult(Objectives, Grid, ["F1"], [("hyperdpo", "HyperDPO"), ("fasttree-soup", "FastTree score soup")], [method, soup],
            new ParetoProfileOptions { NdcgAt = 1, Weights = Grid }, TimeSpan.FromSeconds(2), [1], bootstrapReplicates: 50, bootstrapSeed: 7,
            chanceByQuery: [[[0.2], [0.15]]]);

        Assert.IsNull(result.Ratios.Single().HypervolumeFromChance);
        StringAssert.Contains(ComparisonMarkdown.Significance(result), "not measured: no per-query chance NDCG for these test queries");
    }
}
