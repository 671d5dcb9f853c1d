using System.Text.Json;

namespace Microsoft.ML.HyperDpo.Tests.Notebooks;

/// <summary>
/// Executes every notebook in notebooks/ headless with dotnet-repl (as a reader of the docs would run it) and checks
/// that no cell produced an error. Needs the dotnet-repl tool (.ci/run installs it) and builds the comparison project
/// and the tool in Release first, since the notebooks load them from src/*/bin/Release.
/// </summary>
[TestClass]
public class NotebookExecutionTests
{
    public static IEnumerable<object[]> Notebooks()
    {
        string folder = Path.Combine(ChildProcess.RepositoryRoot(), "notebooks");
        return Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.ipynb").Order().Select(f => new object[] { Path.GetFileName(f) })
            : Array.Empty<object[]>();
    }

    /// <summary>
    /// Why the notebooks cannot run here, or null. Shown in the test's name as well as in its result: the default
    /// <c>dotnet test</c> output lists a skipped test by name only, without the message of <c>Assert.Inconclusive</c>.
    /// </summary>
    internal static string SkipReason() => DotnetRepl() is null
        ? "skipped: dotnet-repl is not installed (dotnet tool install -g dotnet-repl --version 0.3.259; .ci/run does this)"
        : null;

    /// <summary>The test's name in the output: the notebook, and the reason when it is skipped.</summary>
    public static string DisplayName(System.Reflection.MethodInfo method, object[] data) =>
        $"{method.Name} ({data[0]}{(SkipReason() is string reason ? "; " + reason : "")})";

    private static string DotnetRepl()
    {
        string tools = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-repl");
        if (File.Exists(tools)) return tools;
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "dotnet-repl")).FirstOrDefault(File.Exists);
    }

    private static readonly Lazy<string> ReleaseBuild = new(() =>
    {
        // As the notebooks say: `dotnet build -c Release` at the root (they load the library and the comparison project).
        var build = ChildProcess.Run("dotnet", ChildProcess.RepositoryRoot(), "build", "-c", "Release", Path.Combine("src", "Microsoft.ML.HyperDpo.Comparison", "Microsoft.ML.HyperDpo.Comparison.csproj"));
        if (build.ExitCode != 0) return build.Output;
        // The language-model notebook loads the tool's output: the alignment demo lives in the tool, beside the language project it copies.
        build = ChildProcess.Run("dotnet", ChildProcess.RepositoryRoot(), "build", "-c", "Release", Path.Combine("src", "Microsoft.ML.HyperDpo.Cli", "Microsoft.ML.HyperDpo.Cli.csproj"));
        return build.ExitCode == 0 ? "" : build.Output;
    });

    [TestMethod]
    [TestCategory("Notebook")]
    [Timeout(900_000)]
    [DynamicData(nameof(Notebooks), DynamicDataDisplayName = nameof(DisplayName))]
    public void NotebookRunsWithoutErrors(string notebook)
    {
        if (SkipReason() is string reason)
            Assert.Inconclusive(reason);
        string repl = DotnetRepl();
        Assert.AreEqual("", ReleaseBuild.Value, "dotnet build -c Release of the library and the comparison project");

        string folder = Path.Combine(ChildProcess.RepositoryRoot(), "notebooks");
        string output = Path.Combine(Path.GetTempPath(), $"hyperdpo-{Guid.NewGuid():N}-{notebook}");
        try
        {
            // dotnet-repl's exit code is not reliable (1 even on success); the written outputs are the verdict.
            var run = ChildProcess.Run(repl, folder, "--run", notebook, "--exit-after-run", "--output-path", output);
            Assert.IsTrue(File.Exists(output), $"dotnet-repl wrote no output notebook:\n{run.Output}");
            using var executed = JsonDocument.Parse(File.ReadAllText(output));
            var codeCells = executed.RootElement.GetProperty("cells").EnumerateArray()
                .Where(c => c.GetProperty("cell_type").GetString() == "code").ToList();
            Assert.IsTrue(codeCells.Count > 0, "the notebook has code cells");
            for (int i = 0; i < codeCells.Count; i++)
            {
                foreach (var o in codeCells[i].GetProperty("outputs").EnumerateArray())
                {
                    string kind = o.GetProperty("output_type").GetString()!;
                    bool stderr = kind == "stream" && o.TryGetProperty("name", out var name) && name.GetString() == "stderr";
                    Assert.IsFalse(kind == "error" || stderr, $"{notebook}, code cell {i + 1}: {o}");
                }
            }
        }
        finally
        {
            if (File.Exists(output)) File.Delete(output);
        }
    }
}
