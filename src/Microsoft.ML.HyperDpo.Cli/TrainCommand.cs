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
        var seed = new Option<int>("--seed") { Description = "Seed for data generation and training.", DefaultValueFactory = _ => 1 };
        var divisions = new Option<int>("--grid") { Description = "Report weights on the simplex lattice with step 1/m.", DefaultValueFactory = _ => 4 };
        var output = new Option<string?>("--out") { Description = "Save the model (at equal weights) with its preparation as an ML.NET model zip: mlContext.Model.Load reads it, without this library, and it scores rows as the files give them (all features)." };

        var command = new System.CommandLine.Command("train", "Train one HyperDPO model for all trade-offs and print per-objective NDCG@1/3/5/10 at a set of weights, the hypervolume of the front and a legend (terms: docs/glossary.md).")
        {
            train, valid, test, featureCount, objectives, seed, divisions, output,
        };
        foreach (var flag in TrainerFlags)
            command.Options.Add(flag.Option);
        command.SetAction(result =>
        {
            var options = new HyperDpoRankingTrainer.Options { Seed = result.GetValue(seed) };
            foreach (var flag in TrainerFlags)
                flag.Apply(options, result);
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

    /// <summary>
    /// Every trainer option that a flag of <c>train</c> sets: the one table that declares the flag, sets the option from it and,
    /// through <see cref="FlagOf"/>, names the flag where the option's own check refuses its value.
    /// </summary>
    internal static readonly TrainerFlag[] TrainerFlags =
    [
        TrainerFlag.Of<int?>("--epochs", "Number of epochs (default: the trainer's).", "Optimiser.NumberOfEpochs", (o, v) => o.Optimiser.NumberOfEpochs = v!.Value),
        TrainerFlag.Of<RankerArchitecture?>("--architecture", "Mlp (scores each document alone) or Transformer (scores a query's documents together; default: the trainer's).", "Network.Architecture", (o, v) => o.Network.Architecture = v!.Value),
        TrainerFlag.Of<ConditioningKind?>("--conditioning", $"How the network reads the objective weights: {string.Join(", ", Enum.GetNames<ConditioningKind>())} (default: the trainer's; see docs/conditioning.md).", "Network.Conditioning", (o, v) => o.Network.Conditioning = v!.Value),
        TrainerFlag.Of<ListwiseLossKind?>("--loss", "PlackettLuce or ListNet (default: the trainer's).", "Loss.Kind", (o, v) => o.Loss.Kind = v!.Value),
        TrainerFlag.Of<float?>("--beta", "DPO temperature beta (default: the trainer's).", "Loss.Beta", (o, v) => o.Loss.Beta = v!.Value),
        TrainerFlag.Of<string?>("--temperature-range", "Temperature conditioning: MIN,MAX. Each list draws beta log-uniform in the range and the network reads it; the model keeps the temperature with the widest validation front (default: off, one beta).", "Loss.TemperatureRange", (o, v) => o.Loss.TemperatureRange = ParseTemperatureRange(v!)),
        TrainerFlag.Of<float?>("--learning-rate", "AdamW learning rate (default: the trainer's).", "Optimiser.LearningRate", (o, v) => o.Optimiser.LearningRate = v!.Value),
        TrainerFlag.Of<int?>("--batch-size", "Lists per step (default: the trainer's).", "Optimiser.BatchSize", (o, v) => o.Optimiser.BatchSize = v!.Value),
        TrainerFlag.Of<string?>("--checkpoint", "Write a training checkpoint to this file after every epoch (atomically); resume a killed run from it with HyperDpoCheckpoint.Load(...).ResumeOptions.", "Checkpointing.Path", (o, v) => o.Checkpointing.Path = v),
        TrainerFlag.Of<int?>("--checkpoint-steps", "With --checkpoint: also write one every this many steps, in the middle of epochs (Checkpointing.StepInterval).", "Checkpointing.StepInterval", (o, v) => o.Checkpointing.StepInterval = v!.Value),
        TrainerFlag.Of<double?>("--checkpoint-seconds", "With --checkpoint: also write one after the first step at least this many seconds after the last (Checkpointing.Seconds).", "Checkpointing.Seconds", (o, v) => o.Checkpointing.Seconds = v!.Value),
    ];

    /// <summary>The flag that sets the trainer option <paramref name="property"/>, or null where no flag does.</summary>
    internal static string? FlagOf(string property) => TrainerFlags.FirstOrDefault(f => f.Property == property)?.Option.Name;

    /// <summary>One flag of <see cref="TrainerFlags"/>: the option, the trainer property it sets, and how (only when given).</summary>
    internal sealed record TrainerFlag(Option Option, string Property, Action<HyperDpoRankingTrainer.Options, ParseResult> Apply)
    {
        public static TrainerFlag Of<T>(string name, string description, string property, Action<HyperDpoRankingTrainer.Options, T> set)
        {
            var option = new Option<T>(name) { Description = description };
            return new(option, property, (options, result) =>
            {
                if (result.GetValue(option) is { } value) set(options, value);
            });
        }
    }

    /// <summary>"MIN,MAX" as two temperatures (checked by the trainer's options), or an error naming the flag.</summary>
    internal static float[] ParseTemperatureRange(string text)
    {
        var values = NumberList.Parse(text, "--temperature-range", positive: true);
        if (values.Length != 2 || values[0] > values[1])
            throw new ArgumentException($"--temperature-range must be MIN,MAX with 0 < MIN <= MAX (e.g. 1,25); got '{text}'.");
        return values;
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
        var model = Fit(ml, options, data);
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

    /// <summary>Fits with a progress bar fed by the trainer's per-epoch progress records.</summary>
    internal static HyperDpoRankingTransformer Fit(MLContext ml, HyperDpoRankingTrainer.Options options, RankingDataSets data)
    {
        HyperDpoRankingTransformer? model = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("Training HyperDPO", maxValue: options.Optimiser.NumberOfEpochs);
                var caller = options.Runtime.Progress;
                options.Runtime.Progress = new ProgressBar(task, caller);
                try
                {
                    model = ml.Ranking.Trainers.HyperDpo(options).Fit(data.Train, data.Validation);
                }
                finally
                {
                    options.Runtime.Progress = caller;
                }
                if (model?.TrainingReport is { } report && report.Epochs.Count < options.Optimiser.NumberOfEpochs)
                    task.Description = Markup.Escape($"Training HyperDPO: stopped early after epoch {report.Epochs.Count} (kept epoch {report.BestEpoch})");
                task.Value = task.MaxValue;
            });
        return model!;
    }

    /// <summary>Moves the bar and shows the epoch's figures as each record arrives (on the training thread).</summary>
    private sealed class ProgressBar(ProgressTask task, IProgress<TrainingProgress>? next) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            var e = value.Epoch;
            task.Value = e.Epoch;
            string validation = e.ValidationScore is double v
                ? string.Create(CultureInfo.InvariantCulture, $", validation {value.ValidationMetric} {v:F4}{(value.IsBestSoFar ? " (best so far)" : "")}")
                : "";
            task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"Training HyperDPO: loss {e.MeanLoss:F4}{validation}"));
            next?.Report(value);
        }
    }
}
