using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.ML.HyperDpo.Evaluation;
using Microsoft.ML.HyperDpo.Modeling.Conditioning;
using Microsoft.ML.HyperDpo.Modeling.Transformer;
using Microsoft.ML.HyperDpo.Cli;
using Microsoft.ML.HyperDpo.Comparison;
using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Benchmarks;

/// <summary>
/// <c>benchmark-conditioning</c>: every conditioning kind of both architectures on MQ2008's folds, for several sets of
/// objectives. Per kind: the hypervolume of the test front (NDCG@10 over the weight lattice, reference at the origin), each
/// objective's NDCG@10 at its own corner, the hypervolume of the same front from the chance point (<see cref="ChanceNdcg"/>), the
/// optimiser steps and the fit time, and the hypervolume on the fold's validation part (the figure that compares kinds without
/// touching a test part). With <c>--equal-steps</c> every fit runs all its epochs (early stopping only picks the kept epoch), and
/// the run stops with an error when two kinds of one fold, seed and set of objectives ran different numbers of steps. Two baselines
/// ride along on the transformer, each splitting one fit's epochs over its fits so that together they take the steps of one
/// conditioned fit: <c>Transformer:DpoLs</c> (DPO-LS, one unconditioned fit per grid weight on the fixed scalarised loss, 1/G of the
/// epochs each) and <c>Transformer:DpoSoup</c> (K unconditioned fits at the corners, 1/K of the epochs each, from the same initial
/// parameters, mixed by <see cref="ParameterSoup"/> at each grid weight). Writes its own section of docs/benchmarks.md.
/// </summary>
internal static class ConditioningBenchmarkCommand
{
    private const string Section = "benchmark-conditioning";

    /// <summary>The k of every NDCG@k this benchmark reports.</summary>
    private const int NdcgAt = 10;

    /// <summary>How a variant gets its front: one conditioned network, or several unconditioned fixed-weight ones.</summary>
    private enum Baseline
    {
        /// <summary>One network conditioned on w.</summary>
        None,

        /// <summary>DPO-LS: one unconditioned network per grid weight.</summary>
        DpoLs,

        /// <summary>DPO Soup: one unconditioned network per corner, parameters mixed at each grid weight.</summary>
        DpoSoup,
    }

    /// <summary>A network to compare: architecture and conditioning kind, or a fixed-weight baseline on that architecture.</summary>
    private sealed record Variant(string Name, RankerArchitecture Architecture, ConditioningKind Kind, Baseline Baseline = Baseline.None)
    {
        /// <summary>The name --kinds takes.</summary>
        public string Key => Baseline == Baseline.None ? $"{Architecture}:{Kind}" : $"{Architecture}:{Baseline}";
    }

    /// <summary>
    /// Every kind each architecture takes, from the registries (<see cref="ConditioningRegistry"/> for the MLP,
    /// <see cref="TransformerConditioning"/> for the transformer), except the kinds that never read the weights (they need
    /// FixedObjectiveWeights and trace no front): a kind added there is benchmarked here.
    /// </summary>
    private static readonly Variant[] Variants =
        ConditioningRegistry.Kinds.Where(k => !ConditioningRegistry.Get(k).IgnoresCondition).Select(k => new Variant($"MLP, {k}", RankerArchitecture.Mlp, k))
            .Concat(TransformerConditioning.Kinds.Where(k => !TransformerConditioning.IgnoresCondition(k)).Select(k => new Variant($"Transformer, {k}", RankerArchitecture.Transformer, k)))
            .Append(new Variant("Transformer, DPO-LS", RankerArchitecture.Transformer, ConditioningKind.None, Baseline.DpoLs))
            .Append(new Variant("Transformer, DPO Soup", RankerArchitecture.Transformer, ConditioningKind.None, Baseline.DpoSoup))
            .ToArray();

    private static readonly (string Name, string Objectives)[] Configurations =
    {
        ("K = 2: relevance, PageRank (feature 41, higher)", "label,feature:41:higher:PageRank"),
        ("K = 2: relevance, URL length (feature 45, lower)", "label,feature:45:lower:UrlLength"),
        ("K = 3: relevance, PageRank, URL length", "label,feature:41:higher:PageRank,feature:45:lower:UrlLength"),
    };

