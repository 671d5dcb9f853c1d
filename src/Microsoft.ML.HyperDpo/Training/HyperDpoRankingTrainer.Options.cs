namespace Microsoft.ML.HyperDpo;

/// <summary>How the objective weights w reach the scoring network.</summary>
public enum ConditioningKind
{
    /// <summary>w is concatenated to the (normalised) features at the input (COSMOS style).</summary>
    Input,
    /// <summary>As <see cref="Input"/>, and w is also mapped to a per-unit scale and shift of every hidden layer (FiLM).</summary>
    FiLM,
    /// <summary>
    /// A blend of output heads: as <see cref="Input"/>, and a linear map from w changes the output layer's weights and bias, so
    /// the score is the w-weighted blend of K output heads on a shared trunk. Only the last layer is generated from w; the
    /// name is kept for compatibility.
    /// </summary>
    Hypernetwork,
    /// <summary>
    /// No conditioning: the network ignores w and learns a single trade-off, the one given by
    /// <see cref="HyperDpoRankingTrainer.LossOptions.FixedObjectiveWeights"/> (which this kind requires). This is the
    /// DPO-LS baseline's model (one fit per weight); <see cref="HyperDpoRankingTransformer.WithObjectiveWeights"/>
    /// then changes nothing in the scores.
    /// </summary>
    None,
    /// <summary>
    /// A true hypernetwork (Pareto HyperNetworks style): an MLP maps w to the weights and biases of every layer of the scoring
    /// MLP, generated in chunks when they are many, and added to shared base weights. The scoring MLP sees the features only.
    /// The strongest conditioning: the whole network changes with w, at the cost of generating its weights for each w.
    /// </summary>
    FullHypernetwork,
    /// <summary>
    /// Hyper Prompt Tuning, for <see cref="RankerArchitecture.Transformer"/>: w is mapped to
    /// <see cref="HyperDpoRankingTrainer.NetworkOptions.PromptCount"/> prompt embeddings prepended to each query's documents, starting
    /// at the mixture sum_k w_k P_k of one prompt per objective (a non-linear correction starts at zero and trains); the
    /// transformer blocks are unchanged (and may be a frozen backbone, <see cref="HyperDpoRankingTrainer.NetworkOptions.FrozenBackbone"/>).
    /// </summary>
    HyperPrompt,
    /// <summary>For <see cref="RankerArchitecture.Transformer"/>: w mapped linearly to one extra token prepended to each query's documents.</summary>
    WeightToken,
}

/// <summary>The listwise loss applied to each objective's ranking.</summary>
public enum ListwiseLossKind
{
    /// <summary>Plackett-Luce DPO: the negative log-likelihood of the label order under z = beta * (s - r), full list or top-k.</summary>
    PlackettLuce,
    /// <summary>
    /// ListNet: cross-entropy between the softmax of the raw labels and softmax(z) (top-one Plackett-Luce with soft targets).
    /// Reads neither <see cref="HyperDpoRankingTrainer.LossOptions.TopK"/> nor <see cref="HyperDpoRankingTrainer.LossOptions.Ties"/> (leave both at their defaults).
    /// </summary>
    ListNet,
}

/// <summary>How the Plackett-Luce loss treats documents whose labels are equal.</summary>
public enum TieHandling
{
    /// <summary>Order them at random, afresh at every step, and sum over every position of that order (lowest grade included).</summary>
    RandomOrder,
    /// <summary>
    /// Breslow's form: each document above its list's lowest grade is chosen first among all documents not better than it, its equals
    /// included; the lowest grade adds no term. Equal labels are never ordered, so the loss does not pull their scores together.
    /// </summary>
    Grouped,
}

/// <summary>Which validation figure early stopping maximises.</summary>
public enum EarlyStoppingMetric
{
    /// <summary>Mean over the validation weight grid and over objectives of NDCG@k (k = <see cref="HyperDpoRankingTrainer.ValidationOptions.EvaluationTruncation"/>).</summary>
    MeanNdcg,
    /// <summary>Hypervolume (reference at the origin) of the per-objective NDCG@k points of the validation weight grid.</summary>
    Hypervolume,
}

