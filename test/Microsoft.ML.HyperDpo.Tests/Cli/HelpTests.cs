using System.Text.RegularExpressions;

namespace Microsoft.ML.HyperDpo.Tests.Cli;

/// <summary>What each tool's <c>--help</c> lists, run in a new process as a user runs it.</summary>
[TestClass]
public class HelpTests
{
    /// <summary>The command names of a <c>--help</c> page: the lines of its "Commands:" section.</summary>
    private static List<string> Commands(string help) =>
        Regex.Matches(help[help.IndexOf("Commands:", StringComparison.Ordinal)..], @"^  ([a-z][a-z-]*)(?=\s|$)", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();

    [TestMethod]
    public void TheShippedToolListsTheSixUserCommandsOnly()
    {
        var (code, output, error) = HyperdpoProcess.Run(ChildProcess.RepositoryRoot(), "--help");
        Assert.AreEqual(0, code, error);
        CollectionAssert.AreEqual(new[] { "train", "score", "compare", "pretrain", "align", "generate" }, Commands(output), output);
        Assert.DoesNotContain("benchmark", output, "no benchmark command or text in the shipped tool's help");
    }

    [TestMethod]
    public void TheBenchmarksProgramListsEveryBenchmarkAndStudyCommand()
    {
        var (code, output, error) = HyperdpoProcess.RunProgram(HyperdpoProcess.Benchmarks, ChildProcess.RepositoryRoot(), "--help");
        Assert.AreEqual(0, code, error);
        CollectionAssert.AreEquivalent(new[]
        {
            "benchmark", "benchmark-scoring", "benchmark-service", "benchmark-web", "compare", "benchmark-conditioning", "benchmark-temperature",
            "benchmark-reference-forms", "benchmark-defaults",
        }, Commands(output), output);
    }

    [TestMethod]
    public void NoHelpOfTheShippedToolDefaultsToThisRepositorysFolders()
    {
        foreach (string command in new[] { "train", "score", "compare", "pretrain", "align", "generate" })
        {
            var (code, output, error) = HyperdpoProcess.Run(ChildProcess.RepositoryRoot(), command, "--help");
            Assert.AreEqual(0, code, error);
            foreach (string developerPath in new[] { "shared/data", "shared\\data", "docs/benchmarks.md", "docs/align" })
                Assert.DoesNotContain(developerPath, output, $"hyperdpo {command} --help names '{developerPath}' (a default of this repository's developers)");
        }
    }
}
