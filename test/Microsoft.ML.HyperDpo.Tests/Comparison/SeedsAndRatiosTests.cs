using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Comparison;
using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Tests.Comparison;

/// <summary>Several seeds per split, and the ratios to the FastTree score soup with their intervals, on a slice of MQ2008.</summary>
[TestClass]
public class SeedsAndRatiosTests
{
    private static ComparisonResult HyperDpoAndSoup(int seeds)
    {
        var (ml, split) = Mq2008Slice.Load();
        var options = new ParetoComparisonOptions
        {
            LabelColumnNames = Mq2008Slice.Objectives,
            Methods = new FrontMethod[] { new HyperDpoFront(Mq2008Slice.FastDpo), new LambdaMartScoreSoup() },
            GridDivisions = 2,
            SeedCount = seeds,
            Seed = 4,
            BootstrapReplicates = 400,
        };
        return ParetoComparison.Run(ml, new[] { split, split with { Name = "again" } }, options);
    }

    [TestMethod]
    public void SeededMethodsRunAtEverySeedAndFastTreeOncePerSplit()
    {
        var result = HyperDpoAndSoup(seeds: 2);

        CollectionAssert.AreEqual(new[] { 4, 5 }, result.Seeds.ToArray());
        var hyper = result.Runs.Where(r => r.Key == "hyperdpo").ToList();
        CollectionAssert.AreEqual(new int?[] { 4, 5, 4, 5 }, hyper.Select(r => r.Seed).ToArray());
        var soup = result.Runs.Where(r => r.Key == "fasttree-soup").ToList();
        Assert.HasCount(2, soup, "FastTree draws nothing at random: one fit per split");
        Assert.IsTrue(soup.All(r => r.Seed is null));
        // The two seeds are different fits of the network.
        Assert.AreNotEqual(hyper[0].TestProfile.Points[1].Ndcg[0][9], hyper[1].TestProfile.Points[1].Ndcg[0][9]);
        Assert.AreEqual(hyper.Average(r => r.TestProfile.Hypervolume), result.SummaryByKey("hyperdpo")!.Hypervolume.Mean, 1e-12);
    }

    [TestMethod]
    public void PerQueryNdcgAveragesToMlNetsFigures()
    {
        var result = HyperDpoAndSoup(seeds: 1);

        foreach (var run in result.Runs)
            for (int p = 0; p < result.Grid.Count; p++)
                for (int k = 0; k < result.Objectives.Count; k++)
                    Assert.AreEqual(run.TestProfile.Points[p].Ndcg[k][9], run.Queries!.At(p, k).Average(), 1e-6, $"{run.Method} {run.Split} point {p} objective {k}");
        Assert.IsGreaterThan(10, result.Runs[0].Queries!.QueryCount);
    }

    [TestMethod]
    public void RatiosToTheSoupAreMeansOverRunsWithAnIntervalAroundThem()
    {
        var result = HyperDpoAndSoup(seeds: 2);

        var ratio = result.Ratios.Single();
        Assert.AreEqual("hyperdpo", ratio.Key);
        Assert.AreEqual(4, ratio.Hypervolume.Runs, "2 splits x 2 seeds, each paired with its split's soup");
        var soup = result.Runs.Where(r => r.Key == "fasttree-soup").ToDictionary(r => r.Split);
        var perRun = result.Runs.Where(r => r.Key == "hyperdpo").Select(r => r.TestProfile.Hypervolume / soup[r.Split].TestProfile.Hypervolume).ToList();
        Assert.AreEqual(perRun.Average(), ratio.Hypervolume.Interval.Estimate, 1e-5, "the mean of the per-run ratios of ML.NET's figures");
        Assert.AreEqual(perRun.Min(), ratio.Hypervolume.Lowest, 1e-5);
        Assert.IsLessThanOrEqualTo(ratio.Hypervolume.Interval.Estimate, ratio.Hypervolume.Interval.Lower);
        Assert.IsGreaterThanOrEqualTo(ratio.Hypervolume.Interval.Estimate, ratio.Hypervolume.Interval.Upper);
        Assert.IsLessThan(ratio.Hypervolume.Interval.Upper, ratio.Hypervolume.Interval.Lower, "400 resamples of 2 x 100 queries are not all equal");

        Assert.HasCount(2, ratio.Corners);
        for (int j = 0; j < 2; j++)
        {
            int corner = Enumerable.Range(0, result.Grid.Count).First(p => result.Grid[p][j] == 1f);
            double expected = result.Runs.Where(r => r.Key == "hyperdpo")
                .Average(r => r.TestProfile.Points[corner].Ndcg[j][9] / soup[r.Split].TestProfile.Points[corner].Ndcg[j][9]);
            Assert.AreEqual(expected, ratio.Corners[j].Interval.Estimate, 1e-5, $"corner {j}");
        }

        string md = ComparisonMarkdown.Render(result, perWeight: false);
        StringAssert.Contains(md, "| HyperDPO | 4 | " + ratio.Hypervolume.Interval.ToString("F3", "x"));
        StringAssert.Contains(md, "interval excludes 1.0");
    }

