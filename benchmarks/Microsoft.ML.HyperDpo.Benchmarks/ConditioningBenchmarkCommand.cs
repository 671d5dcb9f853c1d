using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.ML.HyperDpo.Evaluation;
using Microsoft.ML.HyperDpo.Modeling.Conditioning;
using Microsoft.ML.HyperDpo.Modeling.Transformer;
using Microsoft.ML.HyperDpo.Cli;
using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Benchmarks;

/// <summary>
/// <c>benchmark-conditioning</c>: every conditioning kind of both architectures on MQ2008's folds, for several sets of
/// objectives. Per kind: the hypervolume of the test front (NDCG@10 over the weight lattice, reference at the origin), each
/// objective's NDCG@10 at its own corner, the fit time, and the hypervolume on the fold's validation part (the figure that
/// compares kinds without touching a test part). Writes its own section of docs/benchmarks.md.
/// </summary>
internal static class ConditioningBenchmarkCommand
{
    private const string Section = "benchmark-conditioning";

    /// <summary>A network to compare: architecture and conditioning kind.</summary>
    private sealed record Variant(string Name, RankerArchitecture Architecture, ConditioningKind Kind);

    /// <summary>
    /// Every kind each architecture takes, from the registries (<see cref="ConditioningRegistry"/> for the MLP,
    /// <see cref="TransformerConditioning"/> for the transformer), except the kinds that never read the weights (they need
    /// FixedObjectiveWeights and trace no front): a kind added there is benchmarked here.
    /// </summary>
    private static readonly Variant[] Variants =
        ConditioningRegistry.Kinds.Where(k => !ConditioningRegistry.Get(k).IgnoresCondition).Select(k => new Variant($"MLP, {k}", RankerArchitecture.Mlp, k))
            .Concat(TransformerConditioning.Kinds.Where(k => !TransformerConditioning.IgnoresCondition(k)).Select(k => new Variant($"Transformer, {k}", RankerArchitecture.Transformer, k)))
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
        var seed = SharedOptions.Seed("Seed of every fit.");
        var output = BenchmarkOptions.BenchmarksPage();
        var command = new System.CommandLine.Command("benchmark-conditioning", "Compare every conditioning kind (MLP and transformer) on MQ2008: hypervolume, corners and fit time.")
        {
            mq2008, folds,
        };
        var trainerFlags = TrainerFlags.Bind(command, ["--epochs"], new Dictionary<string, string> { ["--epochs"] = "Most epochs per fit (default: the trainer's; early stopping on the fold's validation part)." });
        command.Options.Add(seed);
        command.Options.Add(output);
        command.SetAction(r => Run(r.GetValue(mq2008)!, Mq2008Folds.Parse(r.GetValue(folds)!), () => trainerFlags.Apply(new HyperDpoRankingTrainer.Options(), r), r.GetValue(seed), r.GetValue(output)!));
        return command;
    }

    /// <summary>One fit's figures.</summary>
    private sealed record FitFigures(double TestHypervolume, double[] Corners, double FitSeconds, double ValidationHypervolume, int Epochs);

    private static int Run(string folder, IReadOnlyList<int> folds, Func<HyperDpoRankingTrainer.Options> trainerOptions, int seed, string output)
    {
        CliPaths.RequireOutputFile(output, "--benchmarks");
        var results = new Dictionary<(int Configuration, int Variant), List<FitFigures>>();
        var objectiveNames = new string[Configurations.Length][];
        var done = new List<int>();
        foreach (int fold in folds)
        {
            var (trainFiles, validFiles, testFiles) = Mq2008Folds.Files(folder, fold);
            for (int c = 0; c < Configurations.Length; c++)
            {
                var ml = new MLContext(seed);
                var data = RankingDataSets.FromLetor(ml, trainFiles, validFiles, testFiles, ObjectiveSpec.ParseList(Configurations[c].Objectives));
                objectiveNames[c] = data.Objectives;
                for (int v = 0; v < Variants.Length; v++)
                {
                    var variant = Variants[v];
                    var options = trainerOptions();
                    options.LabelColumnNames = data.Objectives;
                    options.Seed = seed;
                    options.Architecture = variant.Architecture;
                    options.Conditioning = variant.Kind;
                    var model = ml.Ranking.Trainers.HyperDpo(options).Fit(data.Train, data.Validation);
                    var test = ParetoProfiler.Profile(ml, model, data.Test!);
                    var validation = ParetoProfiler.Profile(ml, model, data.Validation!);
                    var corners = Enumerable.Range(0, data.Objectives.Length)
                        .Select(k => test.Points.Single(p => p.Weights[k] == 1f).Ndcg[k][9]).ToArray();
                    var run = new FitFigures(test.Hypervolume, corners, model.TrainingReport!.TrainingTime.TotalSeconds, validation.Hypervolume, model.TrainingReport.Epochs.Count);
                    if (!results.TryGetValue((c, v), out var list)) results[(c, v)] = list = new List<FitFigures>();
                    list.Add(run);
                    AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                        $"Fold {fold}, {Configurations[c].Name}, {variant.Name}: test hypervolume {run.TestHypervolume:F4}, corners {string.Join(" / ", corners.Select(x => x.ToString("F4", CultureInfo.InvariantCulture)))}, validation hypervolume {run.ValidationHypervolume:F4}, {run.FitSeconds:F1} s ({run.Epochs} epochs)")));
                }
            }

            // The section is rewritten after every fold, so an interrupted run still reports the folds it finished.
            done.Add(fold);
            BenchmarkReport.WriteSection(output, Section, Markdown(results, objectiveNames, done));
            AnsiConsole.MarkupLine($"Wrote the [bold]{Section}[/] section of {Markup.Escape(output)} (folds {string.Join(", ", done)}).");
        }
        AnsiConsole.WriteLine(Markdown(results, objectiveNames, done));
        return 0;
    }

    private static string Markdown(Dictionary<(int Configuration, int Variant), List<FitFigures>> results, string[][] objectiveNames, IReadOnlyList<int> folds)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("## Conditioning kinds (`benchmark-conditioning`)");
        md.AppendLine();
        md.AppendLine(ReportHeader.WrittenBy(Program.Run) + ".");
        md.AppendLine();
        md.AppendLine($"MQ2008, fold{(folds.Count == 1 ? "" : "s")} {string.Join(", ", folds)} ({folds.Count} of 5; means over them), default trainer options " +
            "(MLP 128, 64; transformer width 64, 4 heads, 2 blocks, 4 prompts), early stopping on each fold's validation part, 1 LibTorch thread. " +
            "Test: the fold's test part, hypervolume of the NDCG@10 front over the weight lattice (reference at the origin) and each objective's NDCG@10 at its own corner. " +
            "Validation: the same hypervolume on the fold's validation part, which is also the early-stopping data; compare kinds on it, not on the test figures. " +
            "Fit: training time, validation included. Timings come from a shared, busy machine: compare them within this table only.");
        md.AppendLine();
        for (int c = 0; c < Configurations.Length; c++)
        {
            md.AppendLine(string.Create(inv, $"### {Configurations[c].Name}"));
            md.AppendLine();
            md.AppendLine($"| kind | test hypervolume | corners ({string.Join(" / ", objectiveNames[c] ?? Array.Empty<string>())}) | validation hypervolume | fit (s) | epochs |");
            md.AppendLine("|---|---|---|---|---|---|");
            for (int v = 0; v < Variants.Length; v++)
            {
                if (!results.TryGetValue((c, v), out var runs)) continue;
                var corners = Enumerable.Range(0, runs[0].Corners.Length).Select(k => runs.Average(r => r.Corners[k]).ToString("F4", inv));
                md.AppendLine(string.Create(inv, $"| {Variants[v].Name} | {runs.Average(r => r.TestHypervolume):F4} | {string.Join(" / ", corners)} | {runs.Average(r => r.ValidationHypervolume):F4} | {runs.Average(r => r.FitSeconds):F1} | {runs.Average(r => r.Epochs):F1} |"));
            }
            md.AppendLine();
        }
        return md.ToString();
    }
}