/// <summary>How the loss sees the reference rankers (<see cref="HyperDpoRankingTrainer.ReferenceOptions.Source"/>).</summary>
public enum ReferenceForm
{
    /// <summary>
    /// DPO's implicit reward: the loss is taken on z = beta * (s - r_w) = beta * g, as in DPO (beta = <see cref="HyperDpoRankingTrainer.ReferenceOptions.Beta"/>),
    /// and the model scores s = r_w + g.
    /// g learns each objective's ranking from the features, its scale shrinking as 1/beta, so the larger beta, the closer the
    /// ranking stays to the reference; g starts at zero and early stopping also scores the reference itself.
    /// </summary>
    ImplicitReward,
    /// <summary>
    /// Residual: the listwise loss is taken on the full score, z = beta * (r_w + g), so g learns only what the reference soup r_w
    /// gets wrong; g starts at zero, so training starts exactly at the reference.
    /// </summary>
    Residual,
    /// <summary>
    /// Reference scores as extra inputs: the network reads the K standardised reference scores next to the features, g(x, r; w),
    /// and the loss is DPO's implicit reward, as in <see cref="ImplicitReward"/> (z = beta * g, the model scores r_w + g). Out-of-fold
    /// references (<see cref="HyperDpoRankingTrainer.ReferenceOptions.Folds"/>) keep the network from trusting scores the references
    /// fitted on the training rows themselves.
    /// </summary>
    ExtraInputs,
}

/// <summary>
/// Whether the reference soup's mixing is linear in w (<see cref="HyperDpoRankingTrainer.ReferenceOptions.Reweighting"/>).
/// </summary>
public enum ReferenceReweighting
{
    /// <summary>The reference term is the soup r_w = sum_k w_k r_k(x).</summary>
    None,
    /// <summary>
    /// A small network also learns a per-objective re-weighting of the references as a function of w and x: the reference term is
    /// sum_k w_k (1 + tanh a_k(x, w)) r_k(x), with a(x, w) a one-hidden-layer MLP over the standardised features and the conditioning
    /// vector whose last layer starts at zero, so the fitted model starts exactly at the soup.
    /// </summary>
    PerObjective,
}

/// <summary>Where training and scoring run.</summary>
public enum TorchDevice
{
    /// <summary>CUDA when <c>MLContext.GpuDeviceId</c> is set and a GPU is available, else CPU (an error if <c>FallbackToCpu</c> is false).</summary>
    Auto,
    /// <summary>Always the CPU.</summary>
    Cpu,
    /// <summary>Always CUDA (device <c>MLContext.GpuDeviceId</c>, or 0); an error where CUDA is not available.</summary>
    Cuda,
}

/// <summary>How the learning rate changes over the epochs.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate throughout.</summary>
    Constant,
    /// <summary>A short linear warm-up, then cosine decay to zero at the last epoch.</summary>
    WarmupCosine,
}

public sealed partial class HyperDpoRankingTrainer
{
    /// <summary>
    /// Every setting of <see cref="HyperDpoRankingTrainer"/>: the columns and the seed at the top, the rest grouped by concern
    /// (<see cref="Network"/>, <see cref="Loss"/>, <see cref="References"/>, <see cref="Optimiser"/>, <see cref="Validation"/>,
    /// <see cref="Checkpointing"/>, <see cref="LargeData"/>, <see cref="Runtime"/>), set with nested initialisers such as
    /// <c>new Options { LabelColumnNames = ..., Optimiser = { NumberOfEpochs = 10 } }</c>. Each has a default that works on
    /// LETOR-style data (how they were chosen: docs/options.md); <see cref="Validate"/> checks them all once, before training starts.
    /// </summary>
    public sealed partial class Options
    {
        /// <summary>
        /// One graded label column per objective (K &gt;= 2), higher is better; their order is the order of the objective weights.
        /// Labels are whole-number grades 0 to 1000. Required.
        /// </summary>
        public string[] LabelColumnNames { get; set; } = Array.Empty<string>();

        /// <summary>The feature column: a known-size vector of <see cref="float"/>. Default <c>Features</c>.</summary>
        public string FeatureColumnName { get; set; } = "Features";

        /// <summary>The query (group) column: a key type, as for FastTree; rows of a group need not be contiguous. Default <c>GroupId</c>.</summary>
        public string RowGroupColumnName { get; set; } = "GroupId";

        /// <summary>Seed of every random choice (initial weights, shuffling, weight draws, tie-breaking, dropout). Null (default): drawn from the MLContext's random source.</summary>
        public int? Seed { get; set; }

