using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Evaluation;
using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary><c>hyperdpo train</c>: fit one HyperDPO model and print per-objective NDCG along the weight grid.</summary>
internal static class TrainCommand
{
    public static System.CommandLine.Command Create()
    {
        var train = CliPaths.FileListOption("--train", "Training LETOR/SVMlight files. Omitted: the embedded synthetic data (which has its own validation and test splits).");
        var valid = CliPaths.FileListOption("--valid", "With --train: validation files (early stopping).");
        var test = CliPaths.FileListOption("--test", "With --train: test files, where NDCG is reported.");
        var featureCount = new Option<int?>("--feature-count") { Description = "With --train: the length of the feature vectors; an id beyond it in any file is an error (default: the largest feature id of the first --train file)." };
        var objectives = new Option<string>("--objectives") { Description = "Objectives: 'label' and/or 'feature:N:higher|lower' (1-based LETOR feature id).", DefaultValueFactory = _ => "label,feature:41:higher" };
        var seed = SharedOptions.Seed("Seed for data generation and training.");
        var divisions = new Option<int>("--grid") { Description = "Report weights on the simplex lattice with step 1/m.", DefaultValueFactory = _ => 4 };
        var output = new Option<string?>("--out") { Description = "Save the model (at equal weights) with its preparation as an ML.NET model zip: mlContext.Model.Load reads it, without this library, and it scores rows as the files give them (all features)." };

        var command = new System.CommandLine.Command("train", "Train one HyperDPO model for all trade-offs and print per-objective NDCG@1/3/5/10 at a set of weights, the hypervolume of the front and a legend (terms: docs/glossary.md).")
        {
            train, valid, test, featureCount, objectives, seed, divisions, output,
        };
        var trainerFlags = TrainerFlags.Bind(command, TrainerFlags.Train);
        command.SetAction(result =>
        {
            var options = trainerFlags.Apply(new HyperDpoRankingTrainer.Options { Seed = result.GetValue(seed) }, result);
            var trainFiles = CliPaths.Files(result.GetValue(train), "--train");
            if (trainFiles.Length == 0)
            {
                // The embedded data has its own splits and objectives: a flag that only applies to files would be silently ignored.
                var fileFlags = new Option[] { valid, test, featureCount, objectives }.Where(o => result.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
                if (fileFlags.Count > 0)
                    throw new ArgumentException($"{string.Join(" and ", fileFlags)} need{(fileFlags.Count == 1 ? "s" : "")} --train: without --train, train uses the embedded synthetic data, with its own validation and test splits and objectives (Relevance, Quality).");
            }
            if (result.GetValue(featureCount) is < 1 or > LetorTextLoader.MaxFeatureCount)
                throw new ArgumentException($"--feature-count must be from 1 to {LetorTextLoader.MaxFeatureCount}; got {result.GetValue(featureCount)}.");
            int grid = result.GetValue(divisions);
            if (grid < 1)
                throw new ArgumentException($"--grid must be at least 1 (the weights are reported on the simplex lattice with step 1/m); got {grid}.");
            // Every output is checked before the data is read and the model trained, so that a bad path costs no fit.
            CliPaths.RequireOutputFile(result.GetValue(output), "--out");
            CliPaths.RequireOutputFile(options.Checkpointing.Path, "--checkpoint");
            return Run(trainFiles, CliPaths.Files(result.GetValue(valid), "--valid"), CliPaths.Files(result.GetValue(test), "--test"),
                result.GetValue(objectives)!, result.GetValue(featureCount), options, result.GetValue(seed), grid, result.GetValue(output));
        });
        return command;
    }

    private static int Run(string[] trainFiles, string[] validFiles, string[] testFiles, string objectiveText, int? featureCount, HyperDpoRankingTrainer.Options options, int seed, int divisions, string? output)
    {
        var ml = new MLContext(seed);
        Interruption.Cancels(ml);
        var specs = trainFiles.Length == 0 ? null : ObjectiveSpec.ParseList(objectiveText);
        // The trainer's settings are checked before the data is read, so that a bad flag fails at once.
        options.LabelColumnNames = specs?.Select(o => o.ColumnName).ToArray() ?? RankingDataSets.SyntheticObjectives;
        options.Validate();
        var data = specs is null
            ? RankingDataSets.Synthetic(ml, seed)
            : RankingDataSets.FromLetor(ml, trainFiles, validFiles, testFiles, specs, featureCount);
        AnsiConsole.MarkupLine($"[bold]Data:[/] {Markup.Escape(data.Description)}");

        options.LabelColumnNames = data.Objectives;
        var model = TrainingProgressBar.Fit(ml, options, data);
        var report = model.TrainingReport!;
        AnsiConsole.MarkupLine($"Trained in {report.TrainingTime.TotalSeconds:F1} s on {report.Device}: {report.Epochs.Count} epochs, kept epoch {report.BestEpoch}, " +
            $"{report.DocumentsProcessed / report.TrainingTime.TotalSeconds:N0} documents/s.");
        if (report.Epochs.Count < options.Optimiser.NumberOfEpochs)
            AnsiConsole.MarkupLine(Markup.Escape(EarlyStop(report, options)));
        if (model.Temperature is float temperature)
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"Temperature: {temperature:G4}") +
                (report.Temperatures.Count == 0 ? " (the middle of the range; no validation data)." : string.Create(CultureInfo.InvariantCulture,
                    $" (validation hypervolume per beta: {string.Join(", ", report.Temperatures.Select(t => $"{t.Beta:G4}: {t.Hypervolume:F4}"))})")));

