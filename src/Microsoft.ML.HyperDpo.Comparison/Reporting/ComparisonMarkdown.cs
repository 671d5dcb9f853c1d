using System.Globalization;
using System.Text;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>Renders a <see cref="ComparisonResult"/> as Markdown tables.</summary>
public static class ComparisonMarkdown
{
    /// <summary>The truncations of the per-weight tables, as in Model Builder's ranking report.</summary>
    public static readonly IReadOnlyList<int> Truncations = new[] { 1, 3, 5, 10 };

    /// <summary>
    /// The chance points (<see cref="ChanceText"/>), the summary table (per method: fits, hypervolume mean ± std over splits, the same
    /// from the chance point, hypervolume of the mean front, training and scoring time) and, with <paramref name="perWeight"/>, one table per method with every objective's NDCG@1/3/5/10 at every weight
    /// (mean over splits).
    /// </summary>
    /// <param name="result">The comparison.</param>
    /// <param name="perWeight">Whether to add the per-weight tables.</param>
    /// <returns>Markdown text.</returns>
    public static string Render(ComparisonResult result, bool perWeight = true)
    {
        ArgumentNullException.ThrowIfNull(result);
        var md = new StringBuilder();
        string over = result.Seeds.Count > 1
            ? $"mean ± std over the runs of {result.Splits.Count} split(s) ({string.Join(", ", result.Splits)}) x {result.Seeds.Count} seeds ({string.Join(", ", result.Seeds)}; one run per split for FastTree)"
            : result.Splits.Count == 1 ? $"on {result.Splits[0]}" : $"mean ± std over {result.Splits.Count} splits ({string.Join(", ", result.Splits)})";
        md.AppendLine(ChanceText(result));
        md.AppendLine();
        md.AppendLine($"| method | fits per split | hypervolume, NDCG@{result.NdcgAt}: {over} | hypervolume from chance | hypervolume of the mean front | training, s | scoring the test data at {result.Grid.Count} weights, s |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var s in result.Summaries)
            md.AppendLine($"| {s.Method} | {s.FitsPerSplit} | {s.Hypervolume:F4} | {s.HypervolumeFromChance:F4} | {F(s.MeanProfile.Hypervolume, "F4")} | {s.TrainingSeconds.ToString("F1")} | {s.ScoringSeconds.ToString("F2")} |");
        md.AppendLine();
        md.Append(Corners(result));
        string ratios = Significance(result);
        if (ratios.Length > 0) md.AppendLine().Append(ratios);
        md.AppendLine().Append(Targets(result));
        if (!perWeight) return md.ToString();

        var ks = Truncations.Where(k => k <= result.NdcgAt).ToArray();
        foreach (var s in result.Summaries)
        {
            md.AppendLine();
            md.AppendLine($"**{s.Method}**: NDCG@{string.Join("/", ks)} on the test data at each weight ({(result.Splits.Count == 1 ? result.Splits[0] : "mean over splits")}); * marks the mean front.");
            md.AppendLine();
            md.Append("| weights (" + string.Join(", ", result.Objectives) + ") |");
            foreach (string objective in result.Objectives) md.Append($" {objective} |");
            md.AppendLine();
            md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", result.Objectives.Count)));
            var front = s.MeanProfile.FrontIndices.ToHashSet();
            for (int p = 0; p < s.MeanProfile.Points.Count; p++)
            {
                var point = s.MeanProfile.Points[p];
                md.Append($"| {Weights(point.Weights)}{(front.Contains(p) ? " *" : "")} |");
                foreach (double[] ndcg in point.Ndcg)
                    md.Append(" " + string.Join(" / ", ks.Select(k => F(ndcg[k - 1], "F3"))) + " |");
                md.AppendLine();
            }
        }
        return md.ToString();
    }

    /// <summary>
    /// What the "hypervolume from chance" column measures, and each split's chance point:
    /// "... chance point (Label, PageRank): Fold1 (0.2412, 0.5121); Fold2 (...)."
    /// </summary>
    public static string ChanceText(ComparisonResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var points = result.Splits.Select((split, i) => $"{split} ({string.Join(", ", result.ChancePoints[i].Select(x => F(x, "F4")))})");
        return $"Hypervolume from chance: the same fronts' hypervolume with each split's chance point as the reference instead of the origin, same runs; " +
            $"the chance point is each objective's expected NDCG@{result.NdcgAt} when every test query's documents are ranked in a uniformly random order, " +
            "computed exactly from the test labels (ChanceNdcg; no sampling), so a method gets volume only for what it does better than chance on every objective. " +
            $"Chance point ({string.Join(", ", result.Objectives)}): {string.Join("; ", points)}.";
    }

    /// <summary>"(0.7, 0.3)".</summary>
    internal static string Weights(IEnumerable<float> weights) =>
        "(" + string.Join(", ", weights.Select(w => w.ToString("0.##", CultureInfo.InvariantCulture))) + ")";

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>
    /// The per-corner table (each objective's NDCG@k at its own corner, and its ratio to the single-objective FastTree model's) and
    /// the monotonicity check along the grid (<see cref="CornerChecks"/>), on the mean over splits.
    /// </summary>
    public static string Corners(ComparisonResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var checks = CornerChecks.Of(result);
        var md = new StringBuilder();
        md.AppendLine($"Corners: each objective's NDCG@{result.NdcgAt} at its own corner (w = 1 on it), mean over the runs (splits x seeds), with its ratio to the single-objective FastTree model's " +
            $"(the score soup's corner); monotonicity: the largest rise of an objective's NDCG@{result.NdcgAt} when one grid step of weight moves away from it, " +
            $"and how many steps rise by more than {CornerChecks.Tolerance}.");
        md.AppendLine();
        md.AppendLine($"The last column is the check that each objective's NDCG@{result.NdcgAt} is at its best at its own corner: pass, or the objective whose " +
            "corner is beaten by the most, by how much, at which weights, and the paired bootstrap interval of that gap over test queries and runs " +
            "(\"within noise\" when it reaches 0; the point was picked as the largest gap, so the interval leans high).");
        md.AppendLine();
        md.AppendLine("| method | " + string.Join(" | ", result.Objectives.Select(o => $"{o} at its corner")) + " | largest rise | rises > " + CornerChecks.Tolerance.ToString(CultureInfo.InvariantCulture) +
            " | each objective best at its own corner |");
        md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", result.Objectives.Count + 3)));
        foreach (var c in checks)
            md.AppendLine($"| {c.Method} | " + string.Join(" | ", c.CornerNdcg.Select((n, j) => F(n, "F4") + (c.CornerRatio is { } r ? $" ({F(r[j], "F3")}x)" : ""))) +
                $" | {F(c.WorstRise, "F4")} | {c.Rises} | {BestAtCorner(result, c)} |");
        return md.ToString();
    }

    /// <summary>"pass", or "fail: PageRank is 0.0042 higher at (0.9, 0.1) (95% interval [-0.0010, 0.0090], within noise)".</summary>
    internal static string BestAtCorner(ComparisonResult result, CornerCheck check)
    {
        if (check.BestAtOwnCorner) return "pass";
        string text = $"fail: {result.Objectives[check.WorstCorner]} is {F(check.AboveCorner[check.WorstCorner], "F4")} higher at {Weights(check.AboveCornerAt[check.WorstCorner])}";
        var gap = CornerGap.Of(result, check, result.BootstrapReplicates, result.BootstrapSeed);
        return gap is null ? text : text + $" ({F(gap.Confidence * 100, "0.#")}% interval [{F(gap.Lower, "F4")}, {F(gap.Upper, "F4")}]" +
            (gap.Lower > 0 ? ", significant)" : ", within noise)");
    }

    /// <summary>
    /// Each method against the FastTree score soup (<see cref="ComparisonResult.Ratios"/>): the hypervolume ratio (from the origin and
    /// from the chance point) and each corner's
    /// ratio to the single-objective FastTree model's, as a mean over fold x seed runs with its paired 95% bootstrap interval, the
    /// lowest run, and whether the interval excludes 1.0. Empty when the soup did not run.
    /// </summary>
    public static string Significance(ComparisonResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Ratios.Count == 0) return "";
        var md = new StringBuilder();
        md.AppendLine($"Against the FastTree score soup: each ratio is a mean over fold x seed runs (paired, same split and seed), with its " +
            $"{F(result.Ratios[0].Hypervolume.Interval.Confidence * 100, "0.#")}% interval from a paired percentile bootstrap ({result.BootstrapReplicates} resamples " +
            "of each fold's test queries and seeds, both methods' fronts and hypervolumes recomputed on each; docs/pareto.md, \"Reading the report\", says why); " +
            "a difference is called significant only when its interval excludes 1.0. From chance: the same with each split's chance point as the " +
            "reference, the chance point recomputed on every resample from the drawn queries. Corners: each objective's NDCG@" + result.NdcgAt +
            " at its own corner over the FastTree model trained on that objective alone.");
        md.AppendLine();
        md.AppendLine("| method | runs | hypervolume / soup's | lowest run | hypervolume from chance / soup's | " + string.Join(" | ", result.Objectives.Select(o => $"{o} corner / FastTree's")) + " |");
        md.AppendLine("|---|---|---|---|---|" + string.Concat(Enumerable.Repeat("---|", result.Objectives.Count)));
        foreach (var r in result.Ratios)
            md.AppendLine($"| {r.Method} | {r.Hypervolume.Runs} | {Ratio(r.Hypervolume)} | {F(r.Hypervolume.Lowest, "F4")}x | " +
                $"{(r.HypervolumeFromChance is { } chance ? Ratio(chance) : $"not measured: {r.HypervolumeFromChanceNotMeasured}")} | " +
                string.Join(" | ", r.Corners.Select(Ratio)) + " |");
        return md.ToString();
    }

