using System.Globalization;
using System.Text;
using Microsoft.ML.HyperDpo.Comparison;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary>
/// The 'compare' section of docs/benchmarks.md: per set of objectives, the summary table and the hypervolume of each fold,
/// every method side by side with the baselines.
/// </summary>
internal static class CompareBenchmarkSection
{
    public static string Render(IReadOnlyList<(string Title, ComparisonResult Result, IReadOnlyList<string> Files)> reports, double wallSeconds, string benchmarksPath)
    {
        var md = new StringBuilder();
        string command = "dotnet run -c Release --project src/Microsoft.ML.HyperDpo.Cli -- " + string.Join(" ", Environment.GetCommandLineArgs().Skip(1).Select(Portable).Select(Quote));
        md.AppendLine("## HyperDPO vs. the baselines, cross-validated (compare)").AppendLine();
        md.AppendLine(Invariant($"Written by `{command}` on {DateTime.UtcNow:yyyy-MM-dd} ({Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}); the whole run took {wallSeconds:F0} s of wall time, data loading included."));
        md.AppendLine();
        md.AppendLine("Every method is trained on each fold's training part (the DPO methods stop early on its validation part) and measured on its test part only, at the same weight grid, with `mlContext.Ranking.Evaluate`; ");
        md.AppendLine("the hypervolume (reference: the origin) is that of each fold's NDCG@10 front, then averaged over the folds (mean ± std). Training time is per fold, all of a method's fits together. ");
        md.AppendLine("Auxiliary objectives are features graded 0..4 by rank within the query and removed from the inputs. Methods: see [pareto.md](pareto.md#the-baselines). Default options everywhere.");
        foreach (var (title, result, files) in reports)
        {
            md.AppendLine().AppendLine($"### {title}").AppendLine();
            md.AppendLine(Invariant($"This comparison took {result.WallTime.TotalSeconds:F0} s of wall time (every fit and evaluation of every method on every fold; data loading excluded)."));
            md.AppendLine();
            md.Append(ComparisonMarkdown.Render(result, perWeight: false));
            md.AppendLine();
            md.AppendLine("| method | " + string.Join(" | ", result.Splits) + " |");
            md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", result.Splits.Count)));
            foreach (string method in result.Methods)
                md.AppendLine($"| {method} hypervolume | " + string.Join(" | ", result.Splits.Select(split =>
                    result.Runs.First(r => r.Method == method && r.Split == split).TestProfile.Hypervolume.ToString("F4", CultureInfo.InvariantCulture))) + " |");
            string directory = Path.GetDirectoryName(Path.GetFullPath(benchmarksPath))!;
            string? png = files.FirstOrDefault(f => f.EndsWith(".png", StringComparison.Ordinal));
            md.AppendLine();
            md.AppendLine("Reports: " + string.Join(", ", files.Select(f => $"[{Path.GetFileName(f)}]({Path.GetRelativePath(directory, Path.GetFullPath(f)).Replace('\\', '/')})")) + ".");
            if (png is not null)
                md.AppendLine().AppendLine($"![fronts]({Path.GetRelativePath(directory, Path.GetFullPath(png)).Replace('\\', '/')})");
        }
        return md.ToString();
    }

    /// <summary>An absolute path in the command line, written relative to the working folder: the page holds no machine's paths.</summary>
    private static string Portable(string arg) =>
        Path.IsPathFullyQualified(arg) && (File.Exists(arg) || Directory.Exists(arg))
            ? Path.GetRelativePath(Environment.CurrentDirectory, arg).Replace('\\', '/')
            : arg;

    private static string Quote(string arg) => arg.Any(char.IsWhiteSpace) || arg.Contains('\'') ? $"\"{arg}\"" : arg;

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
