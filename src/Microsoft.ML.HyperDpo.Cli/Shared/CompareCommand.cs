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
/// Markdown report, two CSV files and a PNG of the fronts per set of objectives. The benchmarks program's <c>compare</c> is this
/// command with the flags of an <see cref="ICompareStudy"/> added (benchmark data sets, a section of docs/benchmarks.md).
/// </summary>
internal static class CompareCommand
{
    /// <summary>Every method of <see cref="FrontMethods.All"/>, by key: adding a method there adds it here.</summary>
    private static IEnumerable<string> MethodKeys => FrontMethods.All().Select(m => m.Key);

    /// <summary>The <c>compare</c> of <c>hyperdpo</c>: the user's data, the user's report folder.</summary>
    public static System.CommandLine.Command Create() => Create(study: null);

    /// <summary>
    /// <c>compare</c> with the flags of <paramref name="study"/> too (the benchmarks program's: benchmark data sets and its section of
    /// the benchmarks page); the same command otherwise.
    /// </summary>
    internal static System.CommandLine.Command Create(ICompareStudy? study)
    {
        var mq2008 = new Option<string?>("--mq2008") { Description = "Folder with MQ2008's S1.txt..S5.txt: run its standard folds (see --folds)." };
        var folds = new Option<string>("--folds") { Description = "MQ2008 folds to run, e.g. 1-5 or 1,3.", DefaultValueFactory = _ => "1-5", HelpName = SharedOptions.NumbersHelpName };
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
        var seed = SharedOptions.Seed("Seed of every fit (the first of --seeds).");
        var seeds = new Option<int>("--seeds")
        {
            Description = "How many seeds each method is fitted with on each split (a count: --seed, --seed + 1, ...); FastTree methods draw nothing at random and are fitted once per split. " +
                "The ratios to the FastTree score soup are means over the fold x seed runs with paired 95% bootstrap intervals.",
            DefaultValueFactory = _ => 3,
        };
        var output = new Option<string>("--output") { Description = "Folder for the reports (.md, .csv, -summary.csv, .png per set of objectives).", DefaultValueFactory = _ => "compare-report" };
        var command = new System.CommandLine.Command("compare",
            "HyperDPO vs. DPO-LS, DPO Soup, FastTree/LightGBM on scalarised labels and the FastTree score soup, on the same splits: fronts, hypervolume, time.")
        {
            mq2008, folds, train, valid, test, objectives, methods, grid, seed, seeds,
        };
        var trainerFlags = TrainerFlags.Bind(command, ["--epochs", "--ensemble-size", "--validation-grids", "--refit-on-validation"], new Dictionary<string, string> { ["--epochs"] = "Epochs of the DPO methods (default: the trainer's)." });
        // Options only K per-objective references read: set on HyperDPO on LambdaMART alone (the other DPO methods have no such references).
        var referenceFlags = TrainerFlags.Bind(command, ["--reference-reweighting", "--reference-folds"]);
        command.Options.Add(output);
        foreach (var option in study?.Options ?? [])
            command.Options.Add(option);
        command.SetAction(r =>
        {
            Func<HyperDpoRankingTrainer.Options> trainer = () => trainerFlags.Apply(new HyperDpoRankingTrainer.Options(), r);
            // Checked once here (with stand-in label names), so that a bad value fails before any data is read, naming its flag.
            var check = trainer();
            check.LabelColumnNames = new[] { "label", "objective" };
            check.Validate();
            var selected = SelectMethods(r.GetValue(methods)!, trainer, () => referenceFlags.Apply(trainer(), r));
            if (r.GetValue(grid) is < 1)
                throw new ArgumentException($"--grid must be at least 1 (the simplex lattice step is 1/m); got {r.GetValue(grid)}.");
            // The reports are written after hours of fitting: their paths are checked first.
            CliPaths.RequireOutputDirectory(r.GetValue(output), "--output");
            study?.Check(r);
            if (r.GetValue(seeds) < 1)
                throw new ArgumentException($"--seeds: {r.GetValue(seeds)} is not a count of seeds; give 1 or more (a count: seeds --seed, --seed + 1, ...).");
            var sets = study?.Sets(r, r.GetValue(seed)) ?? UserSets(
                r.GetValue(mq2008) is string folder
                    ? Mq2008Folds.Parse(r.GetValue(folds)!).Select(f => (Name: $"Fold{f}", Files: Mq2008Folds.Files(folder, f))).ToList()
                    : r.GetValue(train) is { Length: > 0 } t
                        ? new List<(string, (string[], string[], string[]))> { ("split", (CliPaths.Files(t, "--train"), CliPaths.Files(r.GetValue(valid), "--valid"), CliPaths.Files(r.GetValue(test), "--test"))) }
                        : throw new ArgumentException("Give --mq2008 FOLDER (its standard folds) or --train/--test files."),
                r.GetValue(objectives)!);
            return Run(sets, selected, r.GetValue(grid), r.GetValue(seed), r.GetValue(seeds), r.GetValue(output)!, study is null ? null : (reports, wall) => study.Written(r, reports, sets.Count, wall), study?.ReportPrefix(r) ?? "");
        });
        return command;
    }

