using System.CommandLine;
using Microsoft.ML.HyperDpo.Cli;

namespace Microsoft.ML.HyperDpo.Benchmarks;

/// <summary>
/// The options of the benchmark commands that the shipped tool does not have, with this repository's defaults: the shared data
/// beside the checkout and the benchmarks page, both relative to the repository root, where the commands are run.
/// </summary>
internal static class BenchmarkOptions
{
    /// <summary>The benchmarks page of this repository.</summary>
    public static readonly string Page = Path.Combine("docs", "benchmarks.md");

    /// <summary><c>--mq2008</c>: MQ2008's folder, by default the shared data beside the checkout.</summary>
    public static Option<string> Mq2008(string description = "Folder with MQ2008's S1.txt..S5.txt.") =>
        new("--mq2008") { Description = description, DefaultValueFactory = _ => Path.Combine("..", "shared", "data", "letor4-mq2008") };

    /// <summary><c>--benchmarks</c>, docs/benchmarks.md by default: the page whose section the command rewrites.</summary>
    public static Option<string?> BenchmarksPage() => SharedOptions.BenchmarksPage("The benchmarks page whose section this command rewrites.", Page);
}
