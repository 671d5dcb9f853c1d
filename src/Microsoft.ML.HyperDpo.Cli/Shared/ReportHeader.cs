using System.Globalization;
using System.Runtime.InteropServices;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary>
/// The first line of every section a command writes into a benchmarks page: the command that wrote it, as it was run, the
/// date and the machine, so that a reader can rerun it and knows what the figures were measured on.
/// </summary>
internal static class ReportHeader
{
    /// <summary>"Written by `<paramref name="program"/> ARGS` on DATE (N cores, .NET X<paramref name="machine"/>)", without a full stop (some sections go on).</summary>
    public static string WrittenBy(string program, string? machine = null) => string.Create(CultureInfo.InvariantCulture,
        $"Written by `{Command(program)}` on {DateTime.UtcNow:yyyy-MM-dd} ({Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}{machine})");

    /// <summary><paramref name="program"/> followed by this process's arguments as <see cref="Quote"/> writes them.</summary>
    public static string Command(string program) => string.Join(" ", Environment.GetCommandLineArgs().Skip(1).Select(Quote).Prepend(program));

    /// <summary>An argument as written in the docs: quoted when needed, and a path of this machine made relative to the working folder.</summary>
    public static string Quote(string arg)
    {
        if (Path.IsPathFullyQualified(arg)) arg = Path.GetRelativePath(Environment.CurrentDirectory, arg).Replace('\\', '/');
        return arg.Any(char.IsWhiteSpace) || arg.Contains('\'') ? $"\"{arg}\"" : arg;
    }
}
