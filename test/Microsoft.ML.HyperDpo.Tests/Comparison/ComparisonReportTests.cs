using Microsoft.ML.HyperDpo.Comparison;

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
            Assert.AreEqual("method,split,seed,fits,hypervolume,hypervolume_standard_error,training_s,scoring_s", summary[0]);
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
