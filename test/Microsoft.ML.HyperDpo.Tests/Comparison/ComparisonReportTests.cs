using System.Globalization;
using Microsoft.ML.HyperDpo.Comparison;
using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Tests.Comparison;

[TestClassWithSkipReasons]
public class ComparisonReportTests
{
    private static ComparisonResult TwoMethodsTwoSplits(int objectives)
    {
        var (ml, split) = Mq2008Slice.Load();
        var labels = Mq2008Slice.Objectives.ToList();
        ComparisonSplit Third(ComparisonSplit s)
        {
            // URL length (feature 45, slot 44; PageRank's removal left the slots below 40 in place), shorter is better.
            IDataView Add(IDataView d) => ml.Transforms.FeatureRankObjective("UrlLength", 43, FeatureDirection.LowerIsBetter).Fit(d).Transform(d);
            return new ComparisonSplit(s.Name, Add(s.Train), s.Validation is null ? null : Add(s.Validation), Add(s.Test));
        }
        if (objectives == 3)
        {
            split = Third(split);
            labels.Add("UrlLength");
        }
        var options = new ParetoComparisonOptions
        {
            LabelColumnNames = labels.ToArray(),
            Methods = new FrontMethod[] { new HyperDpoFront(Mq2008Slice.FastDpo), new LambdaMartScoreSoup() },
            GridDivisions = 2,
        };
        return ParetoComparison.Run(ml, new[] { split, split with { Name = "again" } }, options);
    }

