using Microsoft.ML.HyperDpo.Comparison;
using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Tests.Comparison;

/// <summary>
/// The target lines of compare's report on hand-made results: one split, one test query, two seeds, NDCG@1 at three weights, so
/// that every ratio, interval and margin can be worked out by hand.
/// </summary>
[TestClass]
public class ComparisonTargetsTests
{
    private static readonly string[] Objectives = ["First", "Second"];
    private static readonly float[][] Grid = [[1f, 0f], [0.5f, 0.5f], [0f, 1f]];

    /// <summary>
    /// The FastTree fronts' points: hypervolume from the origin 0.8 x 0.2 + 0.6 x (0.6 - 0.2) + 0.2 x (0.8 - 0.6) = 0.44. A method at
    /// c times these points on both objectives has 0.44 c^2, so its hypervolume ratio is c^2 and its corner ratios c, whatever the resample.
    /// </summary>
    private static readonly (double First, double Second)[] Trees = [(0.8, 0.2), (0.6, 0.6), (0.2, 0.8)];

    private static MethodRun Run(string key, string name, double scale, int? seed, double seconds, int fits = 1)
    {
        var options = new ParetoProfileOptions { NdcgAt = 1, Weights = Grid };
        var points = Trees.Select((t, p) => new WeightedNdcg(Grid[p], [[t.First * scale], [t.Second * scale]])).ToList();
        // One query: [point][objective][query].
        var queries = new QueryNdcg(Trees.Select(t => new[] { new[] { t.First * scale }, new[] { t.Second * scale } }).ToArray(), ndcgAt: 1);
        return new MethodRun(key, name, "F1", ParetoProfiler.FromPoints(Objectives, points, options), TimeSpan.FromSeconds(seconds), fits) { Seed = seed, Queries = queries };
    }

    /// <summary>HyperDPO on LambdaMART at c1 and c2 (seeds 1, 2), HyperDPO at c (both seeds), and the two FastTree fronts.</summary>
    private static ComparisonResult Result(double onTrees1, double onTrees2, double plain, double onTreesSeconds, bool withFastTree = true, bool withOnTrees = true)
    {
        var methods = new List<(string Key, string Name)> { ("hyperdpo", "HyperDPO"), ("fasttree-soup", "FastTree score soup") };
        var runs = new List<MethodRun>
        {
            Run("hyperdpo", "HyperDPO", plain, 1, 20), Run("hyperdpo", "HyperDPO", plain, 2, 20),
            Run("fasttree-soup", "FastTree score soup", 1, null, 8, fits: 2),
        };
        if (withOnTrees)
        {
            methods.Add(("hyperdpo-lambdamart", "HyperDPO on LambdaMART"));
            runs.Add(Run("hyperdpo-lambdamart", "HyperDPO on LambdaMART", onTrees1, 1, onTreesSeconds, fits: 3));
            runs.Add(Run("hyperdpo-lambdamart", "HyperDPO on LambdaMART", onTrees2, 2, onTreesSeconds, fits: 3));
        }
        if (withFastTree)
        {
            methods.Add(("fasttree", "FastTree"));
            runs.Add(Run("fasttree", "FastTree", 1, null, 40, fits: 3));
        }
        return new ComparisonResult(Objectives, Grid, ["F1"], methods, runs, new ParetoProfileOptions { NdcgAt = 1, Weights = Grid },
            TimeSpan.FromSeconds(100), [1, 2], bootstrapReplicates: 400, bootstrapSeed: 3, chanceByQuery: [[[0.0], [0.0]]]);
    }

    private static T Line<T>(ComparisonResult result) where T : TargetLine => result.Targets.OfType<T>().First();