        /// <summary>The fitted transformer's objective weights until <see cref="HyperDpoRankingTransformer.WithObjectiveWeights"/> changes them. Null (default): equal weights 1/K.</summary>
        public float[]? InitialObjectiveWeights { get; set; }

        /// <summary>The scoring network: architecture, how it reads the objective weights, its sizes.</summary>
        public NetworkOptions Network { get; private set; } = new();

        /// <summary>The training loss: the listwise loss, its temperature and the trade-offs each list is trained at.</summary>
        public LossOptions Loss { get; private set; } = new();

        /// <summary>The reference rankers a fit starts from and stays close to (DPO's reference policy); none by default.</summary>
        public ReferenceOptions References { get; private set; } = new();

        /// <summary>Epochs, batches and AdamW.</summary>
        public OptimiserOptions Optimiser { get; private set; } = new();

        /// <summary>Early stopping on validation data.</summary>
        public ValidationOptions Validation { get; private set; } = new();

        /// <summary>Training checkpoints: where they are written, how often, and the checkpoint a fit starts from.</summary>
        public CheckpointingOptions Checkpointing { get; private set; } = new();

        /// <summary>What changes on large training data (MSLR-WEB10K/30K-sized).</summary>
        public LargeDataOptions LargeData { get; private set; } = new();

        /// <summary>Threads, device and progress records.</summary>
        public RuntimeOptions Runtime { get; private set; } = new();

        /// <summary>
        /// Checks every option and throws an <see cref="ArgumentException"/> that names the first one that is wrong by its full
        /// path (e.g. <c>Optimiser.LearningRate</c>), also as the exception's <see cref="ArgumentException.ParamName"/>.
        /// </summary>
        public void Validate()
        {
            if (LabelColumnNames is null || LabelColumnNames.Length < 2)
                throw new ArgumentException($"{nameof(LabelColumnNames)} must name at least two label columns (one per objective); got {LabelColumnNames?.Length ?? 0}.", nameof(LabelColumnNames));
            for (int k = 0; k < LabelColumnNames.Length; k++)
                if (string.IsNullOrWhiteSpace(LabelColumnNames[k]))
                    throw new ArgumentException($"{nameof(LabelColumnNames)}[{k}] is empty.", nameof(LabelColumnNames));
            var duplicate = LabelColumnNames.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
                throw new ArgumentException($"{nameof(LabelColumnNames)} names '{duplicate.Key}' twice; each objective needs its own column.", nameof(LabelColumnNames));
            Require(!string.IsNullOrWhiteSpace(FeatureColumnName), nameof(FeatureColumnName), "must name a column");
            Require(!string.IsNullOrWhiteSpace(RowGroupColumnName), nameof(RowGroupColumnName), "must name a column");
            ValidateNetwork();
            ValidateLoss();
            ValidateReferences();
            var t = Optimiser;
            Require(t.NumberOfEpochs > 0, Path(nameof(Optimiser), nameof(t.NumberOfEpochs)), $"must be positive; got {t.NumberOfEpochs}");
            Require(t.BatchSize > 0, Path(nameof(Optimiser), nameof(t.BatchSize)), $"must be positive; got {t.BatchSize}");
            Require(t.MaxListLength >= 2, Path(nameof(Optimiser), nameof(t.MaxListLength)), $"must be at least 2; got {t.MaxListLength}");
            Require(float.IsFinite(t.LearningRate) && t.LearningRate > 0, Path(nameof(Optimiser), nameof(t.LearningRate)), $"must be a positive number; got {t.LearningRate}");
            Require(float.IsFinite(t.WeightDecay) && t.WeightDecay >= 0, Path(nameof(Optimiser), nameof(t.WeightDecay)), $"must be >= 0; got {t.WeightDecay}");
            Require(float.IsFinite(t.GradientClipNorm) && t.GradientClipNorm >= 0, Path(nameof(Optimiser), nameof(t.GradientClipNorm)), $"must be >= 0; got {t.GradientClipNorm}");
            Require(float.IsFinite(t.ParameterAveragingDecay) && t.ParameterAveragingDecay >= 0 && t.ParameterAveragingDecay < 1, Path(nameof(Optimiser), nameof(t.ParameterAveragingDecay)),
                $"must be in [0, 1); got {t.ParameterAveragingDecay}");
            var v = Validation;
            Require(v.EarlyStoppingPatience >= 0, Path(nameof(Validation), nameof(v.EarlyStoppingPatience)), $"must be >= 0; got {v.EarlyStoppingPatience}");
            Require(v.GridDivisions is null or > 0, Path(nameof(Validation), nameof(v.GridDivisions)), $"must be positive or null; got {v.GridDivisions}");
            Require(v.Grids >= 1, Path(nameof(Validation), nameof(v.Grids)), $"must be at least 1; got {v.Grids}");
            bool checkpoints = Checkpointing.Path is not null || Checkpointing.StartFrom is not null;
            string checkpointOptions = $"{Path(nameof(Checkpointing), nameof(Checkpointing.Path))} or {Path(nameof(Checkpointing), nameof(Checkpointing.StartFrom))}";
            Require(t.EnsembleSize >= 1, Path(nameof(Optimiser), nameof(t.EnsembleSize)), $"must be at least 1; got {t.EnsembleSize}");
            Require(t.EnsembleSize == 1 || !checkpoints, Path(nameof(Optimiser), nameof(t.EnsembleSize)),
                $"must be 1 with {checkpointOptions} (a checkpoint holds one fit's network and optimiser); got {t.EnsembleSize}");
            Require(!v.RefitOnValidationData || !checkpoints, Path(nameof(Validation), nameof(v.RefitOnValidationData)),
                $"cannot be combined with {checkpointOptions} (a checkpoint holds one fit's network and optimiser)");
            Require(v.EvaluationTruncation > 0, Path(nameof(Validation), nameof(v.EvaluationTruncation)), $"must be positive; got {v.EvaluationTruncation}");
            Require(Runtime.NumberOfThreads is null or > 0, Path(nameof(Runtime), nameof(Runtime.NumberOfThreads)), $"must be positive or null; got {Runtime.NumberOfThreads}");
            var d = LargeData;
            Require(d.Rows >= 1, Path(nameof(LargeData), nameof(d.Rows)), $"must be positive (int.MaxValue turns the large-data settings off); got {d.Rows}");
            Require(d.RowsPerStep >= 1, Path(nameof(LargeData), nameof(d.RowsPerStep)), $"must be positive; got {d.RowsPerStep}");
            Require(d.ValidationLists >= 1, Path(nameof(LargeData), nameof(d.ValidationLists)), $"must be positive; got {d.ValidationLists}");
            ValidateCheckpointing();
            if (InitialObjectiveWeights is not null)
                ObjectiveWeights.Normalize(InitialObjectiveWeights, LabelColumnNames.Length, nameof(InitialObjectiveWeights));
        }

