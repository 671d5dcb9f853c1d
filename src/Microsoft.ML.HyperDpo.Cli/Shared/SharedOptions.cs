using System.CommandLine;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary>
/// The options that several commands of both tools declare, declared here once, so that a flag has one name, one kind of
/// value and one wording everywhere.
/// </summary>
internal static class SharedOptions
{
    /// <summary>The help name of an option whose value is a comma-separated list of numbers, read by <see cref="NumberList"/>.</summary>
    public const string NumbersHelpName = "numbers";

    /// <summary><c>--seed</c>: the seed of a command's data and fits.</summary>
    public static Option<int> Seed(string description, int defaultValue = 1) =>
        new("--seed") { Description = description, DefaultValueFactory = _ => defaultValue };

    /// <summary>An option whose value is a comma-separated list of numbers (read with <see cref="NumberList"/>); null where not given.</summary>
    public static Option<string?> Numbers(string name, string description) =>
        new(name) { Description = description, HelpName = NumbersHelpName };

    /// <summary>An option whose value is a comma-separated list of numbers (read with <see cref="NumberList"/>), with a default.</summary>
    public static Option<string> Numbers(string name, string description, string defaultValue) =>
        new(name) { Description = description, HelpName = NumbersHelpName, DefaultValueFactory = _ => defaultValue };

    /// <summary>
    /// <c>--benchmarks</c>: the Markdown page (docs/benchmarks.md in this repository) of which a command rewrites its own section;
    /// not written where null.
    /// </summary>
    public static Option<string?> BenchmarksPage(string description, string? defaultPath = null) => defaultPath is null
        ? new("--benchmarks") { Description = description }
        : new("--benchmarks") { Description = description, DefaultValueFactory = _ => defaultPath };
}
