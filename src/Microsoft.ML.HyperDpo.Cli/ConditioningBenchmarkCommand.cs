using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.ML.HyperDpo.Evaluation;
using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary>
/// <c>hyperdpo benchmark-conditioning</c>: every conditioning kind of both architectures on MQ2008's folds, for several sets of
/// objectives. Per kind: the hypervolume of the test front (NDCG@10 over the weight lattice, reference at the origin), each
/// objective's NDCG@10 at its own corner, the fit time, and the hypervolume on the fold's validation part (the figure that
/// compares kinds without touching a test part). Writes its own section of docs/benchmarks.md.
/// </summary>
internal static class ConditioningBenchmarkCommand
{
    private const string Section = "benchmark-conditioning";

    /// <summary>A network to compare: architecture and conditioning kind.</summary>
    private sealed record Variant(string Name, RankerArchitecture Architecture, ConditioningKind Kind);

    private static readonly Variant[] Variants =
    {
        new("MLP, Input (w concatenated)", RankerArchitecture.Mlp, ConditioningKind.Input),
        new("MLP, FiLM", RankerArchitecture.Mlp, ConditioningKind.FiLM),
        new("MLP, Hypernetwork (blend of output heads)", RankerArchitecture.Mlp, ConditioningKind.Hypernetwork),
        new("MLP, FullHypernetwork (generated weights)", RankerArchitecture.Mlp, ConditioningKind.FullHypernetwork),
        new("Transformer, HyperPrompt (HPT)", RankerArchitecture.Transformer, ConditioningKind.HyperPrompt),
        new("Transformer, WeightToken (w as one token)", RankerArchitecture.Transformer, ConditioningKind.WeightToken),
        new("Transformer, Input (w concatenated to every document)", RankerArchitecture.Transformer, ConditioningKind.Input),
    };

    private static readonly (string Name, string Objectives)[] Configurations =
    {
        ("K = 2: relevance, PageRank (feature 41, higher)", "label,feature:41:higher:PageRank"),
        ("K = 2: relevance, URL length (feature 45, lower)", "label,feature:45:lower:UrlLength"),
        ("K = 3: relevance, PageRank, URL length", "label,feature:41:higher:PageRank,feature:45:lower:UrlLength"),
    };

    public static System.CommandLine.Command Create()
    {
        var mq2008 = new Option<string>("--mq2008") { Description = "Folder with MQ2008's S1.txt..S5.txt.", DefaultValueFactory = _ => Path.Combine("..", "shared", "data", "letor4-mq2008") };
        var folds = new Option<string>("--folds") { Description = "MQ2008 folds to run, e.g. 1-5 or 1.", DefaultValueFactory = _ => "1-5" };
        var epochs = new Option<int?>("--epochs") { Description = "Most epochs per fit (default: the trainer's; early stopping on the fold's validation part)." };
        var seed = new Option<int>("--seed") { Description = "Seed of every fit.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--benchmarks") { Description = "The benchmarks page whose section this command writes.", DefaultValueFactory = _ => Path.Combine("docs", "benchmarks.md") };
        var command = new System.CommandLine.Command("benchmark-conditioning", "Compare every conditioning kind (MLP and transformer) on MQ2008: hypervolume, corners and fit time.")
        {
            mq2008, folds, epochs, seed, output,
        };
        command.SetAction(r => Run(r.GetValue(mq2008)!, Mq2008Folds.Parse(r.GetValue(folds)!), r.GetValue(epochs), r.GetValue(seed), r.GetValue(output)!));
        return command;
    }

    /// <summary>One fit's figures.</summary>
    private sealed record FitFigures(double TestHypervolume, double[] Corners, double FitSeconds, double ValidationHypervolume, int Epochs);

    private static int Run(string folder, IReadOnlyList<int> folds, int? epochs, int seed, string output)
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
                    var options = new HyperDpoRankingTrainer.Options
                    {
                        LabelColumnNames = data.Objectives,
                        Seed = seed,
                        Network = { Architecture = variant.Architecture, Conditioning = variant.Kind },
                    };
                    if (epochs is int e) options.Optimiser.NumberOfEpochs = e;
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
        md.AppendLine("## Conditioning kinds (`hyperdpo benchmark-conditioning`)");
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