        private void ValidateLoss()
        {
            var l = Loss;
            string Of(string leaf) => Path(nameof(Loss), leaf);
            Require(l.TopK is null or > 0, Of(nameof(l.TopK)), $"must be positive or null; got {l.TopK}");
            var (usesTopK, usesTies) = Losses.ListwiseLossFactory.Reads(l.Kind);
            Require(usesTopK || l.TopK is null, Of(nameof(l.TopK)), $"is not read by {Of(nameof(l.Kind))} = {l.Kind}; leave it null (got {l.TopK})");
            Require(usesTies || l.Ties == TieHandling.Grouped, Of(nameof(l.Ties)),
                $"is not read by {Of(nameof(l.Kind))} = {l.Kind} (equal labels get equal targets); leave it at its default, {TieHandling.Grouped} (got {l.Ties})");
            Require(float.IsFinite(l.Beta) && l.Beta > 0, Of(nameof(l.Beta)), $"must be a positive number; got {l.Beta}");
            if (l.TemperatureRange is { } range)
                Require(range.Length == 2 && range.All(b => float.IsFinite(b) && b > 0) && range[0] <= range[1], Of(nameof(l.TemperatureRange)),
                    $"must be two finite temperatures 0 < min <= max, or null; got [{string.Join(", ", range)}]");
            Require(float.IsFinite(l.DirichletAlpha) && l.DirichletAlpha > 0, Of(nameof(l.DirichletAlpha)), $"must be a positive number; got {l.DirichletAlpha}");
            Require(float.IsFinite(l.CosmosPenalty) && l.CosmosPenalty >= 0, Of(nameof(l.CosmosPenalty)), $"must be >= 0; got {l.CosmosPenalty}");
            if (l.FixedObjectiveWeights is not null)
                ObjectiveWeights.Normalize(l.FixedObjectiveWeights, LabelColumnNames.Length, Of(nameof(l.FixedObjectiveWeights)));
            else if (IgnoresObjectiveWeights)
                throw new ArgumentException($"{Path(nameof(Network), nameof(Network.Conditioning))} = {Network.Conditioning} trains a network that ignores the objective weights, so it needs " +
                    $"{Of(nameof(l.FixedObjectiveWeights))}: the one trade-off to train (e.g. {{ 0.7, 0.3 }}).", Of(nameof(l.FixedObjectiveWeights)));
        }

