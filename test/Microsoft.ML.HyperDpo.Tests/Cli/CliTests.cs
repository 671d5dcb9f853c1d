using Microsoft.ML.HyperDpo.Tests.Persistence;

namespace Microsoft.ML.HyperDpo.Tests.Cli;

/// <summary>The <c>hyperdpo</c> tool as a user runs it, with its output redirected (as in a script or CI log).</summary>
[TestClass]
public class CliTests
{
    private static TemporaryFolder _folder;

    [ClassInitialize]
    public static void CreateFolder(TestContext _)
    {
        _folder = new TemporaryFolder("hyperdpo-cli");
    }

    [ClassCleanup]
    public static void DeleteFolder() => _folder.Dispose();

    private static string LetorFile() => HyperdpoProcess.LetorFile(_folder.File("small.txt"));

    private static (int ExitCode, string Out, string Error) Hyperdpo(params string[] args) => HyperdpoProcess.Run(_folder.Path, args);

    [TestMethod]
    public void ABadFeatureIdIsAnErrorOnStandardError_InTheUsersTerms()
    {
        string file = LetorFile();
        var (code, output, error) = Hyperdpo("train", "--train", file, "--objectives", "label,feature:99:higher");
        Assert.AreEqual(2, code);
        Assert.AreEqual("", output, "nothing on standard output");
        Assert.AreEqual($"error: --objectives: there is no feature 99; the files have 46 features (ids 1 to 46: the largest feature id of the first training file, '{file}'; --feature-count sets it).", error.Trim());
    }

    [TestMethod]
    public void AnInvalidTrainerSettingIsNamedByItsFlag()
    {
        var (code, output, error) = Hyperdpo("train", "--train", LetorFile(), "--epochs", "0");
        Assert.AreEqual(2, code);
        Assert.AreEqual("error: --epochs must be positive; got 0.", error.Trim());
        Assert.DoesNotContain("error", output);
    }

    [TestMethod]
    public void AMissingFileIsAnErrorOnStandardError()
    {
        var (code, output, error) = Hyperdpo("train", "--train", "nowhere.txt");
        Assert.AreEqual(2, code);
        Assert.AreEqual("", output);
        Assert.AreEqual("error: Data file 'nowhere.txt' does not exist.", error.Trim());
    }

    [TestMethod]
    public void RedirectedOutputIsNotWrapped_AndTheSavedModelScoresRawRowsWithoutTheLibrary()
    {
        string data = LetorFile(), model = _folder.File("model.zip");
        var (code, output, error) = Hyperdpo("train", "--train", data, "--objectives", "label,feature:41:higher", "--epochs", "1", "--grid", "2", "--out", model);
        Assert.AreEqual(0, code, error + output);
        string saved = output.Split('\n').Single(l => l.StartsWith("Saved to ", StringComparison.Ordinal)).TrimEnd();
        Assert.AreEqual($"Saved to {model}: an ML.NET model zip (mlContext.Model.Load) that adds Score, at equal weights, to rows with the input's 46-slot Features vector.", saved);
        Assert.IsTrue(output.Split('\n').Any(l => l.Contains("Feature41 NDCG@1 / @3 / @5 / @10", StringComparison.Ordinal)), "table headers are not cut: " + output);

        // The file holds the preparation (feature 41 removed) and the model: it scores the rows as the file gives them.
        var ml = new MLContext(1);
        var raw = ml.Data.LoadLetorFiles(data);
        var (scores, _, hyperDpo) = ModelProcess.Score(ml, model, raw);
        Assert.HasCount(96, scores);
        Assert.IsTrue(scores.All(float.IsFinite));
        Assert.IsGreaterThan(1, scores.Distinct().Count(), "scores differ between documents");
        Assert.AreEqual("", hyperDpo);
    }

    [TestMethod]
    public void CompareFitsEachSeed_AndReportsRatiosToTheSoupWithIntervals()
    {
        string data = LetorFile(), output = _folder.File("compare-seeds");
        var (code, printed, error) = Hyperdpo("compare", "--train", data, "--valid", data, "--test", data, "--seeds", "2", "--grid", "2",
            "--methods", "fasttree-soup,fasttree-conditioned", "--objectives", "label,feature:41:higher:PageRank", "--output", output);
        Assert.AreEqual(0, code, error + printed);

        // The conditioned model draws its weights from the seed: two runs; the soup draws nothing: one, standing for both seeds.
        var summary = File.ReadAllLines(Path.Combine(output, "label-pagerank-summary.csv"));
        Assert.HasCount(2, summary.Where(l => l.StartsWith("Conditioned FastTree,split,", StringComparison.Ordinal)));
        Assert.IsTrue(summary.Any(l => l.StartsWith("Conditioned FastTree,split,2,", StringComparison.Ordinal)));
        Assert.AreEqual("FastTree score soup,split,,2", string.Join(",", summary.Single(l => l.StartsWith("FastTree score soup,split,", StringComparison.Ordinal)).Split(',').Take(4)));
        string report = File.ReadAllText(Path.Combine(output, "label-pagerank.md"));
        var row = report.Split('\n').Single(l => l.StartsWith("| Conditioned FastTree | 2 | ", StringComparison.Ordinal));
        StringAssert.Matches(row, new System.Text.RegularExpressions.Regex(@"\| \d\.\d{3}x \[\d\.\d{3}x, \d\.\d{3}x\], (not significant|\*\*significantly (above|below)\*\*) \|"));
        StringAssert.Contains(printed, "Against the FastTree score soup");
    }

    [TestMethod]
    public void AnEnsembleSizeBelowOneIsAnErrorNamingTheFlag_BeforeAnyFit()
    {
        var (code, _, error) = Hyperdpo("compare", "--train", LetorFile(), "--test", LetorFile(), "--ensemble-size", "0");
        Assert.AreEqual(2, code);
        StringAssert.StartsWith(error.Trim(), "error: --ensemble-size must be at least 1; got 0.");
    }

    [TestMethod]
    public void ASeedCountBelowOneIsAnError()
    {
        var (code, _, error) = Hyperdpo("compare", "--train", LetorFile(), "--test", LetorFile(), "--seeds", "0");
        Assert.AreEqual(2, code);
        StringAssert.StartsWith(error.Trim(), "error: --seeds: 0 is not a count of seeds");
    }
}