    [TestMethod]
    public void EveryTargetPassesWhenHyperDpoBeatsTheTreesByEnough()
    {
        // On trees: c = 1.1 and 1.04, ratios 1.21 and 1.0816, mean 1.1458; each resample of the two seeds gives 1.21, 1.1458 or
        // 1.0816, so the interval is [1.0816, 1.21], above 1.0. Corners: c, mean 1.07. HyperDPO: c = 1.2 over FastTree, 1.44.
        var result = Result(1.1, 1.04, plain: 1.2, onTreesSeconds: 30);

        Assert.HasCount(5, result.Targets);
        Assert.IsTrue(result.Targets.All(t => t.Outcome == TargetOutcome.Pass), string.Join("\n", result.Targets.Select(t => $"{t.Outcome} {t.Target}: {t.Figures}")));
        var overSoup = result.Targets.OfType<RatioTarget>().First();
        Assert.AreEqual(1.1458, overSoup.Ratio!.Interval.Estimate, 1e-12);
        Assert.AreEqual(1.0816, overSoup.Ratio.Interval.Lower, 1e-12);
        Assert.AreEqual(1.21, overSoup.Ratio.Interval.Upper, 1e-12);
        var corners = Line<CornerTarget>(result);
        Assert.AreEqual(1.07, corners.Corners![0].Interval.Estimate, 1e-12);
        Assert.AreEqual(1.07, corners.Corners[1].Interval.Estimate, 1e-12);
        var overFastTree = result.Targets.OfType<RatioTarget>().Last();
        Assert.AreEqual(1.44, overFastTree.Ratio!.Interval.Estimate, 1e-12);

        string md = ComparisonMarkdown.Render(result, perWeight: false);
        StringAssert.Contains(md, "- **PASS** HyperDPO on LambdaMART >= 1.03x the FastTree score soup's hypervolume, with its paired 95% interval above 1.0x: 1.146x [1.082x, 1.210x] over 2 runs, 0.1158x above 1.03x; the interval's lower bound 1.0816x is above 1.0x.");
        StringAssert.Contains(md, "- **PASS** no fold x seed run of HyperDPO on LambdaMART below 1.0x the FastTree score soup's hypervolume: 0 of 2 runs below 1.0x; the lowest is 1.0816x, 0.0816x above 1.0x.");
        StringAssert.Contains(md, "First 1.070x [1.040x, 1.100x], Second 1.070x [1.040x, 1.100x], lowest 0.0700x above 1.0x; each objective best at its own corner: pass.");
        StringAssert.Contains(md, "- **PASS** HyperDPO (no references) >= 1.0x the scalarised FastTree front's hypervolume: 1.440x [1.440x, 1.440x] over 2 runs, 0.4400x above 1.0x.");
        StringAssert.Contains(md, "- **PASS** time: one HyperDPO on LambdaMART fit, its reference fits included, <= 1.0x the 3 scalarised FastTree fits of the same run (training seconds per run, mean over runs): 30.0 s / 40.0 s = 0.750x, 0.2500x under 1.0x.");
    }

    [TestMethod]
    public void EveryTargetMissesByHowMuchWhenHyperDpoFallsShort()
    {
        // On trees: c = 1.1 and 0.88, ratios 1.21 and 0.7744, mean 0.9922 (0.0378 short of 1.03); one run below 1.0, the lowest
        // 0.7744 (0.2256 short). Corners: mean c = 0.99. HyperDPO: c = 0.9, 0.81 of FastTree. Time 50 s over 40 s.
        var result = Result(1.1, 0.88, plain: 0.9, onTreesSeconds: 50);

        Assert.IsTrue(result.Targets.All(t => t.Outcome == TargetOutcome.Miss), string.Join("\n", result.Targets.Select(t => $"{t.Outcome} {t.Target}: {t.Figures}")));
        Assert.AreEqual(0.9922, result.Targets.OfType<RatioTarget>().First().Ratio!.Interval.Estimate, 1e-12);
        var below = Line<NoRunBelowTarget>(result);
        Assert.AreEqual(1, below.Ratio!.RunsBelowOne);
        Assert.AreEqual(0.7744, below.Ratio.Lowest, 1e-12);
        Assert.AreEqual(1.25, Line<TimeTarget>(result).Ratio, 1e-12);

        string md = ComparisonMarkdown.Targets(result);
        StringAssert.Contains(md, "- **MISS** HyperDPO on LambdaMART >= 1.03x the FastTree score soup's hypervolume, with its paired 95% interval above 1.0x: 0.992x [0.774x, 1.210x] over 2 runs, 0.0378x short of 1.03x; the interval's lower bound 0.7744x is not above 1.0x.");
        StringAssert.Contains(md, "- **MISS** no fold x seed run of HyperDPO on LambdaMART below 1.0x the FastTree score soup's hypervolume: 1 of 2 runs below 1.0x; the lowest is 0.7744x, 0.2256x short of 1.0x.");
        StringAssert.Contains(md, "lowest 0.0100x short of 1.0x; each objective best at its own corner: pass.");
        StringAssert.Contains(md, "- **MISS** HyperDPO (no references) >= 1.0x the scalarised FastTree front's hypervolume: 0.810x [0.810x, 0.810x] over 2 runs, 0.1900x short of 1.0x.");
        StringAssert.Contains(md, "50.0 s / 40.0 s = 1.250x, 0.2500x over 1.0x.");
    }

