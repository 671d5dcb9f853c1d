using System.Globalization;
using System.Text;
using Microsoft.ML.HyperDpo.Comparison;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary>
/// The 'compare' section of docs/benchmarks.md: per set of objectives, the summary table, the hypervolume of each fold, and, for
/// two objectives, the project's targets (HyperDPO's hypervolume at least 1.03 x the better LambdaMART front and at least DPO-LS's;
/// its one fit at most 0.25 x DPO-LS's and 0.5 x the FastTree fits' training time), each marked met or missed.
/// </summary>
internal static class CompareBenchmarkSection
{
    public static string Render(IReadOnlyList<(string Title, ComparisonResult Result, IReadOnlyList<string> Files)> reports, double wallSeconds, string benchmarksPath)
    {
        var md = new StringBuilder();
        string command = "dotnet run -c Release --project src/Microsoft.ML.HyperDpo.Cli -- " + string.Join(" ", Environment.GetCommandLineArgs().Skip(1).Select(Quote));
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
            foreach (var (key, method) in result.MethodKeys.Zip(result.Methods))
                md.AppendLine($"| {method} hypervolume | " + string.Join(" | ", result.Splits.Select(split =>
                    result.Runs.First(r => r.Key == key && r.Split == split).TestProfile.Hypervolume.ToString("F4", CultureInfo.InvariantCulture))) + " |");
            if (result.Objectives.Count == 2)
                Targets(md, result);
            string directory = Path.GetDirectoryName(Path.GetFullPath(benchmarksPath))!;
            string? png = files.FirstOrDefault(f => f.EndsWith(".png", StringComparison.Ordinal));
            md.AppendLine();
            md.AppendLine("Reports: " + string.Join(", ", files.Select(f => $"[{Path.GetFileName(f)}]({Path.GetRelativePath(directory, Path.GetFullPath(f)).Replace('\\', '/')})")) + ".");
            if (png is not null)
                md.AppendLine().AppendLine($"![fronts]({Path.GetRelativePath(directory, Path.GetFullPath(png)).Replace('\\', '/')})");
        }
        return md.ToString();
    }

    private static void Targets(StringBuilder md, ComparisonResult result)
    {
        MethodSummary? Find(string key) => result.SummaryByKey(key);
        var hyper = Find("hyperdpo");
        if (hyper is null) return;
        var rows = new List<string>();
        var trees = new[] { Find("fasttree"), Find("fasttree-soup") }.Where(s => s is not null).Select(s => s!).ToList();
        if (trees.Count > 0)
        {
            var best = trees.MaxBy(s => s.Hypervolume.Mean)!;
            double ratio = hyper.Hypervolume.Mean / best.Hypervolume.Mean;
            rows.Add(Row($"hypervolume >= 1.03 x the better LambdaMART front ({best.Method}, {best.Hypervolume.Mean:F4})", $"{hyper.Hypervolume.Mean:F4} = {ratio:F3} x", ratio >= 1.03));
        }
        if (Find("dpo-ls") is { } ls)
        {
            rows.Add(Row($"hypervolume >= DPO-LS's ({ls.Hypervolume.Mean:F4})", $"{hyper.Hypervolume.Mean:F4} = {hyper.Hypervolume.Mean / ls.Hypervolume.Mean:F3} x", hyper.Hypervolume.Mean >= ls.Hypervolume.Mean));
            double ratio = hyper.TrainingSeconds.Mean / ls.TrainingSeconds.Mean;
            rows.Add(Row($"training <= 0.25 x DPO-LS's {ls.FitsPerSplit} fits ({ls.TrainingSeconds.Mean:F1} s)", $"{hyper.TrainingSeconds.Mean:F1} s = {ratio:F3} x", ratio <= 0.25));
        }
        if (Find("fasttree") is { } fastTree)
        {
            double ratio = hyper.TrainingSeconds.Mean / fastTree.TrainingSeconds.Mean;
            rows.Add(Row($"training <= 0.5 x the {fastTree.FitsPerSplit} FastTree fits ({fastTree.TrainingSeconds.Mean:F1} s)", $"{hyper.TrainingSeconds.Mean:F1} s = {ratio:F3} x", ratio <= 0.5));
        }
        md.AppendLine().AppendLine("| target (means over the folds) | HyperDPO | met? |").AppendLine("|---|---|---|");
        foreach (string row in rows) md.AppendLine(row);
    }

    private static string Row(FormattableString target, FormattableString figure, bool met) =>
        $"| {target.ToString(CultureInfo.InvariantCulture)} | {figure.ToString(CultureInfo.InvariantCulture)} | {(met ? "met" : "**missed**")} |";

    private static string Row(string target, FormattableString figure, bool met) =>
        $"| {target} | {figure.ToString(CultureInfo.InvariantCulture)} | {(met ? "met" : "**missed**")} |";

    private static string Quote(string arg) => arg.Any(char.IsWhiteSpace) || arg.Contains('\'') ? $"\"{arg}\"" : arg;

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