        private void ValidateReferences()
        {
            var r = References;
            string Of(string leaf) => Path(nameof(References), leaf);
            Require(float.IsFinite(r.Beta) && r.Beta > 0, Of(nameof(r.Beta)), $"must be a positive number; got {r.Beta}");
            Require(!string.IsNullOrWhiteSpace(r.ScoreColumnName), Of(nameof(r.ScoreColumnName)), "must name a column");
            string? foldsProblem = ReferenceOptions.FoldsProblem(r.Folds);
            Require(foldsProblem is null, Of(nameof(r.Folds)), foldsProblem!);
            Require(r.Folds < 2 || r.Source is { FitsEstimators: true }, Of(nameof(r.Folds)),
                $"needs {Of(nameof(r.Source))} = {nameof(ReferenceSource)}.{nameof(ReferenceSource.FitPerObjective)}(...) (out-of-fold scores need estimators to refit); got {r.Folds} with {r.Source?.ToString() ?? "no references"}");
            r.Source?.Validate(Of(nameof(r.Source)), LabelColumnNames);
            if (r.ConditionedModel is not null)
            {
                Require(r.Source is null, Of(nameof(r.ConditionedModel)), $"cannot be combined with {Of(nameof(r.Source))} ({r.Source}); give one reference");
                Require(!string.IsNullOrWhiteSpace(r.ConditionedFeatureColumnName), Of(nameof(r.ConditionedFeatureColumnName)),
                    $"must name the column {Of(nameof(r.ConditionedModel))} reads (the features followed by the objective weights)");
            }
            if (r.ConditionedFeatureColumnName is not null)
            {
                // A checkpoint's options carry the column with its saved reference chain in Source, so only the other sources are refused.
                Require(r.Source is null || r.Source.Chain is not null, Of(nameof(r.ConditionedFeatureColumnName)),
                    $"marks the reference as conditioned ('{r.ConditionedFeatureColumnName}'); it cannot be set with {Of(nameof(r.Source))} = {r.Source}");
                Require(r.ConditionedFeatureColumnName != FeatureColumnName, Of(nameof(r.ConditionedFeatureColumnName)),
                    $"must differ from {nameof(FeatureColumnName)} ('{FeatureColumnName}'): the features followed by the weights are written into it");
                Require(r.Form == ReferenceForm.ImplicitReward, Of(nameof(r.Form)),
                    $"must be {ReferenceForm.ImplicitReward} with a conditioned reference (its score depends on w, so it can be neither a network input nor a per-row residual target); got {r.Form}");
            }
            Require(Enum.IsDefined(r.Reweighting), Of(nameof(r.Reweighting)),
                $"must be {string.Join(" or ", Enum.GetNames<ReferenceReweighting>())}; got {r.Reweighting}");
            if (r.Reweighting != ReferenceReweighting.None)
            {
                string reweighting = $"{Of(nameof(r.Reweighting))} = {r.Reweighting}";
                Require(r.ConditionedModel is null && r.ConditionedFeatureColumnName is null, Of(nameof(r.Reweighting)),
                    $"re-weights K per-objective references; it cannot be combined with a conditioned reference ({Of(nameof(r.ConditionedModel))}), which gives one score");
                Require(r.Form != ReferenceForm.ExtraInputs, Of(nameof(r.Form)),
                    $"must be {ReferenceForm.ImplicitReward} or {ReferenceForm.Residual} with {reweighting}; got {r.Form}");
                Require(Network.Architecture == RankerArchitecture.Mlp && Network.FrozenBackbone is null, Of(nameof(r.Reweighting)),
                    $"is built into the row-wise MLP network; it needs {Path(nameof(Network), nameof(Network.Architecture))} = {RankerArchitecture.Mlp} without a frozen backbone (got {Network.Architecture})");
            }
        }

