using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary>
/// docs/benchmarks.md is shared by several benchmark commands: each owns one section, delimited by HTML comments,
/// and replaces only that section, so one command's run never erases another's figures.
/// </summary>
internal static class BenchmarkReport
{
    private const string Title = "# Benchmarks\n\nEach section is written by the command named in it; rerun that command to refresh it.\n";

    /// <summary>Writes <paramref name="markdown"/> as the section <paramref name="section"/> of <paramref name="path"/>, prints it, then says where it went.</summary>
    public static void Publish(string path, string section, string markdown)
    {
        // The file first: a display problem must not lose a run's figures.
        WriteSection(path, section, markdown);
        AnsiConsole.WriteLine(markdown);
        AnsiConsole.MarkupLine($"Section '{Markup.Escape(section)}' written to [bold]{Markup.Escape(path)}[/].");
    }

    /// <summary>Replaces the section <paramref name="section"/> of <paramref name="path"/> (appends it where absent), leaving the others as they are.</summary>
    public static void WriteSection(string path, string section, string markdown)
    {
        string begin = $"<!-- begin {section} -->", end = $"<!-- end {section} -->";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        // Runs writing other sections of the same file at the same time (compare runs per set of objectives) take turns.
        using var turn = Turn(path + ".lock");
        string text = File.Exists(path) ? File.ReadAllText(path) : Title;
        string block = $"{begin}\n{markdown.TrimEnd()}\n{end}";
        int start = text.IndexOf(begin, StringComparison.Ordinal);
        int stop = text.IndexOf(end, StringComparison.Ordinal);
        text = start >= 0 && stop > start
            ? text[..start] + block + text[(stop + end.Length)..]
            : text.TrimEnd() + "\n\n" + block + "\n";
        // Written beside and renamed, so an interrupted run leaves the previous report intact.
        Microsoft.ML.HyperDpo.Persistence.AtomicFile.WriteAllText(path, text);
    }

    /// <summary>An exclusive hold on <paramref name="lockPath"/> (deleted when released), waiting up to a minute for another writer.</summary>
    private static FileStream Turn(string lockPath)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (attempt < 600)
            {
                Thread.Sleep(100);
            }
        }
    }
}
