using System.Globalization;
using System.Text;
using Microsoft.ML.HyperDpo.Language.Demo;
using ScottPlot;
using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Cli.Language;

/// <summary>The alignment demo's summary: a console table, a Markdown section for docs/benchmarks.md, and a PNG of the held-out fronts.</summary>
internal static class AlignReport
{
    private static string F(double v, string format = "F3") => v.ToString(format, CultureInfo.InvariantCulture);

    private static string Weights(float[] w) => "(" + string.Join(", ", w.Select(v => v.ToString("0.##", CultureInfo.InvariantCulture))) + ")";

    private static double TimeRatio(AlignmentDemoResult r) =>
        r.Methods.First(m => m.Method == AlignmentDemo.Hpt).TrainingSeconds / r.Methods.First(m => m.Method == AlignmentDemo.DpoLs).TrainingSeconds;

    public static void Print(AlignmentDemoResult r)
    {
        var table = new Table().Title(Markup.Escape($"Held-out fronts ({r.HeldOutLists} questions): Kendall tau of implicit rewards vs each objective, mapped to [0, 1]"));
        table.AddColumn("Method");
        table.AddColumn(new TableColumn("Fits").RightAligned());
        table.AddColumn(new TableColumn("Training s").RightAligned());
        table.AddColumn(new TableColumn("Hypervolume").RightAligned());
        foreach (string o in r.Objectives)
            table.AddColumn(new TableColumn(Markup.Escape($"{o} at its corner")).RightAligned());
        foreach (var m in r.Methods)
            table.AddRow(new[] { Markup.Escape(m.Method), m.Fits.ToString(CultureInfo.InvariantCulture), F(m.TrainingSeconds, "F1"), F(m.Front.Hypervolume, "F4") }
                .Concat(r.Objectives.Select((_, k) => F(Corner(m, k)))).ToArray());
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"HPT training time / DPO-LS training time: [bold]{F(TimeRatio(r), "F2")}[/]");

