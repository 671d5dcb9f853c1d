using System.Globalization;
using System.Text;
using Microsoft.ML.HyperDpo.Comparison;

using Microsoft.ML.HyperDpo.Cli;

namespace Microsoft.ML.HyperDpo.Benchmarks;

/// <summary>
/// The 'compare' (or 'compare-long-lists') section of docs/benchmarks.md: per set of objectives, the summary table, the corners and
/// monotonicity, the hypervolume of each fold, and the HyperDPO methods' ratios to the FastTree score soup, DPO-LS and the FastTree
/// scalarised fits.
/// </summary>
internal static class CompareBenchmarkSection
{
    /// <param name="reports">The sets of objectives finished so far.</param>
    /// <param name="planned">How many sets of objectives the run has; while fewer are finished, the section says so.</param>
    /// <param name="wallSeconds">Wall time of the run so far.</param>
    /// <param name="benchmarksPath">The Markdown file written (links are relative to it).</param>
    /// <param name="section">The section's name: its heading says it when it is not the default one.</param>
    /// <param name="longLists">Whether the run is the synthetic long-list benchmark.</param>
    public static string Render(IReadOnlyList<CompareCommand.Report> reports, int planned, double wallSeconds,
        string benchmarksPath, string section, bool longLists)
    {
        var md = new StringBuilder();
        string heading = longLists ? "## Long lists with many ties (compare --long-lists" : "## HyperDPO vs. the baselines, cross-validated (compare";
        md.AppendLine(heading + (section is "compare" or "compare-long-lists" ? ")" : $", section {section})")).AppendLine();
        md.AppendLine(ReportHeader.WrittenBy(Program.Run) + "; " +
            (reports.Count < planned
                ? Invariant($"{reports.Count} of its {planned} sets of objectives finished so far, in {wallSeconds:F0} s of wall time, data loading included.")
                : Invariant($"the whole run took {wallSeconds:F0} s of wall time, data loading included.")));
        md.AppendLine();
        md.AppendLine("Every method is trained on each fold's training part (the DPO methods stop early on its validation part) and measured on its test part only, at the same weight grid, with `mlContext.Ranking.Evaluate`; ");
        md.AppendLine("the hypervolume (reference: the origin) is that of each fold's NDCG@10 front, then averaged over the folds (mean ± std; over fold x seed runs with several seeds). Training time is per fold, all of a method's fits together. ");
        md.AppendLine(!longLists
            ? "Auxiliary objectives are features graded 0..4 by rank within the query and removed from the inputs. Methods: see [pareto.md](pareto.md#the-baselines). Default options everywhere, except the trainer options set on the command line above."
            : "The data is `SyntheticRankingDataOptions.LongLists` (one generated split: training, validation and test queries). Methods: see [pareto.md](pareto.md#the-baselines). Default options everywhere, except the trainer options set on the command line above.");
        foreach (var (title, result, files) in reports)
        {
            md.AppendLine().AppendLine($"### {title}").AppendLine();
            md.AppendLine(Invariant($"This comparison took {result.WallTime.TotalSeconds:F0} s of wall time (every fit and evaluation of every method on every fold; data loading excluded)."));
            md.AppendLine();
            md.Append(ComparisonMarkdown.Render(result, perWeight: false));
            md.AppendLine();
            md.AppendLine($"| method: hypervolume{(result.Seeds.Count > 1 ? " (several seeds: mean, lowest-highest)" : "")} | " + string.Join(" | ", result.Splits) + " |");
            md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", result.Splits.Count)));
            foreach (var (key, method) in result.MethodKeys.Zip(result.Methods))
                md.AppendLine($"| {method} | " + string.Join(" | ", result.Splits.Select(split =>
                    PerFold(result.Runs.Where(r => r.Key == key && r.Split == split).Select(r => r.TestProfile.Hypervolume).ToList()))) + " |");
            Ratios(md, result);
            string directory = Path.GetDirectoryName(Path.GetFullPath(benchmarksPath))!;
            string? png = files.FirstOrDefault(f => f.EndsWith(".png", StringComparison.Ordinal));
            md.AppendLine();
            md.AppendLine("Reports: " + string.Join(", ", files.Select(f => $"[{Path.GetFileName(f)}]({Path.GetRelativePath(directory, Path.GetFullPath(f)).Replace('\\', '/')})")) + ".");
            if (png is not null)
                md.AppendLine().AppendLine($"![fronts]({Path.GetRelativePath(directory, Path.GetFullPath(png)).Replace('\\', '/')})");
        }
        return md.ToString();
    }

    /// <summary>One fold's hypervolume: the value, or with several seeds their mean and range.</summary>
    private static string PerFold(IReadOnlyList<double> values) => values.Count == 1
        ? Invariant($"{values[0]:F4}")
        : Invariant($"{values.Average():F4} ({values.Min():F4}-{values.Max():F4})");

    /// <summary>
    /// Each HyperDPO method against the baselines, on the same folds: hypervolume over the FastTree score soup's (mean over fold x
    /// seed runs with its paired bootstrap interval, and the lowest run; see <see cref="ComparisonResult.Ratios"/>), the same from the
    /// chance point (<see cref="MethodRatios.HypervolumeFromChance"/>), over DPO-LS's,
    /// and training time over the FastTree scalarised fits'.
    /// </summary>
    private static void Ratios(StringBuilder md, ComparisonResult result)
    {
        var ls = result.SummaryByKey(FrontMethodKeys.DpoLinearScalarization);
        var fastTree = result.SummaryByKey(FrontMethodKeys.FastTree);
        var rows = new List<string>();
        foreach (string key in new[] { FrontMethodKeys.HyperDpo, FrontMethodKeys.HyperDpoOnLambdaMart, FrontMethodKeys.HyperDpoOnConditionedLambdaMart })
        {
            if (result.SummaryByKey(key) is not { } s) continue;
            var cells = new List<string> { s.Method };
            var ratio = result.Ratios.FirstOrDefault(r => r.Key == key);
            cells.Add(ratio is null ? "" : ComparisonMarkdown.Ratio(ratio.Hypervolume) + Invariant($" (lowest run {ratio.Hypervolume.Lowest:F4}x)"));
            cells.Add(ratio is null ? "" : ratio.HypervolumeFromChance is { } chance ? ComparisonMarkdown.Ratio(chance) : $"not measured: {ratio.HypervolumeFromChanceNotMeasured}");
            cells.Add(ls is null ? "" : Invariant($"{s.Hypervolume.Mean / ls.Hypervolume.Mean:F3}x"));
            cells.Add(fastTree is null ? "" : Invariant($"{s.TrainingSeconds.Mean / fastTree.TrainingSeconds.Mean:F3}x"));
            rows.Add("| " + string.Join(" | ", cells) + " |");
        }
        if (rows.Count == 0) return;
        md.AppendLine().AppendLine("| method | hypervolume / FastTree score soup's, mean over runs [95% interval] | hypervolume from chance / soup's | hypervolume / DPO-LS's | training time / FastTree scalarised fits' |").AppendLine("|---|---|---|---|---|");
        foreach (string row in rows) md.AppendLine(row);
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