    [TestMethod]
    public void AMeanAboveTheTargetMissesWhenTheIntervalReachesOne()
    {
        // c = 1.1 and 1.0: mean (1.21 + 1.0) / 2 = 1.105 >= 1.03, but the resample that draws seed 2 twice gives exactly 1.0, so
        // the interval's lower bound is 1.0: not above it. No run is below 1.0 (the lowest is 1.0 itself).
        var result = Result(1.1, 1.0, plain: 1.2, onTreesSeconds: 30);

        var overSoup = result.Targets.OfType<RatioTarget>().First();
        Assert.AreEqual(1.105, overSoup.Ratio!.Interval.Estimate, 1e-12);
        Assert.AreEqual(1.0, overSoup.Ratio.Interval.Lower, 1e-12);
        Assert.AreEqual(TargetOutcome.Miss, overSoup.Outcome);
        StringAssert.Contains(overSoup.Figures, "0.0750x above 1.03x; the interval's lower bound 1.0000x is not above 1.0x");
        Assert.AreEqual(TargetOutcome.Pass, Line<NoRunBelowTarget>(result).Outcome);
    }

    [TestMethod]
    public void ATargetWhoseMethodsDidNotRunIsNotAvailableAndSaysWhich()
    {
        var result = Result(1.1, 1.04, plain: 1.2, onTreesSeconds: 30, withFastTree: false, withOnTrees: false);

        Assert.HasCount(5, result.Targets);
        Assert.IsTrue(result.Targets.All(t => t.Outcome == TargetOutcome.NotAvailable));
        Assert.IsTrue(result.Targets.All(t => t.Figures == ""));
        string md = ComparisonMarkdown.Targets(result);
        StringAssert.Contains(md, "- not available: HyperDPO on LambdaMART >= 1.03x the FastTree score soup's hypervolume, with its paired 95% interval above 1.0x " +
            "(the run has no hyperdpo-lambdamart (--methods hyperdpo,fasttree-soup,hyperdpo-lambdamart)).");
        StringAssert.Contains(md, "- not available: HyperDPO (no references) >= 1.0x the scalarised FastTree front's hypervolume (the run has no fasttree (--methods hyperdpo,fasttree-soup,fasttree)).");
        StringAssert.Contains(md, "(the run has no hyperdpo-lambdamart and no fasttree (--methods hyperdpo,fasttree-soup,hyperdpo-lambdamart,fasttree)).");

        // With the trees but without the soup, the lines over FastTree are decided and those over the soup are not.
        var noSoup = new ComparisonResult(Objectives, Grid, ["F1"], [("hyperdpo", "HyperDPO"), ("fasttree", "FastTree")],
            [Run("hyperdpo", "HyperDPO", 1.2, 1, 20), Run("fasttree", "FastTree", 1, null, 40, fits: 3)], new ParetoProfileOptions { NdcgAt = 1, Weights = Grid },
            TimeSpan.FromSeconds(100), [1], bootstrapReplicates: 100, bootstrapSeed: 3, chanceByQuery: [[[0.0], [0.0]]]);
        CollectionAssert.AreEqual(new[] { TargetOutcome.NotAvailable, TargetOutcome.NotAvailable, TargetOutcome.NotAvailable, TargetOutcome.Pass, TargetOutcome.NotAvailable },
            noSoup.Targets.Select(t => t.Outcome).ToArray());
    }
}