        var steer = new Table().Title(Markup.Escape("Steerability of HPT's generations (held-out questions, each objective's corner vs the other's)"));
        foreach (string c in new[] { "Objective", "Own corner", "Other corner", "Wins", "Losses", "Ties", "Sign test p" })
            steer.AddColumn(c);
        foreach (var s in r.Steerability)
            steer.AddRow(Markup.Escape(s.Objective), F(s.MeanAtOwnCorner), F(s.MeanAtOtherCorner), s.Wins.ToString(CultureInfo.InvariantCulture),
                s.Losses.ToString(CultureInfo.InvariantCulture), s.Ties.ToString(CultureInfo.InvariantCulture), F(s.PValue, "G3"));
        AnsiConsole.Write(steer);
        AnsiConsole.MarkupLine($"KV cache at {r.Speed.NewTokens} new tokens: {F(r.Speed.CachedSeconds)} s vs {F(r.Speed.RecomputedSeconds)} s recomputing: [bold]{F(r.Speed.Speedup, "F1")}x[/]");
        AnsiConsole.MarkupLine($"Pre-training {F(r.PretrainingTokensPerSecond, "F0")} tokens/s, alignment {F(r.AlignmentTokensPerSecond, "F0")} tokens/s, generation {F(r.Speed.CachedTokensPerSecond, "F0")} tokens/s; peak memory {r.PeakMemoryBytes / (1024.0 * 1024):F0} MiB; total {F(r.TotalSeconds, "F0")} s.");
    }

    /// <summary>The method's agreement with objective k at k's corner of the simplex.</summary>
    private static double Corner(MethodResult m, int k) =>
        m.Front.Points.Where(p => p.Weights[k] == 1f).Select(p => p.Agreement[k]).DefaultIfEmpty(double.NaN).First();

    public static string Markdown(AlignmentDemoResult r, string command, string? plotLink)
    {
        var md = new StringBuilder();
        md.AppendLine("## Language-model alignment (HPT vs DPO-LS, prompt soup, weights as text)");
        md.AppendLine();
        md.AppendLine($"Written by `{command}`. A GPT-2-architecture model ({r.Model.Layers} blocks, width {r.Model.EmbeddingSize}, {r.Model.Heads} heads, " +
            $"compact GPT-2 vocabulary of {r.Model.VocabularySize}, context {r.Model.ContextLength}) is pre-trained on the {r.TrainingLists} training questions' " +
            $"passages and answers, then aligned on {string.Join(" and ", r.Objectives)}, with only the soft prompt trained; the front is measured on {r.HeldOutLists} " +
            "held-out questions. CPU, a 2-core machine shared with other jobs: times are noisy, ratios within the run are fair.");
        md.AppendLine();
        md.AppendLine($"| Method | Fits | Training s | Hypervolume | {string.Join(" | ", r.Objectives.Select(o => o + " at its corner"))} |");
        md.AppendLine($"|---|---:|---:|---:|{string.Concat(r.Objectives.Select(_ => "---:|"))}");
        foreach (var m in r.Methods)
            md.AppendLine($"| {m.Method} | {m.Fits} | {F(m.TrainingSeconds, "F1")} | {F(m.Front.Hypervolume, "F4")} | {string.Join(" | ", r.Objectives.Select((_, k) => F(Corner(m, k))))} |");
        md.AppendLine();
        md.AppendLine("Agreement = Kendall's tau-b between the implicit rewards beta * (log pi - log pi_ref) of the 4 answers and the objective's scores, mapped to [0, 1] " +
            "(0.5 = unrelated) and averaged over held-out questions; hypervolume of each method's non-dominated points with respect to the origin.");
        md.AppendLine();
        md.AppendLine($"HPT training time / DPO-LS training time: **{F(TimeRatio(r), "F2")}**.");
        md.AppendLine();
        md.AppendLine("| Front point | " + string.Join(" | ", r.Methods.Select(m => m.Method)) + " |");
        md.AppendLine("|---|" + string.Concat(r.Methods.Select(_ => "---|")));
        var grid = r.Methods[0].Front.Points.Select(p => p.Weights).ToList();
        foreach (var w in grid)
            md.AppendLine($"| w = {Weights(w)} | " + string.Join(" | ", r.Methods.Select(m =>
                m.Front.Points.FirstOrDefault(p => p.Weights.SequenceEqual(w)) is { } p ? string.Join(" / ", p.Agreement.Select(a => F(a))) : "")) + " |");
        md.AppendLine();
        if (plotLink is not null)
        {
            md.AppendLine($"![Held-out fronts]({plotLink})");
            md.AppendLine();
        }
        md.AppendLine("Steerability of HPT's sampled generations (temperature 0.7, top-40, the same seed at both corners), one answer per held-out question at each corner:");
        md.AppendLine();
        md.AppendLine("| Objective | Mean at its corner | Mean at the other corner | Wins | Losses | Ties | Two-sided sign test p |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var s in r.Steerability)
            md.AppendLine($"| {s.Objective} (vs the {s.OtherCorner} corner) | {F(s.MeanAtOwnCorner)} | {F(s.MeanAtOtherCorner)} | {s.Wins} | {s.Losses} | {s.Ties} | {F(s.PValue, "G3")} |");
        md.AppendLine();
        md.AppendLine("| Speed and memory | Value |");
        md.AppendLine("|---|---:|");
        md.AppendLine($"| Generation of {r.Speed.NewTokens} new tokens, KV cache (s) | {F(r.Speed.CachedSeconds)} |");
        md.AppendLine($"| Same, recomputing the sequence at every step (s) | {F(r.Speed.RecomputedSeconds)} |");
        md.AppendLine($"| KV-cache speedup | {F(r.Speed.Speedup, "F1")}x |");
        md.AppendLine($"| Generation tokens/s (KV cache, batch 1) | {F(r.Speed.CachedTokensPerSecond, "F0")} |");
        md.AppendLine($"| Pre-training tokens/s | {F(r.PretrainingTokensPerSecond, "F0")} |");
        md.AppendLine($"| Alignment tokens/s (HPT, forward and backward through the frozen model) | {F(r.AlignmentTokensPerSecond, "F0")} |");
        md.AppendLine($"| Pre-training final loss (nats/token) | {F(r.PretrainingLoss, "F2")} |");
        md.AppendLine($"| Peak working set (MiB) | {r.PeakMemoryBytes / (1024.0 * 1024):F0} |");
        md.AppendLine($"| Whole demo (s) | {F(r.TotalSeconds, "F0")} |");
        md.AppendLine();
        md.AppendLine("Examples generated by HPT at the corners (first held-out questions):");
        md.AppendLine();
        foreach (var e in r.Examples)
            md.AppendLine($"- w = {Weights(e.Weights)}, *{e.Question.Replace("|", "\\|")}* → {e.Answer.Replace("\n", " ").Replace("|", "\\|")}");
        return md.ToString();
    }

    public static void WritePlot(AlignmentDemoResult r, string path, int x = 0, int y = 1)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int m = 0; m < r.Methods.Count; m++)
        {
            var method = r.Methods[m];
            var points = method.Front.Points.OrderByDescending(p => p.Weights[x]).ToList();
            var scatter = plot.Add.Scatter(points.Select(p => p.Agreement[x]).ToArray(), points.Select(p => p.Agreement[y]).ToArray(), palette.GetColor(m));
            scatter.LegendText = $"{method.Method} (HV {F(method.Front.Hypervolume, "F3")}, {F(method.TrainingSeconds, "F0")} s)";
            scatter.LineWidth = method.Method == AlignmentDemo.DpoLs ? 0 : 2;
            scatter.MarkerSize = 7;
        }
        plot.XLabel($"{r.Objectives[x]}: Kendall tau mapped to [0, 1]");
        plot.YLabel($"{r.Objectives[y]}: Kendall tau mapped to [0, 1]");
        plot.Title($"Held-out fronts, {r.HeldOutLists} questions");
        plot.ShowLegend(Alignment.LowerLeft);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, 800, 600);
    }
}
