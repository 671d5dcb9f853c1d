using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Comparison;
using Microsoft.ML.HyperDpo.Evaluation;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.HyperDpo.Cli;
using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Benchmarks;

/// <summary>
/// <c>benchmark-temperature</c>: what the temperature beta does. On one MQ2008 fold (validation part for every figure that
/// could choose something, test part reported only), it fits a temperature-conditioned model on FastTree LambdaMART references
/// (<see cref="HyperDpoRankingTrainer.ReferenceOptions.Source"/>) and one without references, and the same two at the fixed
/// default beta. Per beta of a grid on the range: the validation and test hypervolume, Kendall's tau-b between the model's ranking
/// and the reference soup's (mean over test queries), and each objective's test NDCG@10 at a few weights. Writes its own section
/// of docs/benchmarks.md.
/// </summary>
internal static class TemperatureBenchmarkCommand
{
    private const string Section = "benchmark-temperature";

    public static System.CommandLine.Command Create()
    {
        var mq2008 = BenchmarkOptions.Mq2008();
        var fold = new Option<int>("--fold") { Description = "The MQ2008 fold (train on its three training parts, validate on the fourth, report on the fifth).", DefaultValueFactory = _ => 1 };
        var objectives = new Option<string>("--objectives") { Description = "Objectives, as for train.", DefaultValueFactory = _ => "label,feature:41:higher:PageRank" };
        var range = SharedOptions.Numbers("--temperature-range", "The trained temperature range MIN,MAX.", "1,25");
        var fixedBetas = SharedOptions.Numbers("--fixed-betas", "Temperatures of the fixed-beta fits, comma-separated (default: the trainer's Beta).");
        var seed = SharedOptions.Seed("Seed of every fit.");
        var output = BenchmarkOptions.BenchmarksPage();
        var command = new System.CommandLine.Command("benchmark-temperature",
            "Measure what the temperature beta does on MQ2008: hypervolume, distance to the LambdaMART reference (Kendall tau) and NDCG per objective, per beta.")
        {
            mq2008, fold, objectives, range, fixedBetas,
        };
        var trainerFlags = TrainerFlags.Bind(command, ["--epochs"], new Dictionary<string, string> { ["--epochs"] = "Most epochs per fit (default: the trainer's; early stopping on the validation part)." });
        command.Options.Add(seed);
        command.Options.Add(output);
        command.SetAction(r => Run(r.GetValue(mq2008)!, r.GetValue(fold), r.GetValue(objectives)!, TrainerFlags.ParseTemperatureRange(r.GetValue(range)!),
            ParseBetas(r.GetValue(fixedBetas)), () => trainerFlags.Apply(new HyperDpoRankingTrainer.Options(), r), r.GetValue(seed), r.GetValue(output)!));
        return command;
    }

    /// <summary>One model at one beta: validation and test hypervolume, and per weight of <see cref="Weights"/> tau and per-objective NDCG@10 on the test part.</summary>
    private sealed record BetaFigures(float Beta, double ValidationHypervolume, double TestHypervolume, double[] Tau, double[][] Ndcg);

    /// <summary>One fitted model's rows of the table.</summary>
    private sealed record ModelFigures(string Name, float[]? Range, double FitSeconds, double ReferenceSeconds, int Epochs, float? ChosenBeta, List<BetaFigures> Betas);

    private static float[][] Weights(int k) => k == 2
        ? new[] { new[] { 1f, 0f }, new[] { 0.5f, 0.5f }, new[] { 0f, 1f } }
        : Enumerable.Range(0, k).Select(j => Enumerable.Range(0, k).Select(i => i == j ? 1f : 0f).ToArray())
            .Append(Enumerable.Repeat(1f / k, k).ToArray()).ToArray();

    private static float[] ParseBetas(string? text) =>
        text is null ? new[] { new HyperDpoRankingTrainer.Options().Loss.Beta } : NumberList.Parse(text, "--fixed-betas", positive: true);