    [TestMethod]
    public void NoSoupNoRatios()
    {
        var (ml, split) = Mq2008Slice.Load();
        var result = ParetoComparison.Run(ml, new[] { split }, new ParetoComparisonOptions
        {
            LabelColumnNames = Mq2008Slice.Objectives,
            Methods = new FrontMethod[] { new ScalarisedLambdaMart(LambdaMartLibrary.FastTree) },
            GridDivisions = 1,
        });

        Assert.IsEmpty(result.Ratios);
        Assert.AreEqual("", ComparisonMarkdown.Significance(result));
    }

    [TestMethod]
    public void FastTreeFitsAreTheSameWhateverTheSeed()
    {
        // What lets the comparison fit the FastTree methods once per split (UsesSeed false): different contexts and seeds, same scores.
        var (_, split) = Mq2008Slice.Load();
        float[] Scores(int seed)
        {
            var ml = new MLContext(seed);
            var fitted = new LambdaMartScoreSoup().Fit(new FrontFitContext(ml, split, Mq2008Slice.Objectives, "Features", "GroupId", SimplexLattice.Points(2, 1), seed, null));
            return fitted.ModelAt(new[] { 0.5f, 0.5f }).Transform(split.Test).GetColumn<float>("Score").ToArray();
        }

        CollectionAssert.AreEqual(Scores(1), Scores(2));
        Assert.IsFalse(new LambdaMartScoreSoup().UsesSeed);
        Assert.IsFalse(new ScalarisedLambdaMart(LambdaMartLibrary.FastTree).UsesSeed);
        Assert.IsTrue(new ScalarisedLambdaMart(LambdaMartLibrary.LightGbm).UsesSeed, "LightGBM is given the seed");
        Assert.IsTrue(new HyperDpoFront().UsesSeed);
    }

    [TestMethod]
    public void TheCornerCheckFindsThePointThatBeatsACorner()
    {
        var result = HyperDpoAndSoup(seeds: 1);

        foreach (var check in CornerChecks.Of(result))
        {
            var points = result.SummaryByKey(check.Key)!.MeanProfile.Points;
            for (int j = 0; j < 2; j++)
            {
                double corner = points.Single(p => p.Weights[j] == 1f).Ndcg[j][9];
                double best = points.Max(p => p.Ndcg[j][9]);
                Assert.AreEqual(best - corner, check.AboveCorner[j], 1e-12, $"{check.Method}, objective {j}");
                Assert.AreEqual(best, points.First(p => p.Weights.SequenceEqual(check.AboveCornerAt[j])).Ndcg[j][9], 1e-12);
            }
            Assert.AreEqual(check.AboveCorner.All(d => d == 0), check.BestAtOwnCorner);
            StringAssert.Contains(ComparisonMarkdown.Corners(result), check.BestAtOwnCorner ? "| pass |" : "| fail: ");

            // The gap's interval is centred on the same gap: NDCG is linear in the queries, so the mean over runs of each run's gap
            // is the gap of the mean profile.
            var gap = CornerGap.Of(result, check, 300, 1);
            if (check.BestAtOwnCorner) Assert.IsNull(gap);
            else
            {
                Assert.AreEqual(check.AboveCorner[check.WorstCorner], gap!.Estimate, 1e-6);
                Assert.IsLessThanOrEqualTo(gap.Estimate, gap.Lower);
                Assert.IsGreaterThanOrEqualTo(gap.Estimate, gap.Upper);
            }
        }
    }

    [TestMethod]
    public void ASeedCountBelowOneIsRejected()
    {
        var (ml, split) = Mq2008Slice.Load();
        var error = Assert.ThrowsExactly<ArgumentException>(() => ParetoComparison.Run(ml, new[] { split },
            new ParetoComparisonOptions { LabelColumnNames = Mq2008Slice.Objectives, SeedCount = 0 }));
        StringAssert.Contains(error.Message, "SeedCount must be at least 1");
    }
}