    /// <summary>One comparison: its objectives' label columns, their description, and how to load its splits.</summary>
    internal sealed record ObjectiveSet(string[] Labels, string Description, Func<MLContext, List<ComparisonSplit>> Splits);

    /// <summary>One finished comparison: its title, its result and the report files written.</summary>
    internal sealed record Report(string Title, ComparisonResult Result, IReadOnlyList<string> Files);

    /// <summary>
    /// What the benchmarks program adds to <c>compare</c>: options, checks before any work, its own data sets in place of the
    /// user's, a prefix for the report files, and what it writes after every finished comparison (its section of the benchmarks page).
    /// </summary>
    internal interface ICompareStudy
    {
        IEnumerable<Option> Options { get; }
        void Check(ParseResult result);
        List<ObjectiveSet>? Sets(ParseResult result, int seed);
        string ReportPrefix(ParseResult result);
        void Written(ParseResult result, IReadOnlyList<Report> reports, int planned, TimeSpan wall);
    }

    private static string[] Split(string? files) => files?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? Array.Empty<string>();

    private static List<FrontMethod> SelectMethods(string text, Func<HyperDpoRankingTrainer.Options> trainer, Func<HyperDpoRankingTrainer.Options> perObjectiveReferences)
    {
        var all = FrontMethods.All(trainer, perObjectiveReferences);
        if (text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
            return all.ToList();
        return Split(text).Select(key => all.FirstOrDefault(m => m.Key.Equals(key, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"--methods: unknown method '{key}'; choose from {string.Join(", ", MethodKeys)} or 'all'.")).ToList();
    }

    private static List<ObjectiveSet> UserSets(List<(string Name, (string[] Train, string[] Valid, string[] Test) Files)> sources, string[] objectiveSets)
    {
        foreach (var (_, files) in sources)
        {
            foreach (string file in files.Train.Concat(files.Valid).Concat(files.Test))
                if (!File.Exists(file)) throw new FileNotFoundException($"Data file '{file}' does not exist.", file);
            if (files.Test.Length == 0) throw new ArgumentException("--test names no file: the fronts are measured on test data.");
        }
        return objectiveSets.Select(text =>
        {
            var specs = ObjectiveSpec.ParseList(text);
            return new ObjectiveSet(specs.Select(o => o.ColumnName).ToArray(), Describe(specs), ml => sources.Select(s =>
            {
                var data = RankingDataSets.FromLetor(ml, s.Files.Train, s.Files.Valid, s.Files.Test, specs);
                return new ComparisonSplit(s.Name, data.Train, data.Validation, data.Test!);
            }).ToList());
        }).ToList();
    }

    private static int Run(List<ObjectiveSet> sets, List<FrontMethod> methods, int? grid, int seed, int seeds, string output,
        Action<IReadOnlyList<Report>, TimeSpan>? written, string reportPrefix)
    {
        var wall = Stopwatch.StartNew();
        var reports = new List<Report>();
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
            string prefix = Path.Combine(output, reportPrefix + Slug(options.LabelColumnNames));
            var files = ComparisonReport.Write(result, prefix, title);
            AnsiConsole.MarkupLine($"Reports: {Markup.Escape(string.Join(", ", files))}");
            reports.Add(new Report(title, result, files));
            // After every set of objectives, so that an interrupted run still reports the sets it finished.
            written?.Invoke(reports, wall.Elapsed);
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
        foreach (string column in new[] { "method", "fits/split", "hypervolume", "from chance", "mean front", "training, s", "scoring, s" })
            table.AddColumn(new TableColumn(column).RightAligned());
        foreach (var s in result.Summaries)
            table.AddRow(Markup.Escape(s.Method), s.FitsPerSplit.ToString(CultureInfo.InvariantCulture), Markup.Escape(s.Hypervolume.ToString("F4")), Markup.Escape(s.HypervolumeFromChance.ToString("F4")),
                s.MeanProfile.Hypervolume.ToString("F4", CultureInfo.InvariantCulture), Markup.Escape(s.TrainingSeconds.ToString("F1")), Markup.Escape(s.ScoringSeconds.ToString("F2")));
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine(ComparisonMarkdown.ChanceText(result));

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
        AnsiConsole.WriteLine(ComparisonMarkdown.Targets(result));
    }

    private static string FormatWeights(float[] weights) =>
        "(" + string.Join(", ", weights.Select(w => w.ToString("0.##", CultureInfo.InvariantCulture))) + ")";

    private static string Describe(IReadOnlyList<ObjectiveSpec> specs) => string.Join(", ", specs.Select(s => s.FeatureId is int id
        ? $"{s.ColumnName} = feature {id}, {(s.Direction == FeatureDirection.HigherIsBetter ? "higher" : "lower")} is better"
        : $"{s.ColumnName} = judged relevance"));

    private static string Slug(IEnumerable<string> objectives) => string.Join("-", objectives).ToLowerInvariant();
}
