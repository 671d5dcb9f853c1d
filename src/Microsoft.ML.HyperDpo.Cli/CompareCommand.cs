using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML.HyperDpo.Comparison;
using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary>
/// <c>hyperdpo compare</c>: HyperDPO against the paper's baselines and LambdaMART, trained and measured on the same splits in one
/// run (MQ2008's folds, or given files), for one or more sets of objectives. Prints Model-Builder-style tables and writes a
/// Markdown report, two CSV files and a PNG of the fronts per set of objectives; optionally a section of docs/benchmarks.md.
/// </summary>
internal static class CompareCommand
{
    /// <summary>Every method of <see cref="FrontMethods.All"/>, by key: adding a method there adds it here.</summary>
    private static IEnumerable<string> MethodKeys => FrontMethods.All().Select(m => m.Key);

    public static System.CommandLine.Command Create()
    {
        var mq2008 = new Option<string?>("--mq2008") { Description = "Folder with MQ2008's S1.txt..S5.txt: run its standard folds (see --folds)." };
        var folds = new Option<string>("--folds") { Description = "MQ2008 folds to run, e.g. 1-5 or 1,3.", DefaultValueFactory = _ => "1-5" };
        var train = CliPaths.FileListOption("--train", "Instead of --mq2008: training LETOR files (one split).");
        var valid = CliPaths.FileListOption("--valid", "With --train: validation files (early stopping of the DPO methods).");
        var test = CliPaths.FileListOption("--test", "With --train: test files, where the fronts are measured.");
        var objectives = new Option<string[]>("--objectives")
        {
            Description = "Objectives of one comparison, e.g. 'label,feature:41:higher:PageRank'; repeat the option to run several comparisons.",
            DefaultValueFactory = _ => new[] { "label,feature:41:higher:PageRank" },
        };
        var methods = new Option<string>("--methods")
        {
            Description = $"Methods, comma-separated, from: {string.Join(", ", MethodKeys)}; or 'all'.",
            DefaultValueFactory = _ => "all",
        };
        var grid = new Option<int?>("--grid") { Description = "Simplex lattice step 1/m (default: 10 for 2 objectives, 4 for 3, 2 beyond)." };
        var seed = new Option<int>("--seed") { Description = "Seed of every fit (the first of --seeds).", DefaultValueFactory = _ => 1 };
        var seeds = new Option<int>("--seeds")
        {
            Description = "How many seeds each method is fitted with on each split (a count: --seed, --seed + 1, ...); FastTree methods draw nothing at random and are fitted once per split. " +
                "The ratios to the FastTree score soup are means over the fold x seed runs with paired 95% bootstrap intervals.",
            DefaultValueFactory = _ => 3,
        };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs of the DPO methods (default: the trainer's)." };
        var output = new Option<string>("--output") { Description = "Folder for the reports (.md, .csv, -summary.csv, .png per set of objectives).", DefaultValueFactory = _ => "compare-report" };
        var longLists = new Option<bool>("--long-lists")
        {
            Description = "Instead of --mq2008/--train: the synthetic long-list benchmark (200 queries of 20-300 documents, relevance by threshold rules, " +
                "3 grades, 90% zero, a quarter of the queries with no relevant document; objectives Relevance and Quality, strongly correlated, Quality easier to learn), " +
                "on which a relevance corner is hardest to hold.",
        };
        var benchmarks = new Option<string?>("--benchmarks")
        {
            Description = "Also write the summary as a section of this Markdown file (e.g. docs/benchmarks.md), rewritten after each set of objectives.",
        };
        var section = new Option<string?>("--section")
        {
            Description = "The name of that section (default: 'compare', or 'compare-long-lists' with --long-lists), so that runs of different objectives or methods can write their own.",
        };
        var command = new System.CommandLine.Command("compare",
            "HyperDPO vs. DPO-LS, DPO Soup, FastTree/LightGBM on scalarised labels and the FastTree score soup, on the same splits: fronts, hypervolume, time.")
        {
            mq2008, folds, train, valid, test, longLists, objectives, methods, grid, seed, seeds, epochs, output, benchmarks, section,
        };
        command.SetAction(r =>
        {
            int? e = r.GetValue(epochs);
            Func<HyperDpoRankingTrainer.Options> trainer = () => e is int n ? new HyperDpoRankingTrainer.Options { Optimiser = { NumberOfEpochs = n } } : new HyperDpoRankingTrainer.Options();
            var selected = SelectMethods(r.GetValue(methods)!, trainer);
            if (r.GetValue(grid) is < 1)
                throw new ArgumentException($"--grid must be at least 1 (the simplex lattice step is 1/m); got {r.GetValue(grid)}.");
            // The reports are written after hours of fitting: their paths are checked first.
            CliPaths.RequireOutputDirectory(r.GetValue(output), "--output");
            CliPaths.RequireOutputFile(r.GetValue(benchmarks), "--benchmarks");
            if (r.GetValue(seeds) < 1)
                throw new ArgumentException($"--seeds: {r.GetValue(seeds)} is not a count of seeds; give 1 or more (a count: seeds --seed, --seed + 1, ...).");
            if (r.GetValue(longLists))
                return RunLongLists(selected, r.GetValue(grid), r.GetValue(seed), r.GetValue(seeds), r.GetValue(output)!, r.GetValue(benchmarks), r.GetValue(section) ?? "compare-long-lists");
            var sources = r.GetValue(mq2008) is string folder
                ? Mq2008Folds.Parse(r.GetValue(folds)!).Select(f => (Name: $"Fold{f}", Files: Mq2008Folds.Files(folder, f))).ToList()
                : r.GetValue(train) is { Length: > 0 } t
                    ? new List<(string, (string[], string[], string[]))> { ("split", (CliPaths.Files(t, "--train"), CliPaths.Files(r.GetValue(valid), "--valid"), CliPaths.Files(r.GetValue(test), "--test"))) }
                    : throw new ArgumentException("Give --mq2008 FOLDER (its standard folds) or --train/--test files.");
            return Run(sources, r.GetValue(objectives)!, selected, r.GetValue(grid), r.GetValue(seed), r.GetValue(seeds), r.GetValue(output)!, r.GetValue(benchmarks), r.GetValue(section) ?? "compare");
        });
        return command;
    }

    private static string[] Split(string? files) => files?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? Array.Empty<string>();

    private static List<FrontMethod> SelectMethods(string text, Func<HyperDpoRankingTrainer.Options> trainer)
    {
        var all = FrontMethods.All(trainer);
        if (text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
            return all.ToList();
        return Split(text).Select(key => all.FirstOrDefault(m => m.Key.Equals(key, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"--methods: unknown method '{key}'; choose from {string.Join(", ", MethodKeys)} or 'all'.")).ToList();
    }

    private static int Run(List<(string Name, (string[] Train, string[] Valid, string[] Test) Files)> sources, string[] objectiveSets,
        List<FrontMethod> methods, int? grid, int seed, int seeds, string output, string? benchmarks, string section)
    {
        foreach (var (_, files) in sources)
        {
            foreach (string file in files.Train.Concat(files.Valid).Concat(files.Test))
                if (!File.Exists(file)) throw new FileNotFoundException($"Data file '{file}' does not exist.", file);
            if (files.Test.Length == 0) throw new ArgumentException("--test names no file: the fronts are measured on test data.");
        }
        var sets = objectiveSets.Select(text =>
        {
            var specs = ObjectiveSpec.ParseList(text);
            return (Labels: specs.Select(o => o.ColumnName).ToArray(), Description: Describe(specs), Splits: (Func<MLContext, List<ComparisonSplit>>)(ml => sources.Select(s =>
            {
                var data = RankingDataSets.FromLetor(ml, s.Files.Train, s.Files.Valid, s.Files.Test, specs);
                return new ComparisonSplit(s.Name, data.Train, data.Validation, data.Test!);
            }).ToList()));
        }).ToList();
        return Run(sets, methods, grid, seed, seeds, output, benchmarks, section, longLists: false);
    }

    /// <summary>The long-list benchmark: <see cref="SyntheticRankingDataOptions.LongLists"/>, one split, its own benchmarks section.</summary>
    private static int RunLongLists(List<FrontMethod> methods, int? grid, int seed, int seeds, string output, string? benchmarks, string section)
    {
        var set = (Labels: new[] { SyntheticRankingData.RelevanceColumnName, SyntheticRankingData.QualityColumnName },
            Description: "synthetic long lists: Relevance graded 0..2 by threshold rules, Quality 0..4, linear and correlated",
            Splits: (Func<MLContext, List<ComparisonSplit>>)(ml =>
            {
                var data = SyntheticRankingData.GenerateSplits(ml, SyntheticRankingDataOptions.LongLists(seed));
                return new List<ComparisonSplit> { new("long-lists", data.Train, data.Validation, data.Test) };
            }));
        return Run(new[] { set }.ToList(), methods, grid, seed, seeds, output, benchmarks, section, longLists: true);
    }

    private static int Run(List<(string[] Labels, string Description, Func<MLContext, List<ComparisonSplit>> Splits)> sets,
        List<FrontMethod> methods, int? grid, int seed, int seeds, string output, string? benchmarks, string section, bool longLists)
    {
        var wall = Stopwatch.StartNew();
        var reports = new List<(string Title, ComparisonResult Result, IReadOnlyList<string> Files)>();
        foreach (var set in sets)
        {
            var ml = new MLContext(seed);
            Interruption.Cancels(ml);
            var splits = set.Splits(ml);
            var options = new ParetoComparisonOptions
            {
                LabelColumnNames = set.Labels,
                Methods = methods,
                GridDivisions = grid,
                Seed = seed,
                SeedCount = seeds,
            };
            string title = $"{string.Join(" vs. ", options.LabelColumnNames)} ({set.Description}), {(splits.Count == 1 ? splits[0].Name : $"{splits.Count} folds")}" +
                (seeds > 1 ? $" x {seeds} seeds" : "");
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(title)}[/]");
            var result = RunWithProgress(ml, splits, options);
            Print(result);
            AnsiConsole.MarkupLine($"This comparison: {result.WallTime.TotalSeconds:F0} s wall time (data loaded).");
            string prefix = Path.Combine(output, (longLists ? "compare-long-lists-" : "") + Slug(options.LabelColumnNames));
            var files = ComparisonReport.Write(result, prefix, title);
            AnsiConsole.MarkupLine($"Reports: {Markup.Escape(string.Join(", ", files))}");
            reports.Add((title, result, files));
            // Rewritten after every set of objectives, so that an interrupted run still reports the sets it finished.
            if (benchmarks is not null)
            {
                BenchmarkReport.WriteSection(benchmarks, section, CompareBenchmarkSection.Render(reports, sets.Count, wall.Elapsed.TotalSeconds, benchmarks, section, longLists));
                AnsiConsole.MarkupLine($"Section '{section}' written to [bold]{Markup.Escape(benchmarks)}[/] ({reports.Count} of {sets.Count} sets of objectives).");
            }
        }
        AnsiConsole.MarkupLine($"Whole run: [bold]{wall.Elapsed.TotalSeconds:F0} s[/] wall time.");
        return 0;
    }

    private static ComparisonResult RunWithProgress(MLContext ml, List<ComparisonSplit> splits, ParetoComparisonOptions options)
    {
        ComparisonResult? result = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var tasks = options.Methods!.ToDictionary(m => m.Name, m => context.AddTask(Markup.Escape(m.Name), autoStart: false));
                var progress = new SynchronousProgress<ComparisonProgress>(p =>
                {
                    var task = tasks[p.Method];
                    if (!task.IsStarted) task.StartTask();
                    task.MaxValue = p.Total;
                    task.Value = p.Done;
                    task.Description = Markup.Escape($"{p.Method} ({p.Split})");
                    if (p.Done == p.Total) task.StopTask();
                });
                result = ParetoComparison.Run(ml, splits, options, progress);
            });
        return result!;
    }

