using System.CommandLine;
using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary>The <c>hyperdpo</c> command line: train a multi-objective HyperDPO ranker, or benchmark it.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        // Redirected output (a file, a pipe, CI logs) is not wrapped at 80 columns: lines and tables keep their full width.
        AnsiConsole.Console = Console(System.Console.Out, System.Console.IsOutputRedirected);
        var errors = Console(System.Console.Error, System.Console.IsErrorRedirected);
        var root = new RootCommand("HyperDPO for ML.NET: one ranking model for every trade-off between several objectives. " +
            "The terms (front, hypervolume, soup, corners, kept epoch, ...) are explained in docs/glossary.md; the commands in docs/cli.md.")
        {
            TrainCommand.Create(),
            BenchmarkCommand.Create(),
            ScoringBenchmarkCommand.Create(),
            ServiceLoadCommand.Create(),
            WebScaleBenchmarkCommand.Create(),
            CompareCommand.Create(),
            ConditioningBenchmarkCommand.Create(),
            TemperatureBenchmarkCommand.Create(),
            ReferenceFormsBenchmarkCommand.Create(),
            ScoreCommand.Create(),
            DefaultsStudyCommand.Create(),
            Language.LanguageCommands.Pretrain(),
            Language.LanguageCommands.Align(),
            Language.LanguageCommands.Generate(),
        };
        // With no command at all, run the main job: train on the embedded data.
        var parse = root.Parse(args.Length == 0 ? new[] { "train" } : args);
        using var interruption = Interruption.Listen();
        if (parse.Errors.Count > 0)
        {
            // A mistyped option or value is an error like any other: one line, exit code 2 (not the parser's help page).
            errors.MarkupLine($"[red]error:[/] {Markup.Escape(string.Join(" ", parse.Errors.Select(ParseMessage)))} " +
                Markup.Escape(parse.CommandResult.Command is RootCommand ? "('hyperdpo --help' lists the commands.)" : $"('hyperdpo {parse.CommandResult.Command.Name} --help' lists its options.)"));
            return 2;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (Interruption.Requested && IsCancellation(e))
        {
            errors.MarkupLine($"[yellow]{Markup.Escape(Interruption.Message)}[/]");
            return Interruption.ExitCode;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException or FormatException)
        {
            // Bad input (arguments, files, data): one line in the user's terms, no stack trace. IOException covers missing files
            // and folders; FormatException is ML.NET's word for a file it cannot read.
            errors.MarkupLine($"[red]error:[/] {Markup.Escape(UserMessage(e))}");
            return 2;
        }
    }

    /// <summary>An <see cref="OperationCanceledException"/>, also as the inner exception of a task or reflection call.</summary>
    private static bool IsCancellation(Exception e) => e switch
    {
        OperationCanceledException => true,
        AggregateException a => a.InnerExceptions.Any(IsCancellation),
        { InnerException: { } inner } => IsCancellation(inner),
        _ => false,
    };

    /// <summary>The parser's message with the value's expected type in words ("a whole number", not 'System.Int32').</summary>
    private static string ParseMessage(System.CommandLine.Parsing.ParseError error)
    {
        Type? type = error.SymbolResult switch
        {
            System.CommandLine.Parsing.OptionResult o => o.Option.ValueType,
            System.CommandLine.Parsing.ArgumentResult a => a.Argument.ValueType,
            _ => null,
        };
        string[] lines = error.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (type is null || !lines[0].Contains(" as expected type '", StringComparison.Ordinal))
            return string.Join(" ", lines);
        type = Nullable.GetUnderlyingType(type) ?? type;
        string expected = type.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(type))
            : type == typeof(int) || type == typeof(long) ? "a whole number"
            : type == typeof(float) || type == typeof(double) ? "a number"
            : type == typeof(bool) ? "true or false"
            : "a " + type.Name;
        // The enum's names replace the parser's "Did you mean one of the following?" list on the lines after the first.
        return System.Text.RegularExpressions.Regex.Replace(lines[0], @" as expected type '[^']*'\..*", $": expected {expected}.");
    }

    private static IAnsiConsole Console(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        if (redirected) console.Profile.Width = UnwrappedWidth;
        return console;
    }

    /// <summary>Wide enough that no line or table of this tool wraps.</summary>
    private const int UnwrappedWidth = 4096;

    /// <summary>
    /// The message in the user's terms: without the "(Parameter 'x')" that .NET appends (the parameter is the library's),
    /// and with a trainer option named by its flag ("--epochs must be positive", not "NumberOfEpochs ...").
    /// </summary>
    internal static string UserMessage(Exception e)
    {
        if (e is not ArgumentException { ParamName: { } name }) return e.Message;
        string message = e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        if ((TrainCommand.FlagOf(name) ?? CompareCommand.FlagOf(name)) is not { } flag) return message;
        return message.StartsWith(name + " ", StringComparison.Ordinal) ? flag + message[name.Length..] : $"{flag}: {message}";
    }
}
