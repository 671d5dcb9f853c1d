using Microsoft.ML.HyperDpo.Evaluation;
using System.Globalization;
using System.Text;
using Microsoft.ML.HyperDpo.Cli.Language.Demo;
using Microsoft.ML.HyperDpo.Language.Evaluation;
using ScottPlot;
using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Cli.Language;

/// <summary>The alignment demo's summary: a console table, a Markdown section for docs/benchmarks.md, and a PNG of the held-out fronts.</summary>
internal static class AlignReport
{
    private static string F(double v, string format = "F3") => v.ToString(format, CultureInfo.InvariantCulture);

    private static string Weights(float[] w) => "(" + string.Join(", ", w.Select(v => v.ToString("0.##", CultureInfo.InvariantCulture))) + ")";

    private static string Interval(SeedInterval i, string format) =>
        double.IsNaN(i.Low) ? F(i.Mean, format) : $"{F(i.Mean, format)} [{F(i.Low, format)}, {F(i.High, format)}]";

    private static string PerSeed(SeedInterval i, string format) => string.Join(", ", i.Values.Select(v => F(v, format)));

    /// <summary>The steps a method took: one number when every seed took the same, else the mean and the per-seed values.</summary>
    private static string StepsText(MethodSummary m) =>
        m.StepsTaken is { } taken && taken.Values.Distinct().Count() > 1
            ? $"{F(taken.Mean, "F0")} ({string.Join(", ", taken.Values.Select(v => F(v, "F0")))})"
            : m.Steps.ToString(CultureInfo.InvariantCulture);

    private static MethodSummary SummaryOf(AlignmentDemoResult r, string method) => r.Summary.First(m => m.Method == method);

    /// <summary>HPT's mean training time over DPO-LS's (equal steps, so near 1 unless one method's steps cost more).</summary>
    private static double TimeRatio(AlignmentDemoResult r) => SummaryOf(r, AlignmentDemo.Hpt).TrainingSeconds.Mean / SummaryOf(r, AlignmentDemo.DpoLs).TrainingSeconds.Mean;

    private static string ReferenceText(AlignmentDemoResult r) => "(" + string.Join(", ", r.Methods[0].Front.Reference.Select(v => F(v, "0.##"))) + ")";

    private static Table SignTable(string title, IEnumerable<SteerabilityResult> results)
    {
        var table = new Table().Title(Markup.Escape(title));
        foreach (string c in new[] { "Objective", "Own corner", "Other corner", "Wins", "Losses", "Ties", "Sign test p" })
            table.AddColumn(c);
        foreach (var s in results)
            table.AddRow(Markup.Escape(s.Objective), F(s.MeanAtOwnCorner), F(s.MeanAtOtherCorner), s.Wins.ToString(CultureInfo.InvariantCulture),
                s.Losses.ToString(CultureInfo.InvariantCulture), s.Ties.ToString(CultureInfo.InvariantCulture), F(s.PValue, "G3"));
        return table;
    }