    [TestMethod]
    public void WritesMarkdownCsvAndAPngOfTheFronts()
    {
        var result = TwoMethodsTwoSplits(objectives: 2);
        string folder = Path.Combine(Path.GetTempPath(), "hyperdpo-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            var files = ComparisonReport.Write(result, Path.Combine(folder, "pagerank"), "Label vs. PageRank");

            CollectionAssert.AreEqual(new[] { "pagerank.md", "pagerank.csv", "pagerank-summary.csv", "pagerank.png" }, files.Select(Path.GetFileName).ToArray());
            string md = File.ReadAllText(files[0]);
            StringAssert.StartsWith(md, "# Label vs. PageRank");
            StringAssert.Contains(md, "| HyperDPO | 1 | ");
            StringAssert.Contains(md, "| FastTree score soup | 2 | ");
            StringAssert.Contains(md, "mean ± std over 2 splits (S1 slice, again)");
            StringAssert.Contains(md, "| (1, 0)");

            var points = File.ReadAllLines(files[1]);
            Assert.AreEqual("method,split,seed,w_Label,w_PageRank,objective,on_front,ndcg@1,ndcg@2,ndcg@3,ndcg@4,ndcg@5,ndcg@6,ndcg@7,ndcg@8,ndcg@9,ndcg@10", points[0]);
            Assert.HasCount(1 + 2 * 2 * 3 * 2, points, "methods x splits x weights x objectives");
            var summary = File.ReadAllLines(files[2]);
            Assert.AreEqual("method,split,seed,fits,hypervolume,hypervolume_standard_error,hypervolume_from_chance,training_s,scoring_s", summary[0]);
            Assert.HasCount(1 + 2 * 2 + 2 * 2, summary, "a row per run, then mean and std per method");

            var (width, height) = PngSize(files[3]);
            Assert.AreEqual((640, 480), (width, height), "one panel for two objectives");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ThreeObjectivesArePlottedAsThreePairwiseProjections()
    {
        var result = TwoMethodsTwoSplits(objectives: 3);
        string path = Path.Combine(Path.GetTempPath(), "hyperdpo-fronts-" + Guid.NewGuid().ToString("N") + ".png");
        try
        {
            FrontPlot.Write(result, path);

            Assert.AreEqual((2 * 640, 2 * 480), PngSize(path), "three panels on a 2 x 2 grid");
            Assert.HasCount(6, result.Grid, "K = 3 at step 1/2");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void SummariesAverageTheSplits()
    {
        var result = TwoMethodsTwoSplits(objectives: 2);

        foreach (var summary in result.Summaries)
        {
            var runs = result.Runs.Where(r => r.Method == summary.Method).ToList();
            Assert.HasCount(2, runs);
            Assert.AreEqual(runs.Average(r => r.TestProfile.Hypervolume), summary.Hypervolume.Mean, 1e-12);
            Assert.AreEqual(runs.Average(r => r.TestProfile.Points[1].Ndcg[0][9]), summary.MeanProfile.Points[1].Ndcg[0][9], 1e-12);
        }
    }

    [TestMethod]
    public void TheChancePointOfEachSplitIsChanceNdcgOfItsTestLabels()
    {
        var result = TwoMethodsTwoSplits(objectives: 2);
        var (ml, split) = Mq2008Slice.Load();

        double[] expected = ChanceNdcg.Expected(ml, split.Test, Mq2008Slice.Objectives, truncation: 10);
        Assert.HasCount(2, result.ChancePoints);
        foreach (double[] point in result.ChancePoints)
            for (int k = 0; k < 2; k++)
                Assert.AreEqual(expected[k], point[k], 1e-12, $"objective {k}");
        // Chance is above the origin on every objective, so less volume is left above it.
        foreach (var run in result.Runs)
            Assert.IsLessThan(run.TestProfile.Hypervolume, result.HypervolumeFromChance(run), run.Method);
    }

    [TestMethod]
    public void TheHypervolumeFromChanceIsTheAreaAboveEachSplitsChancePoint()
    {
        // Two splits, one method, three weights, NDCG@1 only; the figures are made up so that the areas can be done by hand.
        string[] objectives = ["First", "Second"];
        float[][] grid = [[1f, 0f], [0.5f, 0.5f], [0f, 1f]];
        var options = new ParetoProfileOptions { NdcgAt = 1, Weights = grid };
        MethodRun Run(string split, params (double First, double Second)[] ndcg) => new("hand", "Hand", split,
            ParetoProfiler.FromPoints(objectives, ndcg.Select((n, p) => new WeightedNdcg(grid[p], [[n.First], [n.Second]])).ToList(), options),
            TimeSpan.FromSeconds(1), 1);
        var runs = new[]
        {
            Run("A", (0.8, 0.4), (0.6, 0.6), (0.3, 0.9)),
            Run("B", (0.7, 0.45), (0.6, 0.6), (0.4, 0.9)),
        };
        var result = new ComparisonResult(objectives, grid, ["A", "B"], [("hand", "Hand")], runs, options, TimeSpan.FromSeconds(2),
            [1], bootstrapReplicates: 10, bootstrapSeed: 1, chanceByQuery: [[[0.2], [0.3]], [[0.5], [0.5]]]);

        // A, above (0.2, 0.3): boxes 0.6 x 0.1, then 0.4 x (0.3 - 0.1), then 0.1 x (0.6 - 0.3) = 0.06 + 0.08 + 0.03.
        // B, above (0.5, 0.5): (0.7, 0.45) and (0.4, 0.9) are below chance on one objective and add nothing; (0.6, 0.6) adds 0.1 x 0.1.
        // From the origin: A 0.32 + 0.12 + 0.09 = 0.53, B 0.315 + 0.09 + 0.12 = 0.525.
        const double a = 0.17, b = 0.01;
        Assert.AreEqual(a, result.HypervolumeFromChance(runs[0]), 1e-12);
        Assert.AreEqual(b, result.HypervolumeFromChance(runs[1]), 1e-12);
        var summary = result.Summaries.Single().HypervolumeFromChance;
        Assert.AreEqual((a + b) / 2, summary.Mean, 1e-12);
        Assert.AreEqual(Math.Abs(a - b) / Math.Sqrt(2), summary.Std, 1e-12, "the sample standard deviation of two runs");

        string md = ComparisonMarkdown.Render(result, perWeight: false);
        StringAssert.Contains(md, "| hypervolume from chance |");
        StringAssert.Contains(md, "| Hand | 1 | 0.5275 ± 0.0035 | 0.0900 ± 0.1131 | ");
        StringAssert.Contains(md, "Chance point (First, Second): A (0.2000, 0.3000); B (0.5000, 0.5000).");

        var lines = ComparisonCsv.Summary(result).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        int column = Array.IndexOf(lines[0].Split(','), "hypervolume_from_chance");
        Assert.IsGreaterThanOrEqualTo(0, column, lines[0]);
        double Cell(string prefix) => double.Parse(lines.Single(l => l.StartsWith(prefix, StringComparison.Ordinal)).Split(',')[column], CultureInfo.InvariantCulture);
        Assert.AreEqual(a, Cell("Hand,A,"), 1e-6);
        Assert.AreEqual(b, Cell("Hand,B,"), 1e-6);
        Assert.AreEqual((a + b) / 2, Cell("Hand,mean,"), 1e-6);
        Assert.AreEqual(Math.Abs(a - b) / Math.Sqrt(2), Cell("Hand,std,"), 1e-6);
    }

    /// <summary>Width and height from a PNG's IHDR chunk, after checking the signature.</summary>
    private static (int Width, int Height) PngSize(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.IsGreaterThan(10_000, bytes.Length, "a plot, not an empty image");
        int Read(int offset) => bytes[offset] << 24 | bytes[offset + 1] << 16 | bytes[offset + 2] << 8 | bytes[offset + 3];
        return (Read(16), Read(20));
    }
}
