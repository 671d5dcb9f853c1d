using System.Globalization;
using System.Text;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>Renders a <see cref="ComparisonResult"/> as Markdown tables.</summary>
public static class ComparisonMarkdown
{
    /// <summary>The truncations of the per-weight tables, as in Model Builder's ranking report.</summary>
    public static readonly IReadOnlyList<int> Truncations = new[] { 1, 3, 5, 10 };

    /// <summary>
    /// The summary table (per method: fits, hypervolume mean ± std over splits, hypervolume of the mean front, training and scoring
    /// time) and, with <paramref name="perWeight"/>, one table per method with every objective's NDCG@1/3/5/10 at every weight
    /// (mean over splits).
    /// </summary>
    /// <param name="result">The comparison.</param>
    /// <param name="perWeight">Whether to add the per-weight tables.</param>
    /// <returns>Markdown text.</returns>
    public static string Render(ComparisonResult result, bool perWeight = true)
    {
        ArgumentNullException.ThrowIfNull(result);
        var md = new StringBuilder();
        string over = result.Splits.Count == 1 ? $"on {result.Splits[0]}" : $"mean ± std over {result.Splits.Count} splits ({string.Join(", ", result.Splits)})";
        md.AppendLine($"| method | fits per split | hypervolume, NDCG@{result.NdcgAt}: {over} | hypervolume of the mean front | training, s | scoring the test data at {result.Grid.Count} weights, s |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var s in result.Summaries)
            md.AppendLine($"| {s.Method} | {s.FitsPerSplit} | {s.Hypervolume:F4} | {F(s.MeanProfile.Hypervolume, "F4")} | {s.TrainingSeconds.ToString("F1")} | {s.ScoringSeconds.ToString("F2")} |");
        md.AppendLine();
        md.Append(Corners(result));
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
        md.AppendLine($"Corners: each objective's NDCG@{result.NdcgAt} at its own corner (w = 1 on it), mean over splits, with its ratio to the single-objective FastTree model's " +
            $"(the score soup's corner); monotonicity: the largest rise of an objective's NDCG@{result.NdcgAt} when one grid step of weight moves away from it, " +
            $"and how many steps rise by more than {CornerChecks.Tolerance}.");
        md.AppendLine();
        md.AppendLine("| method | " + string.Join(" | ", result.Objectives.Select(o => $"{o} at its corner")) + " | largest rise | rises > " + CornerChecks.Tolerance.ToString(CultureInfo.InvariantCulture) + " |");
        md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", result.Objectives.Count + 2)));
        foreach (var c in checks)
            md.AppendLine($"| {c.Method} | " + string.Join(" | ", c.CornerNdcg.Select((n, j) => F(n, "F4") + (c.CornerRatio is { } r ? $" ({F(r[j], "F3")}x)" : ""))) +
                $" | {F(c.WorstRise, "F4")} | {c.Rises} |");
        return md.ToString();
    }
}