        var (evalName, evalData) = data.Test is not null ? ("test", data.Test) : data.Validation is not null ? ("validation", data.Validation) : ("training", data.Train);
        var rows = ObjectiveNdcg.AlongGrid(ml, model, evalData, SimplexLattice.Points(data.Objectives.Length, divisions));
        var table = new Table().Title($"NDCG on the {evalName} data along the weight grid");
        table.AddColumn("weights");
        foreach (string objective in data.Objectives)
            table.AddColumn(new TableColumn($"{Markup.Escape(objective)} NDCG@1 / @3 / @5 / @10").RightAligned());
        foreach (var row in rows)
        {
            var cells = new List<string> { "(" + string.Join(", ", row.Weights.Select(w => w.ToString("0.##", CultureInfo.InvariantCulture))) + ")" };
            cells.AddRange(row.Ndcg.Select(n => string.Join(" / ", new[] { 1, 3, 5, 10 }.Select(k => n[k - 1].ToString("F3", CultureInfo.InvariantCulture)))));
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
        var front = rows.Select(r => r.At(10)).ToList();
        AnsiConsole.MarkupLine($"Hypervolume of the NDCG@10 front (reference: origin): [bold]{Hypervolume.Compute(front):F4}[/]");
        AnsiConsole.WriteLine(Legend(data.Objectives, evalName, options.Validation.EarlyStoppingPatience, data.Validation is not null));
        // Ctrl-C during the table above: nothing is saved.
        Interruption.Observe().ThrowIfCancellationRequested();
        if (output is not null && options.Network.Architecture == RankerArchitecture.Transformer)
        {
            // A listwise model scores whole groups, which ML.NET's stock loader cannot; its saved form is a checkpoint.
            HyperDpoCheckpoint.Save(model, output);
            AnsiConsole.MarkupLine($"Saved a checkpoint to [bold]{Markup.Escape(output)}[/] (load it with HyperDpoCheckpoint.Load).");
        }
        else if (output is not null)
        {
            // The objective features' removal goes with the model, so the saved file scores rows as the files give them.
            var rawSchema = data.RawSchema ?? data.Train.Schema;
            ITransformer saved = data.Preparation is null ? model : new TransformerChain<ITransformer>(data.Preparation, model);
            ml.Model.SaveAtomically(saved, rawSchema, output);
            AnsiConsole.MarkupLine($"Saved to [bold]{Markup.Escape(output)}[/]: an ML.NET model zip (mlContext.Model.Load) that adds Score, at equal weights, " +
                $"to rows with the input's {((VectorDataViewType)rawSchema["Features"].Type).Size}-slot Features vector.");
        }
        return 0;
    }

    /// <summary>Why the fit ran fewer epochs than asked: early stopping, in the user's terms.</summary>
    private static string EarlyStop(TrainingReport report, HyperDpoRankingTrainer.Options options) =>
        $"Early stopping ended the fit after epoch {report.Epochs.Count} of {options.Optimiser.NumberOfEpochs}: the validation {options.Validation.EarlyStoppingMetric} " +
        $"had not improved for {options.Validation.EarlyStoppingPatience} epochs, so the model keeps epoch {report.BestEpoch}, its best" +
        (report.BestEpoch == 0 ? " (0: no epoch beat the reference itself)." : ".");

    /// <summary>What the printed figures mean, for a reader who has not read the docs (docs/glossary.md has more).</summary>
    private static string Legend(string[] objectives, string evalName, int patience, bool validation)
    {
        string first = "(" + string.Join(", ", objectives.Select((_, i) => i == 0 ? "1" : "0")) + ")";
        return string.Join(Environment.NewLine,
            "How to read this:",
            $"- weights: how much each objective ({string.Join(", ", objectives)}) counts when the one model ranks; {first} ranks for {objectives[0]} alone, equal weights balance them. The rows are the points of the weight grid (--grid).",
            $"- NDCG@k: how well the top k documents of each {evalName} query are ordered for that objective, from 0 to 1 (1: the ideal order), averaged over the queries.",
            "- the front: the NDCG@10 points of all the rows; a model that serves every trade-off pushes them up and out.",
            "- the hypervolume: the area (volume, beyond two objectives) that the front dominates, measured from the origin; larger is better.",
            validation
                ? $"- kept epoch: the epoch whose network the model keeps, the one with the best validation figure; training stops early when it has not improved for {patience} epochs."
                : "- kept epoch: the epoch whose network the model keeps (without validation data, the last one).",
            "Terms: docs/glossary.md.");
    }
}