    public static System.CommandLine.Command Create()
    {
        var mq2008 = BenchmarkOptions.Mq2008();
        var folds = SharedOptions.Numbers("--folds", "MQ2008 folds to run, e.g. 1-5 or 1.", "1-5");
        var seed = SharedOptions.Seed("Seed of the first fit of each kind; --seeds fits use seed, seed + 1, ...");
        var seeds = new Option<int>("--seeds") { Description = "Fits per kind, fold and set of objectives, each with its own seed (means with 95% intervals over all fits).", DefaultValueFactory = _ => 1 };
        var kinds = new Option<string?>("--kinds") { Description = "Only these kinds, e.g. Mlp:Hypernetwork,Transformer:HyperPrompt,Transformer:DpoLs,Transformer:DpoSoup (default: all)." };
        var equalSteps = new Option<bool>("--equal-steps") { Description = "Every fit runs all its epochs (Validation.EarlyStoppingPatience = 0: the validation part still picks the kept epoch), so every kind gets the same optimiser steps; checked after each fit." };
        var sets = SharedOptions.Numbers("--objective-sets", "Only these sets of objectives, by number: 1 PageRank, 2 URL length, 3 both (default: all).");
        var output = BenchmarkOptions.BenchmarksPage();
        var command = new System.CommandLine.Command("benchmark-conditioning", "Compare every conditioning kind (MLP and transformer) on MQ2008: hypervolume, corners and fit time.")
        {
            mq2008, folds,
        };
        var trainerFlags = TrainerFlags.Bind(command, ["--epochs", "--transformer-blocks", "--transformer-width", "--transformer-document-scorer"], new Dictionary<string, string> { ["--epochs"] = "Most epochs per fit (default: the trainer's; early stopping on the fold's validation part)." });
        command.Options.Add(seed);
        command.Options.Add(seeds);
        command.Options.Add(kinds);
        command.Options.Add(sets);
        command.Options.Add(equalSteps);
        command.Options.Add(output);
        command.SetAction(r => Run(r.GetValue(mq2008)!, Mq2008Folds.Parse(r.GetValue(folds)!), () => trainerFlags.Apply(new HyperDpoRankingTrainer.Options(), r), r.GetValue(seed), r.GetValue(output)!,
            r.GetValue(seeds), r.GetValue(kinds), r.GetValue(sets), r.GetValue(equalSteps)));
        return command;
    }

    /// <summary>One fit's figures.</summary>
    private sealed record FitFigures(double TestHypervolume, double ChanceHypervolume, double[] Corners, double FitSeconds, double ValidationHypervolume, int Epochs, long Steps);

