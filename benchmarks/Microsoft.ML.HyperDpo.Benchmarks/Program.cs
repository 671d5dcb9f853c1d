using System.CommandLine;
using Microsoft.ML.HyperDpo.Cli;

namespace Microsoft.ML.HyperDpo.Benchmarks;

/// <summary>
/// The benchmark and study commands: each measures something (speed, memory, a design choice, the defaults) and rewrites its
/// own section of docs/benchmarks.md. A developer's bench, run from the repository root; the shipped tool is <c>hyperdpo</c>.
/// </summary>
internal static class Program
{
    /// <summary>How the benchmarks page names this program in its "Written by" lines (run from the repository root).</summary>
    internal const string Run = "dotnet run -c Release --project benchmarks/Microsoft.ML.HyperDpo.Benchmarks --";

    private static int Main(string[] args) => CommandLineHost.Run(Run, Root(), args);

    /// <summary>Every benchmark and study command, in the order <c>--help</c> lists them.</summary>
    internal static RootCommand Root() => new("The benchmarks and studies of HyperDPO for ML.NET: each command prints its figures and rewrites its own " +
        "section of docs/benchmarks.md. Run from the repository root; the commands are described in docs/benchmarks-cli.md.")
    {
        BenchmarkCommand.Create(),
        ScoringBenchmarkCommand.Create(),
        ServiceLoadCommand.Create(),
        WebScaleBenchmarkCommand.Create(),
        CompareStudy.Create(),
        ConditioningBenchmarkCommand.Create(),
        TemperatureBenchmarkCommand.Create(),
        ReferenceFormsBenchmarkCommand.Create(),
        DefaultsStudyCommand.Create(),
    };
}