        /// <summary>
        /// Refuses <see cref="ReferenceOptions.Reweighting"/> without references to re-weight. Checked by the trainer, not by
        /// <see cref="Validate"/>: a checkpoint's saved options get their references back from the checkpoint after they are validated.
        /// </summary>
        internal void RequireReferencesToReweight()
        {
            var r = References;
            Require(r.Reweighting == ReferenceReweighting.None || r.Source is not null || Checkpointing.StartFrom?.ReferenceModel is not null,
                Path(nameof(References), nameof(r.Reweighting)), $"re-weights the K per-objective references, so it needs {Path(nameof(References), nameof(r.Source))}; got no references");
        }

        private void ValidateCheckpointing()
        {
            var c = Checkpointing;
            string Of(string leaf) => Path(nameof(Checkpointing), leaf);
            Require(c.Interval >= 1, Of(nameof(c.Interval)), $"must be at least 1; got {c.Interval}");
            Require(c.StepInterval >= 0, Of(nameof(c.StepInterval)), $"must be 0 (off) or positive; got {c.StepInterval}");
            Require(c.Seconds >= 0 && double.IsFinite(c.Seconds), Of(nameof(c.Seconds)), $"must be 0 (off) or a positive number of seconds; got {c.Seconds}");
            Require(c.Path is null || c.Path.Trim().Length > 0, Of(nameof(c.Path)), "must be a file path or null; got an empty string");
            Require(!c.Resume || c.StartFrom is not null, Of(nameof(c.Resume)), $"needs {Of(nameof(c.StartFrom))}: the checkpoint whose fit to continue");
            if (c.StartFrom is not { } start) return;
            string option = Of(nameof(c.StartFrom));
            Require(start.Objectives.Count == LabelColumnNames.Length, option,
                $"has {start.Objectives.Count} objectives ({string.Join(", ", start.Objectives)}); {nameof(LabelColumnNames)} names {LabelColumnNames.Length}");
            Require(start.Conditioning == Network.Conditioning, option, $"was trained with {Path(nameof(Network), nameof(Network.Conditioning))} = {start.Conditioning}; these options say {Network.Conditioning}");
            Require((start.Model.Temperature is null) == (Loss.TemperatureRange is null), option,
                start.Model.Temperature is null ? $"was trained at one temperature; these options set {Path(nameof(Loss), nameof(Loss.TemperatureRange))}, which needs a network that reads it"
                    : $"was trained with {Path(nameof(Loss), nameof(Loss.TemperatureRange))} [{string.Join(", ", start.Model.TrainedTemperatureRange!)}]; these options set none");
            Require(start.HiddenSizes.SequenceEqual(Network.HiddenSizes!), option,
                $"has {Path(nameof(Network), nameof(Network.HiddenSizes))} [{string.Join(", ", start.HiddenSizes)}]; these options say [{string.Join(", ", Network.HiddenSizes!)}]");
        }

        /// <summary>A copy whose groups and arrays are copies too (references, backbone and checkpoint are shared: they are immutable).</summary>
        internal Options Clone()
        {
            var copy = (Options)MemberwiseClone();
            copy.LabelColumnNames = (string[])LabelColumnNames.Clone();
            copy.InitialObjectiveWeights = (float[]?)InitialObjectiveWeights?.Clone();
            copy.Network = Network.Clone();
            copy.Loss = Loss.Clone();
            copy.References = References.Clone();
            copy.Optimiser = Optimiser.Clone();
            copy.Validation = Validation.Clone();
            copy.Checkpointing = Checkpointing.Clone();
            copy.LargeData = LargeData.Clone();
            copy.Runtime = Runtime.Clone();
            return copy;
        }

        internal int ValidationDivisions => Validation.GridDivisions ?? Evaluation.ParetoProfileOptions.DefaultGridDivisions(LabelColumnNames.Length);

        /// <summary>The full name of an option of a group, as the messages and <see cref="ArgumentException.ParamName"/> give it.</summary>
        internal static string Path(string group, string option) => group + "." + option;

        private static void Require(bool condition, string option, string message)
        {
            if (!condition) throw new ArgumentException($"{option} {message}.", option);
        }
    }
}