    private static int Run(string folder, IReadOnlyList<int> folds, Func<HyperDpoRankingTrainer.Options> trainerOptions, int firstSeed, string output, int seedCount, string? kinds, string? sets, bool equalSteps)
    {
        CliPaths.RequireOutputFile(output, "--benchmarks");
        if (seedCount < 1) throw new ArgumentException($"--seeds must be at least 1; got {seedCount}.");
        var variants = Enumerable.Range(0, Variants.Length).Where(v => kinds is null || kinds.Split(',', StringSplitOptions.TrimEntries)
            .Contains(Variants[v].Key, StringComparer.OrdinalIgnoreCase)).ToArray();
        if (variants.Length == 0)
            throw new ArgumentException($"--kinds '{kinds}' names no kind; known: {string.Join(", ", Variants.Select(v => v.Key))}.");
        var configurations = sets is null ? Enumerable.Range(0, Configurations.Length).ToArray()
            : NumberList.ParseRanges(sets, "--objective-sets", 1, Configurations.Length).Select(n => n - 1).ToArray();
        var results = new Dictionary<(int Configuration, int Variant), List<FitFigures>>();
        var objectiveNames = new string[Configurations.Length][];
        var chance = new Dictionary<(int Configuration, int Fold), double[]>();
        var done = new List<int>();
        foreach (int fold in folds)
        {
            var (trainFiles, validFiles, testFiles) = Mq2008Folds.Files(folder, fold);
            foreach (int c in configurations)
            for (int seed = firstSeed; seed < firstSeed + seedCount; seed++)
            {
                var ml = new MLContext(seed);
                var data = RankingDataSets.FromLetor(ml, trainFiles, validFiles, testFiles, ObjectiveSpec.ParseList(Configurations[c].Objectives));
                objectiveNames[c] = data.Objectives;
                // The labels of the test part alone decide the chance point, so the first seed computes it for all.
                if (!chance.TryGetValue((c, fold), out var chancePoint))
                    chance[(c, fold)] = chancePoint = ChanceNdcg.Expected(ml, data.Test!, data.Objectives, truncation: NdcgAt);
                var stepsOfKinds = new List<(string Kind, long Steps)>();
                foreach (int v in variants)
                {
                    var variant = Variants[v];
                    HyperDpoRankingTrainer.Options Options()
                    {
                        var options = trainerOptions();
                        options.LabelColumnNames = data.Objectives;
                        options.Seed = seed;
                        options.Network.Architecture = variant.Architecture;
                        options.Network.Conditioning = variant.Kind;
                        if (equalSteps) options.Validation.EarlyStoppingPatience = 0;
                        return options;
                    }
                    var (test, validation, reports) = variant.Baseline == Baseline.None ? FitConditioned(ml, data, Options()) : FitBaseline(ml, data, Options, variant.Baseline, equalSteps, seed);
                    var corners = Enumerable.Range(0, data.Objectives.Length)
                        .Select(k => test.Points.Single(p => p.Weights[k] == 1f).Ndcg[k][NdcgAt - 1]).ToArray();
                    // Several fits (DPO-LS, DPO Soup) add up: their steps, epochs and wall time are the variant's cost.
                    var run = new FitFigures(test.Hypervolume, Hypervolume.Compute(test.Points.Select(p => p.At(NdcgAt)).ToList(), chancePoint), corners,
                        reports.Sum(r => r.TrainingTime.TotalSeconds), validation.Hypervolume, reports.Sum(r => r.Epochs.Count), reports.Sum(r => r.OptimiserSteps));
                    stepsOfKinds.Add((variant.Name, run.Steps));
                    if (equalSteps && stepsOfKinds.Select(k => k.Steps).Distinct().Count() > 1)
                        throw new InvalidOperationException($"--equal-steps: on fold {fold}, seed {seed}, {Configurations[c].Name} the kinds ran different optimiser steps " +
                            $"({string.Join(", ", stepsOfKinds.Select(k => $"{k.Kind}: {k.Steps}"))}); every kind must run the same batches for the same epochs.");
                    if (!results.TryGetValue((c, v), out var list)) results[(c, v)] = list = new List<FitFigures>();
                    list.Add(run);
                    AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                        $"Fold {fold}, seed {seed}, {Configurations[c].Name}, {variant.Name}: test hypervolume {run.TestHypervolume:F4} ({run.ChanceHypervolume:F4} from chance), corners {string.Join(" / ", corners.Select(x => x.ToString("F4", CultureInfo.InvariantCulture)))}, validation hypervolume {run.ValidationHypervolume:F4}, {run.FitSeconds:F1} s ({run.Epochs} epochs, {run.Steps} steps)")));
                }
            }

            // The section is rewritten after every fold, so an interrupted run still reports the folds it finished.
            done.Add(fold);
            BenchmarkReport.WriteSection(output, Section, Markdown(results, objectiveNames, chance, done, seedCount, equalSteps));
            AnsiConsole.MarkupLine($"Wrote the [bold]{Section}[/] section of {Markup.Escape(output)} (folds {string.Join(", ", done)}).");
        }
        AnsiConsole.WriteLine(Markdown(results, objectiveNames, chance, done, seedCount, equalSteps));
        return 0;
    }

    /// <summary>One conditioned fit, profiled over the default lattice on the test and validation parts.</summary>
    private static (ParetoProfile Test, ParetoProfile Validation, TrainingReport[] Reports) FitConditioned(MLContext ml, RankingDataSets data, HyperDpoRankingTrainer.Options options)
    {
        var model = ml.Ranking.Trainers.HyperDpo(options).Fit(data.Train, data.Validation);
        return (ParetoProfiler.Profile(ml, model, data.Test!), ParetoProfiler.Profile(ml, model, data.Validation!), [model.TrainingReport!]);
    }

    /// <summary>
    /// A fixed-weight baseline, fitted by the comparison's own method (<see cref="DpoLinearScalarization"/> or <see cref="DpoSoup"/>)
    /// with each fit given <see cref="EpochsPerFit"/> of the epochs, and profiled at the weights of the default lattice. DPO-LS fits
    /// every lattice weight and ranks with the fit of that weight; DPO Soup fits the K corners (same seed, so the same initial
    /// parameters) and ranks with their parameter mix.
    /// </summary>
    private static (ParetoProfile Test, ParetoProfile Validation, TrainingReport[] Reports) FitBaseline(MLContext ml, RankingDataSets data,
        Func<HyperDpoRankingTrainer.Options> options, Baseline baseline, bool equalSteps, int seed)
    {
        int objectives = data.Objectives.Length;
        var grid = SimplexLattice.Points(objectives, ParetoProfileOptions.DefaultGridDivisions(objectives));
        int fits = baseline == Baseline.DpoLs ? grid.Count : objectives;
        HyperDpoRankingTrainer.Options Split()
        {
            var o = options();
            o.Optimiser.NumberOfEpochs = EpochsPerFit(o.Optimiser.NumberOfEpochs, fits, equalSteps, baseline);
            return o;
        }
        FrontMethod method = baseline == Baseline.DpoLs ? new DpoLinearScalarization(Split) : new DpoSoup(Split);
        // The columns the trainer options name, as the conditioned fits read them.
        var columns = options();
        var context = new FrontFitContext(ml, new ComparisonSplit("benchmark", data.Train, data.Validation, data.Test!), data.Objectives,
            columns.FeatureColumnName, columns.RowGroupColumnName, grid, seed, ModelFitted: null);
        var fitted = method.Fit(context);
        var profile = new ParetoProfileOptions { Weights = grid };
        return (ParetoProfiler.Profile(ml, fitted.ModelAt, data.Test!, data.Objectives, profile), ParetoProfiler.Profile(ml, fitted.ModelAt, data.Validation!, data.Objectives, profile),
            fitted.Reports.ToArray());
    }

    /// <summary>
    /// The epochs of each of <paramref name="fits"/> fits sharing the budget of one fit of <paramref name="epochs"/> epochs. Every
    /// fit runs the same batches an epoch, so equal epochs in total are equal steps; with --equal-steps the split must be exact.
    /// Without it the epochs are rounded up (a fit needs one), and the reported steps show the difference.
    /// </summary>
    private static int EpochsPerFit(int epochs, int fits, bool equalSteps, Baseline baseline)
    {
        if (equalSteps && epochs % fits != 0)
            throw new ArgumentException($"--equal-steps with {baseline}: --epochs {epochs} does not split evenly over its {fits} fits; use a multiple of {fits}, e.g. {fits * Math.Max(1, epochs / fits)}.");
        return (epochs + fits - 1) / fits;
    }

    private static string Markdown(Dictionary<(int Configuration, int Variant), List<FitFigures>> results, string[][] objectiveNames,
        Dictionary<(int Configuration, int Fold), double[]> chance, IReadOnlyList<int> folds, int seedCount, bool equalSteps)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        var defaults = new HyperDpoRankingTrainer.Options().Network;
        md.AppendLine("## Conditioning kinds (`benchmark-conditioning`)");
        md.AppendLine();
        md.AppendLine(ReportHeader.WrittenBy(Program.Run) + ".");
        md.AppendLine();
        md.AppendLine($"MQ2008, fold{(folds.Count == 1 ? "" : "s")} {string.Join(", ", folds)} ({folds.Count} of 5), {seedCount} seed{(seedCount == 1 ? "" : "s")} per fold; " +
            "each figure is the mean over the fits, with a 95% t interval over them in brackets (folds and seeds pooled). Every kind runs the same batches (the batcher depends on the data and the seed only), so equal epochs are equal optimiser steps; " +
            (equalSteps ? "with --equal-steps every fit ran all its epochs (early stopping only picked the kept epoch) and the run checked that every kind of a fold, seed and set of objectives took the same optimiser steps. "
                : "early stopping makes the epochs differ, so the optimiser steps, the epochs and the wall time are all reported. ") +
            "Transformer, DPO-LS: one unconditioned transformer per weight of the lattice, each on the fixed loss sum_k w_k L_k with 1/G of the epochs (G the lattice's weights; rounded up without --equal-steps), its steps, epochs and fit time summed over the G fits. " +
            "Transformer, DPO Soup: K unconditioned transformers, one per objective alone, each with 1/K of the epochs from the same initial parameters; the ranker at w has every parameter mixed as sum_k w_k theta_k (ParameterSoup), steps, epochs and time summed over the K fits. " +
            "Default trainer options " +
            string.Create(inv, $"(MLP {string.Join(", ", defaults.HiddenSizes)}; transformer width {defaults.TransformerWidth}, {defaults.AttentionHeads} heads, {defaults.TransformerBlocks} block{(defaults.TransformerBlocks == 1 ? "" : "s")}, {defaults.PromptCount} prompts, unless the command line sets them), ") + "early stopping on each fold's validation part, 1 LibTorch thread. " +
            "Test: the fold's test part, hypervolume of the NDCG@10 front over the weight lattice (reference at the origin), the same front's hypervolume from the chance point, and each objective's NDCG@10 at its own corner. " +
            "The chance point is each objective's expected NDCG@10 when every test query's documents are ranked in a uniformly random order, computed exactly from the test labels (ChanceNdcg; no sampling): " +
            "a ranker gets hypervolume from chance only for what it does better than chance on every objective. " +
            "Validation: the same hypervolume on the fold's validation part, which is also the early-stopping data; compare kinds on it, not on the test figures. " +
            "Fit: training time, validation included. Timings come from a shared, busy machine: compare them within this table only.");
        md.AppendLine();
        for (int c = 0; c < Configurations.Length; c++)
        {
            var points = folds.Where(f => chance.ContainsKey((c, f))).Select(f => string.Create(inv, $"fold {f} ({string.Join(", ", chance[(c, f)].Select(x => x.ToString("F4", inv)))})")).ToArray();
            if (points.Length > 0)
                md.AppendLine(string.Create(inv, $"Chance point, {Configurations[c].Name} ({string.Join(", ", objectiveNames[c])}): {string.Join("; ", points)}.")).AppendLine();
        }
        for (int c = 0; c < Configurations.Length; c++)
        {
            // A set of objectives the run left out (--objective-sets) gets no heading of its own.
            if (!results.Keys.Any(key => key.Configuration == c)) continue;
            md.AppendLine(string.Create(inv, $"### {Configurations[c].Name}"));
            md.AppendLine();
            md.AppendLine($"| kind | test hypervolume | from chance | corners ({string.Join(" / ", objectiveNames[c] ?? Array.Empty<string>())}) | validation hypervolume | steps | fit (s) | epochs |");
            md.AppendLine("|---|---|---|---|---|---|---|---|");
            for (int v = 0; v < Variants.Length; v++)
            {
                if (!results.TryGetValue((c, v), out var runs)) continue;
                var corners = Enumerable.Range(0, runs[0].Corners.Length).Select(k => runs.Average(r => r.Corners[k]).ToString("F4", inv));
                string Interval(Func<FitFigures, double> figure, string format)
                {
                    var i = SeedInterval.Of(runs.Select(figure).ToArray());
                    return runs.Count == 1 ? i.Mean.ToString(format, inv) : string.Create(inv, $"{i.Mean.ToString(format, inv)} [{i.Low.ToString(format, inv)}, {i.High.ToString(format, inv)}]");
                }
                md.AppendLine(string.Create(inv, $"| {Variants[v].Name} | {Interval(r => r.TestHypervolume, "F4")} | {Interval(r => r.ChanceHypervolume, "F4")} | {string.Join(" / ", corners)} | {Interval(r => r.ValidationHypervolume, "F4")} | {runs.Average(r => r.Steps):F0} | {Interval(r => r.FitSeconds, "F1")} | {runs.Average(r => r.Epochs):F1} |"));
            }
            md.AppendLine();
        }
        return md.ToString();
    }
}