    /// <summary>
    /// The target lines (<see cref="ComparisonResult.Targets"/>), one per target: "- **PASS** target: figures and margin", "- **MISS** ...",
    /// or "- not available: target (why)". The Markdown report and the console print this same text.
    /// </summary>
    public static string Targets(ComparisonResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var md = new StringBuilder();
        md.AppendLine("Targets of HyperDPO against the FastTree baselines, decided on this run's test figures: ratios are means over the fold x seed runs with the paired intervals of the table above; " +
            "a target whose methods were not in the run is not available.");
        md.AppendLine();
        foreach (var line in result.Targets)
            md.AppendLine(line.Outcome switch
            {
                TargetOutcome.Pass => $"- **PASS** {line.Target}: {line.Figures}.",
                TargetOutcome.Miss => $"- **MISS** {line.Target}: {line.Figures}.",
                _ => $"- not available: {line.Target} ({line.NotAvailableBecause}).",
            });
        return md.ToString();
    }

    /// <summary>A ratio as the reports write it: "1.006x [0.998x, 1.013x], not significant" (or significantly above / below 1.0).</summary>
    public static string Ratio(RatioToBaseline ratio) => ratio.Interval.ToString("F3", "x") +
        (!ratio.Significant ? ", not significant" : ratio.Interval.Lower > 1 ? ", **significantly above**" : ", **significantly below**");
}