    private static int Run(string folder, int fold, string objectiveText, float[] range, float[] fixedBetas, Func<HyperDpoRankingTrainer.Options> trainerOptions, int seed, string output)
    {
        CliPaths.RequireOutputFile(output, "--benchmarks");
        if (fold is < 1 or > 5) throw new ArgumentException($"--fold must be 1 to 5; got {fold}.");
        var (trainFiles, validFiles, testFiles) = Mq2008Folds.Files(folder, fold);
        var ml = new MLContext(seed);
        var data = RankingDataSets.FromLetor(ml, trainFiles, validFiles, testFiles, ObjectiveSpec.ParseList(objectiveText));
        AnsiConsole.MarkupLine($"[bold]Data:[/] {Markup.Escape(data.Description)}");
        var rule = ScalarisedLabelRule.Fit(data.Train, data.Objectives);
        IEstimator<ITransformer>[] References() => data.Objectives.Select(label => (IEstimator<ITransformer>)ml.Ranking.Trainers.FastTree(new FastTreeRankingTrainer.Options
        {
            LabelColumnName = label,
            FeatureColumnName = "Features",
            RowGroupColumnName = "GroupId",
            CustomGains = rule.Gains,
        })).ToArray();
        float defaultBeta = new HyperDpoRankingTrainer.Options().Loss.Beta;
        var grid = Modeling.ConditionVector.TemperatureGrid(range, TrainingLoop.TemperatureGridSize);
        var variants = new[] { (Prefix: "on LambdaMART", References: true), (Prefix: "no reference", References: false) }
            .SelectMany(v => fixedBetas.Select(b => (Name: string.Create(CultureInfo.InvariantCulture, $"{v.Prefix}, fixed beta {b}"), v.References, Range: (float[]?)null, Beta: b))
                .Prepend(($"{v.Prefix}, temperature-conditioned", v.References, range, defaultBeta)))
            .ToArray();
        var results = new List<ModelFigures>();
        ITransformer? referenceChain = null;
        foreach (var (name, withReferences, fitRange, fixedBeta) in variants)
        {
            var options = trainerOptions();
            options.LabelColumnNames = data.Objectives;
            options.Seed = seed;
            options.Loss.TemperatureRange = fitRange;
            options.Loss.Beta = fixedBeta;
            if (withReferences) options.References.Source = ReferenceSource.FitPerObjective(References());
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var model = ml.Ranking.Trainers.HyperDpo(options).Fit(data.Train, data.Validation);
            double seconds = clock.Elapsed.TotalSeconds;
            // Every model is compared with the same reference: the first fit's LambdaMART score soup.
            referenceChain ??= model.ReferenceTransformer;
            var betas = new List<BetaFigures>();
            foreach (float beta in fitRange is null ? new[] { fixedBeta } : grid)
            {
                var at = fitRange is null ? model : model.WithTemperature(beta);
                betas.Add(Measure(ml, at, beta, data, referenceChain!));
                var b = betas[^1];
                AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"{name}, beta {beta:G4}: validation hypervolume {b.ValidationHypervolume:F4}, test hypervolume {b.TestHypervolume:F4}, tau {string.Join(" / ", b.Tau.Select(t => t.ToString("F3", CultureInfo.InvariantCulture)))}")));
            }
            results.Add(new ModelFigures(name, fitRange, seconds, model.TrainingReport!.ReferenceFitTime.TotalSeconds, model.TrainingReport.Epochs.Count, model.Temperature, betas));
        }
        BenchmarkReport.Publish(output, Section, Markdown(results, data, fold, range, fixedBetas));
        return 0;
    }

    private static BetaFigures Measure(MLContext ml, HyperDpoRankingTransformer model, float beta, RankingDataSets data, ITransformer reference)
    {
        double validation = ParetoProfiler.Profile(ml, model, data.Validation!).Hypervolume;
        double test = ParetoProfiler.Profile(ml, model, data.Test!).Hypervolume;
        var weights = Weights(model.Objectives.Count);
        var referenceScores = reference.Transform(data.Test!).GetColumn<float[]>(ReferenceScores.ColumnName).ToArray();
        var starts = Evaluation.ContiguousGroups.Require(data.Test!, "GroupId", "benchmark-temperature");
        var tau = new double[weights.Length];
        var ndcg = new double[weights.Length][];
        for (int i = 0; i < weights.Length; i++)
        {
            var w = weights[i];
            var scored = model.WithObjectiveWeights(w).Transform(data.Test!);
            var scores = scored.GetColumn<float>("Score").ToArray();
            var soup = referenceScores.Select(r => r.Select((v, k) => w[k] * v).Sum()).ToArray();
            tau[i] = KendallTau.MeanOverQueries(scores, soup, starts);
            ndcg[i] = ObjectiveNdcg.Measure(ml, scored, model.Objectives).Select(perK => perK[9]).ToArray();
        }
        return new BetaFigures(beta, validation, test, tau, ndcg);
    }

    private static string Markdown(List<ModelFigures> results, RankingDataSets data, int fold, float[] range, float[] fixedBetas)
    {
        var inv = CultureInfo.InvariantCulture;
        var weights = Weights(data.Objectives.Length);
        string W(float[] w) => "(" + string.Join(", ", w.Select(v => v.ToString("0.##", inv))) + ")";
        var md = new StringBuilder();
        md.AppendLine("## Temperature (`benchmark-temperature`)");
        md.AppendLine();
        md.AppendLine(ReportHeader.WrittenBy(Program.Run) + ".");
        md.AppendLine();
        string low = range[0].ToString(inv), high = range[1].ToString(inv), fixedBeta = string.Join(", ", fixedBetas.Select(b => b.ToString(inv)));
        md.AppendLine($"MQ2008 fold {fold}: trained on its three training parts, early stopping and every choice on its validation part, test figures reported only. " +
            $"Objectives: {string.Join(", ", data.Objectives)}. Temperature-conditioned fits draw beta per list, log-uniform on [{low}, {high}], " +
            $"and keep as default the grid temperature with the largest validation hypervolume (marked *); fixed fits use beta = {fixedBeta} (the trainer's default is {new HyperDpoRankingTrainer.Options().Loss.Beta.ToString(inv)}). " +
            "References: one FastTree LambdaMART ranker per objective, fitted by the trainer (ReferenceSource.FitPerObjective). " +
            "Hypervolume: of the NDCG@10 front over the validation weight lattice, reference at the origin. " +
            "Kendall tau: tau-b between the model's and the LambdaMART reference soup's rankings at the same weights, mean over test queries " +
            "(the same reference for every row, also for the fits without one). Fit: seconds, reference fits and validation included (the first fit's reference time also holds ML.NET's first pass over the cached data); a shared, busy machine.");
        md.AppendLine();
        md.AppendLine($"| model | beta | validation hypervolume | test hypervolume | {string.Join(" | ", weights.Select(w => $"tau at {W(w)}"))} | " +
            string.Join(" | ", weights.Select(w => $"NDCG@10 {string.Join(" / ", data.Objectives)} at {W(w)}")) + " |");
        md.AppendLine("|---|---|---|---|" + string.Concat(Enumerable.Repeat("---|", weights.Length * 2)));
        foreach (var m in results)
            foreach (var b in m.Betas)
            {
                string mark = m.ChosenBeta == b.Beta ? "*" : "";
                md.AppendLine(string.Create(inv, $"| {m.Name} | {b.Beta:G4}{mark} | {b.ValidationHypervolume:F4} | {b.TestHypervolume:F4} | ") +
                    string.Join(" | ", b.Tau.Select(t => t.ToString("F3", inv))) + " | " +
                    string.Join(" | ", b.Ndcg.Select(n => string.Join(" / ", n.Select(v => v.ToString("F4", inv))))) + " |");
            }
        md.AppendLine();
        md.AppendLine("| model | fit (s) | of which reference fits (s) | epochs | default beta | validation hypervolume at it |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var m in results)
        {
            var chosen = m.Betas.FirstOrDefault(b => b.Beta == m.ChosenBeta) ?? m.Betas[0];
            md.AppendLine(string.Create(inv, $"| {m.Name} | {m.FitSeconds:F1} | {m.ReferenceSeconds:F1} | {m.Epochs} | {chosen.Beta:G4} | {chosen.ValidationHypervolume:F4} |"));
        }
        return md.ToString();
    }
}