    private static void SignRows(StringBuilder md, IEnumerable<SteerabilityResult> results)
    {
        md.AppendLine("| Objective | Mean at its corner | Mean at the other corner | Wins | Losses | Ties | Two-sided sign test p |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var s in results)
            md.AppendLine($"| {s.Objective} (vs the {s.OtherCorner} corner) | {F(s.MeanAtOwnCorner)} | {F(s.MeanAtOtherCorner)} | {s.Wins} | {s.Losses} | {s.Ties} | {F(s.PValue, "G3")} |");
    }

    public static void Print(AlignmentDemoResult r)
    {
        var summary = new Table().Title(Markup.Escape($"Held-out hypervolume from chance agreement {ReferenceText(r)}, {r.Seeds.Count} seed(s), mean [95% t-interval]"));
        foreach (string c in new[] { "Method", "Fits", "Steps", "Training s", "Hypervolume", "Per seed" })
            summary.AddColumn(c);
        foreach (var m in r.Summary)
            summary.AddRow(Markup.Escape(m.Method), m.Fits.ToString(CultureInfo.InvariantCulture), Markup.Escape(StepsText(m)),
                Markup.Escape(Interval(m.TrainingSeconds, "F1")), Markup.Escape(Interval(m.Hypervolume, "F5")), Markup.Escape(PerSeed(m.Hypervolume, "F5")));
        AnsiConsole.Write(summary);
        AnsiConsole.MarkupLine($"HPT training time / DPO-LS training time (means, equal steps): [bold]{F(TimeRatio(r), "F2")}[/]");
        foreach (var run in r.Seeds)
        {
            AnsiConsole.MarkupLine(Markup.Escape($"Seed {run.Seed}: {run.Lengths.Describe()}; base model's held-out perplexity {F(run.HeldOutPerplexity, "F1")}."));
            foreach (var a in run.BaseAnswers)
                AnsiConsole.MarkupLine(Markup.Escape($"  base model, greedy: {a.Question} -> {a.Answer}"));
        }

        var table = new Table().Title(Markup.Escape($"First seed's fronts ({r.HeldOutLists} questions): Kendall tau of implicit rewards vs each objective, mapped to [0, 1]"));
        table.AddColumn("Method");
        foreach (string o in r.Objectives)
            table.AddColumn(new TableColumn(Markup.Escape($"{o} at its corner")).RightAligned());
        foreach (var m in r.Methods)
            table.AddRow(new[] { Markup.Escape(m.Method) }.Concat(r.Objectives.Select((_, k) => F(Corner(m, k)))).ToArray());
        AnsiConsole.Write(table);

        AnsiConsole.Write(SignTable("Steerability of HPT's generations (held-out questions, each objective's corner vs the other's)", r.Steerability));
        AnsiConsole.Write(SignTable("Greedy answers (below): each objective's score at its corner vs the other's, question by question", r.GreedySteerability));

        var answers = new Table().Title(Markup.Escape("HPT's greedy answers at every grid weight (first held-out questions)"));
        foreach (string c in new[] { "Question", "w", "Answer" }.Concat(r.Objectives.Where(o => r.Answers.Any(a => a.Scores.ContainsKey(o)))))
            answers.AddColumn(Markup.Escape(c));
        foreach (var a in r.Answers)
            answers.AddRow(new[] { a.Question, Weights(a.Weights), a.Answer }.Concat(r.Objectives.Where(a.Scores.ContainsKey).Select(o => F(a.Scores[o], "F2"))).Select(Markup.Escape).ToArray());
        AnsiConsole.Write(answers);
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
        md.AppendLine($"Written by `{command}`. For each of {r.Seeds.Count} seeds ({string.Join(", ", r.Seeds.Select(s => s.Seed))}: each its own 400/100 split, vocabulary, " +
            $"pre-training and fits), a GPT-2-architecture model ({r.Model.Layers} blocks, width {r.Model.EmbeddingSize}, {r.Model.Heads} heads, " +
            $"compact GPT-2 vocabulary of {r.Model.VocabularySize}, context {r.Model.ContextLength}) is pre-trained on the {r.TrainingLists} training questions' " +
            $"passages and answers, then aligned on {string.Join(" and ", r.Objectives)}, with only the soft prompt trained; the front is measured on {r.HeldOutLists} " +
            "held-out questions. Every method gets the same budget of optimiser steps: HPT starts at the prompt soup, spending half of it on one prompt per " +
            $"objective at its corner and the other half on the whole map, with early stopping on {F(100 * r.HptValidationFraction, "0")}% of the training lists held out (the steps it took are shown). " +
            (r.LikelihoodWeight > 0
                ? $"Every method's loss adds the likelihood term (`LikelihoodWeight` {F(r.LikelihoodWeight, "0.##")}: the w-weighted mean token NLL of each objective's best answer). "
                : "No likelihood term (`LikelihoodWeight` 0). ") +
            "CPU, a 2-core machine shared with other jobs: times are noisy, ratios within a run are fairer.");
        md.AppendLine();
        md.AppendLine($"| Method | Fits | Optimiser steps | Training s, mean [95% interval] | Hypervolume from chance, mean [95% interval] | Per seed |");
        md.AppendLine("|---|---:|---:|---:|---:|---|");
        foreach (var m in r.Summary)
            md.AppendLine($"| {m.Method} | {m.Fits} | {StepsText(m)} | {Interval(m.TrainingSeconds, "F1")} | {Interval(m.Hypervolume, "F5")} | {PerSeed(m.Hypervolume, "F5")} |");
        md.AppendLine();
        md.AppendLine("Agreement = Kendall's tau-b between the implicit rewards beta * (log pi - log pi_ref) of the 4 answers and the objective's scores, mapped to [0, 1] " +
            $"(0.5 = unrelated) and averaged over held-out questions. Hypervolume of each method's non-dominated points with respect to chance agreement {ReferenceText(r)} " +
            $"(from the origin, chance alone would score {F(Math.Pow(0.5, r.Objectives.Count), "0.###")}); intervals are Student-t over the seeds.");
        md.AppendLine();
        md.AppendLine($"HPT training time / DPO-LS training time (means, equal steps): **{F(TimeRatio(r), "F2")}**.");
        md.AppendLine();
        md.AppendLine("Prompt and response lengths, chosen from each seed's training lists (`TokenBudget`):");
        md.AppendLine();
        foreach (var run in r.Seeds)
            md.AppendLine($"- seed {run.Seed}: {run.Lengths.Describe()}.");
        md.AppendLine();
        md.AppendLine("Pre-trained base model's perplexity on the held-out questions' passages and answers (exp of the mean next-token loss; never trained on): " +
            string.Join(", ", r.Seeds.Select(run => $"seed {run.Seed} {F(run.HeldOutPerplexity, "F1")}")) + $" (vocabulary {r.Model.VocabularySize}).");
        md.AppendLine();
        if (r.Seeds.Any(run => run.BaseAnswers.Count > 0))
        {
            md.AppendLine("The base model's greedy answers before alignment (no soft prompt; no 3-gram repeated):");
            md.AppendLine();
            foreach (var run in r.Seeds)
                foreach (var a in run.BaseAnswers)
                    md.AppendLine($"- seed {run.Seed}, *{Cell(a.Question)}* → {Cell(a.Answer)}");
            md.AppendLine();
        }
        md.AppendLine($"First seed's fronts (agreement with {string.Join(" / ", r.Objectives)}):");
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
        SignRows(md, r.Steerability);
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
        md.AppendLine("Examples sampled by HPT at the corners (first held-out questions):");
        md.AppendLine();
        foreach (var e in r.Examples)
            md.AppendLine($"- w = {Weights(e.Weights)}, *{Cell(e.Question)}* → {Cell(e.Answer)}");
        md.AppendLine();
        var scored = r.Objectives.Where(o => r.Answers.Any(a => a.Scores.ContainsKey(o))).ToList();
        md.AppendLine("HPT's greedy answers at every grid weight (first held-out questions; greedy, no 3-gram repeated), with each computed objective's score:");
        md.AppendLine();
        md.AppendLine($"| Question | w | Answer | {string.Join(" | ", scored)} |");
        md.AppendLine($"|---|---|---|{string.Concat(scored.Select(_ => "---:|"))}");
        foreach (var a in r.Answers)
            md.AppendLine($"| {Cell(a.Question)} | {Weights(a.Weights)} | {Cell(a.Answer)} | {string.Join(" | ", scored.Select(o => F(a.Scores[o], "F2")))} |");
        md.AppendLine();
        md.AppendLine($"The greedy answers' sign test, question by question ({r.Answers.Select(a => a.Question).Distinct().Count()} questions): each objective's score of the answer at its corner against the answer at the other corner:");
        md.AppendLine();
        SignRows(md, r.GreedySteerability);
        return md.ToString();
    }

    private static string Cell(string text) => text.Replace("\n", " ").Replace("|", "\\|");

    public static void WritePlot(AlignmentDemoResult r, string path, int x = 0, int y = 1)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int m = 0; m < r.Methods.Count; m++)
        {
            var method = r.Methods[m];
            var points = method.Front.Points.OrderByDescending(p => p.Weights[x]).ToList();
            var scatter = plot.Add.Scatter(points.Select(p => p.Agreement[x]).ToArray(), points.Select(p => p.Agreement[y]).ToArray(), palette.GetColor(m));
            scatter.LegendText = $"{method.Method} (HV from chance {F(method.Front.Hypervolume, "F5")}, {F(method.TrainingSeconds, "F0")} s)";
            scatter.LineWidth = method.Method == AlignmentDemo.DpoLs ? 0 : 2;
            scatter.MarkerSize = 7;
        }
        plot.XLabel($"{r.Objectives[x]}: Kendall tau mapped to [0, 1]");
        plot.YLabel($"{r.Objectives[y]}: Kendall tau mapped to [0, 1]");
        plot.Title($"Held-out fronts, {r.HeldOutLists} questions, first seed");
        plot.ShowLegend(Alignment.LowerLeft);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, 800, 600);
    }
}
