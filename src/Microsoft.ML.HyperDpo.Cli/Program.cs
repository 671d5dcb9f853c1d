using System.CommandLine;
using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary>The <c>hyperdpo</c> command line: train a multi-objective HyperDPO ranker, or benchmark it.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("HyperDPO for ML.NET: one ranking model for every trade-off between several objectives.")
        {
            TrainCommand.Create(),
            BenchmarkCommand.Create(),
            ScoringBenchmarkCommand.Create(),
            CompareCommand.Create(),
            Language.LanguageCommands.Pretrain(),
            Language.LanguageCommands.Align(),
            Language.LanguageCommands.Generate(),
        };
        // With no command at all, run the main job: train on the embedded data.
        var parse = root.Parse(args.Length == 0 ? new[] { "train" } : args);
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidOperationException or InvalidDataException)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return 2;
        }
    }
}
