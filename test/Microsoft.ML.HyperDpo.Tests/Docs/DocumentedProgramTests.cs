using System.Globalization;
using System.Text.RegularExpressions;

namespace Microsoft.ML.HyperDpo.Tests.Docs;

/// <summary>
/// The README's example and docs/tutorial.md are programs: their ```csharp blocks, concatenated in order, are saved as a
/// .NET 10 file-based app in samples/ (where their #:project line points) and run, as the pages say, from a folder that
/// holds MQ2008's S1.txt..S5.txt. Needs the shared MQ2008 data.
/// </summary>
[TestClassWithSkipReasons]
public class DocumentedProgramTests
{
    /// <summary>The page's C# blocks, in order, joined into one file.</summary>
    internal static string ProgramOf(string markdown) =>
        string.Join("\n", Regex.Matches(markdown, @"^```csharp\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline).Select(m => m.Groups[1].Value));

    /// <summary>Runs the program of <paramref name="page"/> from a fresh folder with links to MQ2008's five parts; returns its output.</summary>
    private static string Run(string page)
    {
        string root = ChildProcess.RepositoryRoot();
        string mq2008 = Path.GetDirectoryName(SharedData.RequireFile(Path.Combine("letor4-mq2008", "S1.txt")));
        string program = ProgramOf(File.ReadAllText(Path.Combine(root, page)));
        StringAssert.StartsWith(program, "#:project ../src/Microsoft.ML.HyperDpo/Microsoft.ML.HyperDpo.csproj");
        string file = Path.Combine(root, "samples", $"docs-program-{Guid.NewGuid():N}.cs");
        string work = Path.Combine(Path.GetTempPath(), "hyperdpo-docs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            File.WriteAllText(file, program);
            foreach (string part in new[] { "S1.txt", "S2.txt", "S3.txt", "S4.txt", "S5.txt" })
                File.CreateSymbolicLink(Path.Combine(work, part), Path.Combine(mq2008, part));
            // The build output (about 1 GB with LibTorch) goes into the work folder, deleted below, not into the SDK's per-file cache.
            var run = ChildProcess.Run("dotnet", work, "run", "--artifacts-path", Path.Combine(work, "artifacts"), file);
            Assert.AreEqual(0, run.ExitCode, $"{page} as a program:\n{run.Output}");
            return run.Output;
        }
        finally
        {
            File.Delete(file);
            Directory.Delete(work, recursive: true);
        }
    }

    private static double Number(string output, string pattern) =>
        double.Parse(Regex.Match(output, pattern).Groups[1].Value, CultureInfo.InvariantCulture);

    [TestMethod]
    [Timeout(600_000)]
    public void TutorialRunsAsWritten()
    {
        string output = Run(Path.Combine("docs", "tutorial.md"));
        StringAssert.Matches(output, new Regex(@"Trained \d+ epochs in [\d.]+ s; kept epoch \d+"));
        StringAssert.Matches(output, new Regex(@"At w = \(0\.7, 0\.3\): NDCG@10 Label 0\.\d{4}, PageRank 0\.\d{4}"));
        Assert.AreEqual(11, Regex.Matches(output, @"^w = \(\d\.\d, \d\.\d\): NDCG@10 Label 0\.\d{4}, PageRank 0\.\d{4}", RegexOptions.Multiline).Count, output);
        double hypervolume = Number(output, @"Hypervolume of the NDCG@10 front: (0\.\d{4})");
        Assert.IsTrue(hypervolume is > 0.2 and < 1, output);
        StringAssert.Matches(output, new Regex(@"With the FastTree references, w = \(1, 0\): NDCG@10 Label 0\.\d{4}"));
        // The saved pipeline, loaded in a new context without knowing the library, scores the raw row as the model scores the prepared one.
        double inMemory = Number(output, @"Score of the first test document: (-?[\d.]+)");
        double loaded = Number(output, @"Score of the same document, raw, after Load: (-?[\d.]+)");
        Assert.AreEqual(inMemory, loaded, 1e-5, output);
    }

    [TestMethod]
    [Timeout(600_000)]
    public void ReadmeExampleRunsAsWritten()
    {
        string output = Run("README.md");
        double ndcg = Number(output, @"NDCG@10 of PageRank at w = \(0\.3, 0\.7\): (0\.\d{4})");
        Assert.IsTrue(ndcg is > 0.3 and < 1, output);
        StringAssert.Contains(output, "Saved; the loaded model is a TransformerChain`1");
    }
}