    private static void Print(ComparisonResult result)
    {
        var table = new Table().Title($"Test hypervolume of the NDCG@{result.NdcgAt} front and cost, over {string.Join(", ", result.Splits)}");
        foreach (string column in new[] { "method", "fits/split", "hypervolume", "mean front", "training, s", "scoring, s" })
            table.AddColumn(new TableColumn(column).RightAligned());
        foreach (var s in result.Summaries)
            table.AddRow(Markup.Escape(s.Method), s.FitsPerSplit.ToString(CultureInfo.InvariantCulture), Markup.Escape(s.Hypervolume.ToString("F4")),
                s.MeanProfile.Hypervolume.ToString("F4", CultureInfo.InvariantCulture), Markup.Escape(s.TrainingSeconds.ToString("F1")), Markup.Escape(s.ScoringSeconds.ToString("F2")));
        AnsiConsole.Write(table);

        // The Model Builder view: every method's NDCG@1/3/5/10 per objective at each weight (mean over splits).
        var detail = new Table().Title("NDCG@1 / @3 / @5 / @10 on the test data at each weight (mean over splits)");
        detail.AddColumn("weights");
        detail.AddColumn("method");
        foreach (string objective in result.Objectives)
            detail.AddColumn(new TableColumn(Markup.Escape(objective)).RightAligned());
        for (int p = 0; p < result.Grid.Count; p++)
            foreach (var s in result.Summaries)
            {
                var point = s.MeanProfile.Points[p];
                var cells = new List<string> { FormatWeights(point.Weights), Markup.Escape(s.Method) };
                cells.AddRange(point.Ndcg.Select(n => string.Join(" / ", new[] { 1, 3, 5, 10 }.Where(k => k <= n.Length).Select(k => n[k - 1].ToString("F3", CultureInfo.InvariantCulture)))));
                detail.AddRow(cells.ToArray());
            }
        AnsiConsole.Write(detail);
        AnsiConsole.WriteLine(ComparisonMarkdown.Corners(result));
        string ratios = ComparisonMarkdown.Significance(result);
        if (ratios.Length > 0) AnsiConsole.WriteLine(ratios);
    }

    private static string FormatWeights(float[] weights) =>
        "(" + string.Join(", ", weights.Select(w => w.ToString("0.##", CultureInfo.InvariantCulture))) + ")";

    private static string Describe(IReadOnlyList<ObjectiveSpec> specs) => string.Join(", ", specs.Select(s => s.FeatureId is int id
        ? $"{s.ColumnName} = feature {id}, {(s.Direction == FeatureDirection.HigherIsBetter ? "higher" : "lower")} is better"
        : $"{s.ColumnName} = judged relevance"));

    private static string Slug(IEnumerable<string> objectives) => string.Join("-", objectives).ToLowerInvariant();

    /// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
