using System.CommandLine;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary>
/// The <c>hyperdpo</c> command line: train a multi-objective HyperDPO ranker, score with it, compare it with the baselines, and
/// align a language model. The benchmark and study commands are the benchmarks project's (benchmarks/Microsoft.ML.HyperDpo.Benchmarks).
/// </summary>
internal static class Program
{
    private static int Main(string[] args) =>
        // With no command at all, run the main job: train on the embedded data.
        CommandLineHost.Run("hyperdpo", Root(), args.Length == 0 ? ["train"] : args);

    /// <summary>The user commands, in the order <c>hyperdpo --help</c> lists them.</summary>
    internal static RootCommand Root() => new("HyperDPO for ML.NET: one ranking model for every trade-off between several objectives. " +
        "The terms (front, hypervolume, soup, corners, kept epoch, ...) are explained in docs/glossary.md; the commands in docs/cli.md.")
    {
        TrainCommand.Create(),
        ScoreCommand.Create(),
        CompareCommand.Create(),
        Language.LanguageCommands.Pretrain(),
        Language.LanguageCommands.Align(),
        Language.LanguageCommands.Generate(),
    };
}
