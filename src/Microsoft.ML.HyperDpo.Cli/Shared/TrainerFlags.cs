using System.CommandLine;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary>
/// Every trainer option that a flag of either tool sets: the one table that declares the flag, sets the option from it and,
/// through <see cref="FlagOf"/>, names the flag where the option's own check refuses its value. A command takes the flags it
/// offers from here (<see cref="Bind"/>), so that the same option has the same flag, help and error wording in every command.
/// </summary>
internal static class TrainerFlags
{
    private static readonly TrainerFlag[] All =
    [
        TrainerFlag.Of<int?>("--epochs", "Number of epochs (default: the trainer's).", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.Optimiser), nameof(HyperDpoRankingTrainer.OptimiserOptions.NumberOfEpochs)), (o, v) => o.Optimiser.NumberOfEpochs = v!.Value),
        TrainerFlag.Of<RankerArchitecture?>("--architecture", "Mlp (scores each document alone) or Transformer (scores a query's documents together; default: the trainer's).", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.Network), nameof(HyperDpoRankingTrainer.NetworkOptions.Architecture)), (o, v) => o.Network.Architecture = v!.Value),
        TrainerFlag.Of<int?>("--transformer-blocks", "Transformer architecture: self-attention blocks (Network.TransformerBlocks; default: the trainer's).", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.Network), nameof(HyperDpoRankingTrainer.NetworkOptions.TransformerBlocks)), (o, v) => o.Network.TransformerBlocks = v!.Value),
        TrainerFlag.Of<int?>("--transformer-width", "Transformer architecture: width d of every document position (Network.TransformerWidth; default: the trainer's).", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.Network), nameof(HyperDpoRankingTrainer.NetworkOptions.TransformerWidth)), (o, v) => o.Network.TransformerWidth = v!.Value),
        TrainerFlag.Of<bool?>("--transformer-document-scorer", "Transformer architecture: true adds a per-document MLP scorer to the transformer's score (Network.TransformerDocumentScorer; default: the trainer's).", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.Network), nameof(HyperDpoRankingTrainer.NetworkOptions.TransformerDocumentScorer)), (o, v) => o.Network.TransformerDocumentScorer = v!.Value),
        TrainerFlag.Of<ConditioningKind?>("--conditioning", $"How the network reads the objective weights: {string.Join(", ", Enum.GetNames<ConditioningKind>())} (default: the trainer's; see docs/conditioning.md).", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.Network), nameof(HyperDpoRankingTrainer.NetworkOptions.Conditioning)), (o, v) => o.Network.Conditioning = v!.Value),
        TrainerFlag.Of<ListwiseLossKind?>("--loss", $"{string.Join(" or ", Enum.GetNames<ListwiseLossKind>())} (default: the trainer's).", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.Loss), nameof(HyperDpoRankingTrainer.LossOptions.Kind)), (o, v) => o.Loss.Kind = v!.Value),
        TrainerFlag.Of<float?>("--beta", "DPO temperature beta (default: the trainer's).", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.Loss), nameof(HyperDpoRankingTrainer.LossOptions.Beta)), (o, v) => o.Loss.Beta = v!.Value),
        TrainerFlag.Of<string?>("--temperature-range", "Temperature conditioning: MIN,MAX. Each list draws beta log-uniform in the range and the network reads it; the model keeps the temperature with the widest validation front (default: off, one beta).", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.Loss), nameof(HyperDpoRankingTrainer.LossOptions.TemperatureRange)), (o, v) => o.Loss.TemperatureRange = ParseTemperatureRange(v!), SharedOptions.NumbersHelpName),
        TrainerFlag.Of<float?>("--learning-rate", "AdamW learning rate (default: the trainer's).", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.Optimiser), nameof(HyperDpoRankingTrainer.OptimiserOptions.LearningRate)), (o, v) => o.Optimiser.LearningRate = v!.Value),
        TrainerFlag.Of<int?>("--batch-size", "Lists per step (default: the trainer's).", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.Optimiser), nameof(HyperDpoRankingTrainer.OptimiserOptions.BatchSize)), (o, v) => o.Optimiser.BatchSize = v!.Value),
        TrainerFlag.Of<string?>("--checkpoint", "Write a training checkpoint to this file after every epoch (atomically); resume a killed run from it with HyperDpoCheckpoint.Load(...).ResumeOptions.", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.Checkpointing), nameof(HyperDpoRankingTrainer.CheckpointingOptions.Path)), (o, v) => o.Checkpointing.Path = v),
        TrainerFlag.Of<int?>("--checkpoint-steps", "With --checkpoint: also write one every this many steps, in the middle of epochs (Checkpointing.StepInterval).", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.Checkpointing), nameof(HyperDpoRankingTrainer.CheckpointingOptions.StepInterval)), (o, v) => o.Checkpointing.StepInterval = v!.Value),
        TrainerFlag.Of<double?>("--checkpoint-seconds", "With --checkpoint: also write one after the first step at least this many seconds after the last (Checkpointing.Seconds).", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.Checkpointing), nameof(HyperDpoRankingTrainer.CheckpointingOptions.Seconds)), (o, v) => o.Checkpointing.Seconds = v!.Value),
        TrainerFlag.Of<int?>("--threads", "LibTorch threads of the fit (Runtime.NumberOfThreads; default: the trainer's).", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.Runtime), nameof(HyperDpoRankingTrainer.RuntimeOptions.NumberOfThreads)), (o, v) => o.Runtime.NumberOfThreads = v!.Value),
        TrainerFlag.Of<int?>("--ensemble-size", "Optimiser.EnsembleSize: fits from one start whose parameters are averaged (default: the trainer's).", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.Optimiser), nameof(HyperDpoRankingTrainer.OptimiserOptions.EnsembleSize)), (o, v) => o.Optimiser.EnsembleSize = v!.Value),
        TrainerFlag.Of<int?>("--validation-grids", "Validation.Grids: weight grids the early-stopping figure is averaged over (default: the trainer's).", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.Validation), nameof(HyperDpoRankingTrainer.ValidationOptions.Grids)), (o, v) => o.Validation.Grids = v!.Value),
        TrainerFlag.Of<bool>("--refit-on-validation", "Validation.RefitOnValidationData: refit on training + validation lists for the epochs chosen on validation.", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.Validation), nameof(HyperDpoRankingTrainer.ValidationOptions.RefitOnValidationData)), (o, v) => o.Validation.RefitOnValidationData |= v),
        TrainerFlag.Of<ReferenceReweighting?>("--reference-reweighting", $"References.Reweighting: {string.Join(" or ", Enum.GetNames<ReferenceReweighting>())}; PerObjective also learns a per-objective re-weighting of the references as a function of w and x, starting at the soup (default: the trainer's).", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.References), nameof(HyperDpoRankingTrainer.ReferenceOptions.Reweighting)), (o, v) => o.References.Reweighting = v!.Value),
        TrainerFlag.Of<int?>("--reference-folds", "References.Folds: query folds for out-of-fold reference scores of the training rows, which the residual loss and the re-weighting read (default: the trainer's, 0: in-sample).", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.References), nameof(HyperDpoRankingTrainer.ReferenceOptions.Folds)), (o, v) => o.References.Folds = v!.Value, check: v => HyperDpoRankingTrainer.ReferenceOptions.FoldsProblem(v!.Value)),
        TrainerFlag.Of<int?>("--rows-per-step", "Rows per step on large data (LargeData.RowsPerStep; default: the trainer's).", HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.LargeData), nameof(HyperDpoRankingTrainer.LargeDataOptions.RowsPerStep)), (o, v) => o.LargeData.RowsPerStep = v!.Value),
    ];

    /// <summary>The flags of <c>hyperdpo train</c>: every flag of the table that a user's fit needs.</summary>
    public static readonly string[] Train = ["--epochs", "--architecture", "--conditioning", "--loss", "--beta", "--temperature-range", "--learning-rate", "--batch-size", "--checkpoint", "--checkpoint-steps", "--checkpoint-seconds"];

    /// <summary>The flag that sets the trainer option <paramref name="property"/>, or null where no flag does.</summary>
    public static string? FlagOf(string property) => All.FirstOrDefault(f => f.Property == property)?.Name;

    /// <summary>
    /// Adds the flags <paramref name="names"/> of the table to <paramref name="command"/>; <paramref name="descriptions"/> replaces the help of
    /// some (a command whose default is not the trainer's says so). The result sets the given ones on trainer options.
    /// </summary>
    public static Bound Bind(System.CommandLine.Command command, IEnumerable<string> names, IReadOnlyDictionary<string, string>? descriptions = null)
    {
        var bound = names.Select(name =>
        {
            var flag = All.FirstOrDefault(f => f.Name == name) ?? throw new ArgumentException($"No trainer flag '{name}' in the table.", nameof(names));
            var option = flag.CreateOption(descriptions?.GetValueOrDefault(name) ?? flag.Description);
            command.Options.Add(option);
            return (flag, option);
        }).ToList();
        return new Bound(bound);
    }

    /// <summary>The flags one command offers, bound to its options.</summary>
    internal sealed class Bound(IReadOnlyList<(TrainerFlag Flag, Option Option)> flags)
    {
        /// <summary>Sets on <paramref name="options"/> every flag that <paramref name="result"/> gives; the others keep their values.</summary>
        public HyperDpoRankingTrainer.Options Apply(HyperDpoRankingTrainer.Options options, ParseResult result)
        {
            foreach (var (flag, option) in flags)
                flag.Apply(options, result, option);
            return options;
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

    /// <summary>One flag of the table: its name and help, the trainer property it sets, and how (only when given).</summary>
    internal abstract record TrainerFlag(string Name, string Description, string Property)
    {
        public abstract Option CreateOption(string description);
        public abstract void Apply(HyperDpoRankingTrainer.Options options, ParseResult result, Option option);

        /// <param name="check">
        /// Where the option has a rule of its own that needs no data: the option's rule itself (what is wrong with a value, or null), run by
        /// the parser, so that a bad value is refused before the command reads or fits anything, not when the fit that reads it starts.
        /// </param>
        public static TrainerFlag Of<T>(string name, string description, string property, Action<HyperDpoRankingTrainer.Options, T> set, string? helpName = null, Func<T, string?>? check = null) =>
            new Typed<T>(name, description, property, set, helpName, check);

        private sealed record Typed<T>(string Name, string Description, string Property, Action<HyperDpoRankingTrainer.Options, T> Set, string? HelpName, Func<T, string?>? Check)
            : TrainerFlag(Name, Description, Property)
        {
            public override Option CreateOption(string description)
            {
                var option = new Option<T>(Name) { Description = description, HelpName = HelpName };
                if (Check is not null)
                    option.Validators.Add(result =>
                    {
                        T? value;
                        try
                        {
                            value = result.GetValueOrDefault<T>();
                        }
                        catch (InvalidOperationException)
                        {
                            // Validators run before conversion errors are recorded: a value that is not a T gets the parser's own error.
                            return;
                        }
                        if (value is not null && Check(value) is { } problem)
                            result.AddError($"{Name} {problem}.");
                    });
                return option;
            }

            public override void Apply(HyperDpoRankingTrainer.Options options, ParseResult result, Option option)
            {
                if (result.GetValue((Option<T>)option) is { } value) Set(options, value);
            }
        }
    }
}
