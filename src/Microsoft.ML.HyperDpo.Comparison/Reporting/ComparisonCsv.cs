using System.Globalization;
using System.Text;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>Writes a <see cref="ComparisonResult"/> as two CSV files (comma-separated, invariant culture, six decimals, one header line).</summary>
public static class ComparisonCsv
{
    // Six decimals: far below the differences between folds, and a third of the file size of round-trip formatting.
    private const string Digits = "0.######";

    /// <summary>
    /// One row per method, split, seed, weight and objective: <c>method,split,seed,w_&lt;objective&gt;...,objective,on_front,ndcg@1,...,ndcg@k</c>
    /// (seed: empty for a method fitted once per split, see <see cref="MethodRun.Seed"/>; on_front: whether that weight is on that run's
    /// non-dominated front).
    /// </summary>
    public static string Points(ComparisonResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var csv = new StringBuilder();
        csv.Append("method,split,seed,");
        csv.Append(string.Join(",", result.Objectives.Select(o => Field("w_" + o))));
        csv.Append(",objective,on_front,");
        csv.AppendLine(string.Join(",", Enumerable.Range(1, result.NdcgAt).Select(k => $"ndcg@{k}")));
        foreach (var run in result.Runs)
        {
            var front = run.TestProfile.FrontIndices.ToHashSet();
            for (int p = 0; p < run.TestProfile.Points.Count; p++)
            {
                var point = run.TestProfile.Points[p];
                for (int k = 0; k < result.Objectives.Count; k++)
                {
                    csv.Append($"{Field(run.Method)},{Field(run.Split)},{Seed(run)},");
                    csv.Append(string.Join(",", point.Weights.Select(w => w.ToString("0.######", CultureInfo.InvariantCulture))));
                    csv.Append($",{Field(result.Objectives[k])},{(front.Contains(p) ? "true" : "false")},");
                    csv.AppendLine(string.Join(",", point.Ndcg[k].Take(result.NdcgAt).Select(v => v.ToString(Digits, CultureInfo.InvariantCulture))));
                }
            }
        }
        return csv.ToString();
    }

    /// <summary>
    /// One row per method, split and seed, then a "mean" and a "std" row per method (over those runs):
    /// <c>method,split,seed,fits,hypervolume,hypervolume_standard_error,hypervolume_from_chance,training_s,scoring_s</c>
    /// (hypervolume_from_chance: <see cref="ComparisonResult.HypervolumeFromChance"/>, reference the split's chance point).
    /// </summary>
    public static string Summary(ComparisonResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var csv = new StringBuilder();
        csv.AppendLine("method,split,seed,fits,hypervolume,hypervolume_standard_error,hypervolume_from_chance,training_s,scoring_s");
        string R(double v) => v.ToString(Digits, CultureInfo.InvariantCulture);
        foreach (var run in result.Runs)
            csv.AppendLine($"{Field(run.Method)},{Field(run.Split)},{Seed(run)},{run.Fits},{R(run.TestProfile.Hypervolume)},{R(run.TestProfile.HypervolumeStandardError)},{R(result.HypervolumeFromChance(run))},{R(run.TrainingTime.TotalSeconds)},{R(run.ScoringTime.TotalSeconds)}");
        foreach (var s in result.Summaries)
        {
            csv.AppendLine($"{Field(s.Method)},mean,,{s.FitsPerSplit},{R(s.Hypervolume.Mean)},,{R(s.HypervolumeFromChance.Mean)},{R(s.TrainingSeconds.Mean)},{R(s.ScoringSeconds.Mean)}");
            csv.AppendLine($"{Field(s.Method)},std,,{s.FitsPerSplit},{R(s.Hypervolume.Std)},,{R(s.HypervolumeFromChance.Std)},{R(s.TrainingSeconds.Std)},{R(s.ScoringSeconds.Std)}");
        }
        return csv.ToString();
    }

    private static string Seed(MethodRun run) => run.Seed?.ToString(CultureInfo.InvariantCulture) ?? "";

    /// <summary>Quotes a field that holds a comma, a quote or a line break (RFC 4180).</summary>
    private static string Field(string value) =>
        value.IndexOfAny(new[] { ',', '"', '\n', '\r' }) < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
}
