using System.CommandLine;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary>
/// The file paths of the command line: data-file lists (<c>--train a.txt,b.txt</c> or <c>--train a.txt --train b.txt</c>) and
/// output paths, checked before a command does any work, so that a bad path never costs a training run.
/// </summary>
internal static class CliPaths
{
    /// <summary>A repeatable option of data files, each value one file or a comma-separated list of them.</summary>
    public static Option<string[]> FileListOption(string name, string description) => new(name)
    {
        Description = description + " Repeat the option, or separate files with commas; a value that names an existing file as a whole is one file, commas included.",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>
    /// The files that the values of <paramref name="flag"/> name, each checked to exist. A value that is an existing file is
    /// that file (so a path with a comma in it can be given); any other value is split at its commas.
    /// </summary>
    public static string[] Files(string[]? values, string flag)
    {
        var files = new List<string>();
        foreach (string value in values ?? Array.Empty<string>())
        {
            if (File.Exists(value))
            {
                files.Add(value);
                continue;
            }
            var parts = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length == 0)
                throw new ArgumentException($"{flag} names no file: '{value}'.");
            foreach (string part in parts)
            {
                if (!File.Exists(part))
                    throw new FileNotFoundException(parts.Length == 1
                        ? $"Data file '{part}' does not exist."
                        : $"Data file '{part}' does not exist ({flag} '{value}' was read as {parts.Length} files separated by commas; no file is named '{value}' as a whole).", part);
                files.Add(part);
            }
        }
        return files.ToArray();
    }

    /// <summary>
    /// Checks that <paramref name="path"/> can be written as a file: not an existing directory or other non-regular file, in a folder that exists.
    /// Called before any training, so that a typo in an output path fails in a second, not after the fit.
    /// </summary>
    public static void RequireOutputFile(string? path, string flag)
    {
        if (path is null) return;
        if (path.Length == 0 || path.EndsWith(Path.DirectorySeparatorChar) || path.EndsWith(Path.AltDirectorySeparatorChar))
            throw new ArgumentException($"{flag} '{path}' names no file.");
        if (Directory.Exists(path))
            throw new ArgumentException($"{flag} '{path}' is a directory; give the path of a file to write.");
        RequireFolder(Path.GetDirectoryName(Path.GetFullPath(path))!, path, flag);
        // The save routine's own check too (a FIFO, a device, a link into a missing folder), so that it refuses before the work.
        try
        {
            Persistence.AtomicFile.CheckTarget(path);
        }
        catch (IOException e)
        {
            throw new IOException($"{flag}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Checks that <paramref name="path"/> can be written as a directory (created if missing): not an existing file, its parent
    /// folder existing.
    /// </summary>
    public static void RequireOutputDirectory(string? path, string flag)
    {
        if (path is null) return;
        if (path.Length == 0)
            throw new ArgumentException($"{flag} names no directory.");
        if (File.Exists(path))
            throw new ArgumentException($"{flag} '{path}' is a file; give the path of a directory to write into.");
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (Path.GetDirectoryName(full) is string parent)
            RequireFolder(parent, path, flag);
    }

    private static void RequireFolder(string folder, string path, string flag)
    {
        if (File.Exists(folder))
            throw new ArgumentException($"{flag} '{path}': '{folder}' is a file, not a folder.");
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"{flag} '{path}': the folder '{folder}' does not exist.");
    }
}
