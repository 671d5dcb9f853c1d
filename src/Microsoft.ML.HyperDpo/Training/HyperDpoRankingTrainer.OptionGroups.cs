namespace Microsoft.ML.HyperDpo;

// The groups of HyperDpoRankingTrainer.Options. How each default was chosen, with the figures, is in docs/options.md.
public sealed partial class HyperDpoRankingTrainer
{
    /// <summary>The training loss (<see cref="Options.Loss"/>): the listwise loss, its temperature and the trade-offs each list is trained at.</summary>
    public sealed class LossOptions
    {
        /// <summary>The listwise loss. Default <see cref="ListwiseLossKind.PlackettLuce"/>.</summary>
        public ListwiseLossKind Kind { get; set; } = ListwiseLossKind.PlackettLuce;

        /// <summary>Plackett-Luce truncation: only the first k positions of each label order are scored. Null (default): the full list.</summary>
        public int? TopK { get; set; }

        /// <summary>How the Plackett-Luce loss treats equal labels. Default <see cref="TieHandling.Grouped"/>.</summary>
        public TieHandling Ties { get; set; } = TieHandling.Grouped;

        /// <summary>How each list's loss is scaled before the batch mean. Default <see cref="LossNormalization.Sum"/>.</summary>
        public LossNormalization Normalization { get; set; } = LossNormalization.Sum;

        /// <summary>
        /// DPO temperature beta in z = beta * s of a fit without a reference: the sharpness of the Plackett-Luce distribution the
        /// network starts from (with a reference, <see cref="ReferenceOptions.Beta"/> takes its place). Default 5.
        /// </summary>
        public float Beta { get; set; } = 5f;

        /// <summary>
        /// Temperature conditioning: the lowest and highest beta. Each training list draws its own beta, log-uniform on the range,
        /// and the network reads it, so the temperature is chosen after training (<see cref="HyperDpoRankingTransformer.WithTemperature"/>).
        /// Null (default): every list uses one beta and the network does not see it.
        /// </summary>
        public float[]? TemperatureRange { get; set; }

        /// <summary>
        /// Concentration alpha of the symmetric Dirichlet from which each training list draws its objective weights; 1 is uniform on
        /// the simplex, smaller favours the corners. Default 0.5.
        /// </summary>
        public float DirichletAlpha { get; set; } = 0.5f;

        /// <summary>
        /// Train one trade-off only: every list uses these weights (K values &gt;= 0, not all zero, normalised to sum 1), early stopping
        /// follows the validation NDCG weighted by them, and they are the fitted transformer's weights. Required by
        /// <see cref="ConditioningKind.None"/>. Null (default): w ~ Dirichlet(<see cref="DirichletAlpha"/>).
        /// </summary>
        public float[]? FixedObjectiveWeights { get; set; }

        /// <summary>Weight lambda of the COSMOS penalty -lambda * cos(w, (L_1..L_K)) that spreads the front. Default 0 (off).</summary>
        public float CosmosPenalty { get; set; }

        internal LossOptions Clone()
        {
            var copy = (LossOptions)MemberwiseClone();
            copy.TemperatureRange = (float[]?)TemperatureRange?.Clone();
            copy.FixedObjectiveWeights = (float[]?)FixedObjectiveWeights?.Clone();
            return copy;
        }
    }

    /// <summary>
    /// The reference rankers (<see cref="Options.References"/>): DPO's reference policy, which the fitted model starts from
    /// (s = r_w + g(x; w), g starting at zero) and stays close to. No <see cref="Source"/>: reference-free (r = 0).
    /// </summary>
    public sealed class ReferenceOptions
    {
        /// <summary>
        /// Where the references come from: <see cref="ReferenceSource.Shared"/>, <see cref="ReferenceSource.PerObjective"/> or
        /// <see cref="ReferenceSource.FitPerObjective"/>. A fit from a checkpoint (<see cref="CheckpointingOptions.StartFrom"/>) with
        /// no source uses the checkpoint's saved references. Null (default): no reference.
        /// </summary>
        public ReferenceSource? Source { get; set; }

        /// <summary>
        /// DPO temperature beta of a fit with a reference, in place of <see cref="LossOptions.Beta"/>: the larger, the closer the ranking
        /// stays to the reference soup (g's scale shrinks as 1/beta). Default 2.
        /// </summary>
        public float Beta { get; set; } = 2f;

        /// <summary>How the loss sees the reference. Default <see cref="ReferenceForm.ImplicitReward"/>.</summary>
        public ReferenceForm Form { get; set; } = ReferenceForm.ImplicitReward;

        /// <summary>
        /// With <see cref="ReferenceSource.FitPerObjective"/>: query folds for out-of-fold reference scores of the training rows (as in
        /// stacking); the served references are fitted on all the training data. 0 or 1 (default 0): the references' own scores.
        /// </summary>
        public int Folds { get; set; }

        /// <summary>
        /// What is wrong with <paramref name="folds"/> as <see cref="Folds"/> (to follow the option's name), or null when nothing is:
        /// the one rule, checked by <see cref="Options.Validate"/> and by the tools as their flag is parsed.
        /// </summary>
        internal static string? FoldsProblem(int folds) =>
            folds >= 0 ? null : $"must be >= 0 (0 or 1: the references' own scores; N >= 2: out-of-fold scores from N query folds); got {folds}";

        /// <summary>The reference models' output column. Default <c>Score</c>.</summary>
        public string ScoreColumnName { get; set; } = "Score";

        /// <summary>
        /// One fitted ML.NET ranker r(x, w) for every trade-off (a conditioned LambdaMART model, say) in place of a <see cref="Source"/>:
        /// it reads <see cref="ConditionedFeatureColumnName"/> and adds a <see cref="ScoreColumnName"/> column. Only with
        /// <see cref="ReferenceForm.ImplicitReward"/> and no <see cref="Source"/>. Null (default): none.
        /// </summary>
        public ITransformer? ConditionedModel { get; set; }

        /// <summary>
        /// The column <see cref="ConditionedModel"/> reads: the fit writes the features followed by the K normalised objective weights
        /// into it. Set exactly when the reference is conditioned (it also marks a checkpoint's reference as conditioned). Default null.
        /// </summary>
        public string? ConditionedFeatureColumnName { get; set; }

        /// <summary>
        /// <see cref="ReferenceReweighting.PerObjective"/>: the network also learns a per-objective re-weighting of the references as a
        /// function of w and x, starting at the soup (with per-objective references, an MLP network, and
        /// <see cref="ReferenceForm.ImplicitReward"/> or <see cref="ReferenceForm.Residual"/>). Default <see cref="ReferenceReweighting.None"/>.
        /// </summary>
        public ReferenceReweighting Reweighting { get; set; }

        internal ReferenceOptions Clone() => (ReferenceOptions)MemberwiseClone();
    }

    /// <summary>Epochs, batches and AdamW (<see cref="Options.Optimiser"/>).</summary>
    public sealed class OptimiserOptions
    {
        /// <summary>Passes over the training lists. Default 30.</summary>
        public int NumberOfEpochs { get; set; } = 30;

        /// <summary>Lists (queries) per optimisation step. Default 16.</summary>
        public int BatchSize { get; set; } = 16;

        /// <summary>Longest list used in one step: a longer list is cut, afresh each epoch, to a random subset of this many documents. Default 200.</summary>
        public int MaxListLength { get; set; } = 200;

        /// <summary>AdamW learning rate. Default 0.003.</summary>
        public float LearningRate { get; set; } = 3e-3f;

        /// <summary>AdamW decoupled weight decay. Default 0.0001.</summary>
        public float WeightDecay { get; set; } = 1e-4f;

        /// <summary>How the learning rate changes over the epochs. Default <see cref="HyperDpo.LearningRateSchedule.WarmupCosine"/>.</summary>
        public LearningRateSchedule LearningRateSchedule { get; set; } = LearningRateSchedule.WarmupCosine;

        /// <summary>
        /// Decay d of an exponential moving average of the parameters (Polyak averaging), which validation, early stopping and the
        /// fitted model then use. 0 (default): no averaging.
        /// </summary>
        public float ParameterAveragingDecay { get; set; }

        /// <summary>Gradients are clipped to this global L2 norm; 0 disables clipping. Default 5.</summary>
        public float GradientClipNorm { get; set; } = 5f;

        /// <summary>
        /// Number of fits from the same initial parameters whose parameters are averaged into the fitted model (a model soup); each
        /// member has its own list order and weight draws and stops early on its own. No checkpoints. 1 (default): one fit.
        /// </summary>
        public int EnsembleSize { get; set; } = 1;

        internal OptimiserOptions Clone() => (OptimiserOptions)MemberwiseClone();
    }

    /// <summary>Early stopping on validation data (<see cref="Options.Validation"/>); read only when <c>Fit</c> is given validation data.</summary>
    public sealed class ValidationOptions
    {
        /// <summary>Stop after this many epochs without improvement, and keep the best epoch's state. 0: never stop early. Default 8.</summary>
        public int EarlyStoppingPatience { get; set; } = 8;

        /// <summary>The validation figure early stopping maximises. Default <see cref="HyperDpo.EarlyStoppingMetric.Hypervolume"/>.</summary>
        public EarlyStoppingMetric EarlyStoppingMetric { get; set; } = EarlyStoppingMetric.Hypervolume;

        /// <summary>Step 1/m of the validation weight lattice. Null (default): 10 for K = 2, 4 for K = 3, 2 beyond.</summary>
        public int? GridDivisions { get; set; }

        /// <summary>
        /// Number of weight grids the early-stopping figure is averaged over: the lattice (<see cref="GridDivisions"/>) and, beyond it,
        /// grids of the K corners and random simplex points from fixed seeds. 1 (default): the lattice alone.
        /// </summary>
        public int Grids { get; set; } = 1;

        /// <summary>
        /// After the fit has chosen its best epoch E on the validation data, fit again from the same start on the training and
        /// validation lists together for E epochs (no refit when E is 0). No checkpoints. Default false.
        /// </summary>
        public bool RefitOnValidationData { get; set; }

        /// <summary>Truncation k of NDCG@k for validation. Default 10.</summary>
        public int EvaluationTruncation { get; set; } = 10;

        internal ValidationOptions Clone() => (ValidationOptions)MemberwiseClone();
    }

    /// <summary>Training checkpoints (<see cref="Options.Checkpointing"/>): where and how often a fit writes them, and the one it starts from.</summary>
    public sealed class CheckpointingOptions
    {
        /// <summary>
        /// Where to write a training checkpoint (<see cref="HyperDpoCheckpoint"/>) every <see cref="Interval"/> epochs and after the
        /// last one, atomically; a killed fit resumes from it with <see cref="HyperDpoCheckpoint.ResumeOptions"/>. Never saved in a
        /// checkpoint. Null (default): no checkpoints.
        /// </summary>
        public string? Path { get; set; }

        /// <summary>Epochs between two checkpoints written to <see cref="Path"/>. Default 1.</summary>
        public int Interval { get; set; } = 1;

        /// <summary>Also write a checkpoint to <see cref="Path"/> every this many optimisation steps, in the middle of an epoch. 0 (default): only at epoch ends.</summary>
        public int StepInterval { get; set; }

        /// <summary>
        /// Also write a checkpoint to <see cref="Path"/> after the first step that ends at least this many seconds after the last
        /// checkpoint (or the start of the fit). 0 (default): no timed checkpoints.
        /// </summary>
        public double Seconds { get; set; }

        /// <summary>
        /// A checkpoint to train from (<see cref="HyperDpoCheckpoint.Load"/>): the network starts from its weights, feature
        /// standardisation and optimiser state. Its conditioning, sizes and objective count must match these options
        /// (<see cref="HyperDpoCheckpoint.TrainerOptions"/> is a matching start). Null (default): train from scratch.
        /// </summary>
        public HyperDpoCheckpoint? StartFrom { get; set; }

        /// <summary>
        /// With <see cref="StartFrom"/>: true continues the fit that wrote the checkpoint (its learning-rate schedule, list order and
        /// random streams, at the next step), as <see cref="HyperDpoCheckpoint.ResumeOptions"/> sets it; false (default) runs a new fit
        /// of <see cref="OptimiserOptions.NumberOfEpochs"/> epochs from the checkpoint's weights, schedule restarted. Never saved.
        /// </summary>
        public bool Resume { get; set; }

        internal CheckpointingOptions Clone() => (CheckpointingOptions)MemberwiseClone();
    }

    /// <summary>
    /// What changes on large training data (<see cref="Options.LargeData"/>): from <see cref="Rows"/> rows on, steps of about
    /// <see cref="RowsPerStep"/> rows and early stopping on a sample of <see cref="ValidationLists"/> validation lists. Smaller data
    /// is trained exactly as without them.
    /// </summary>
    public sealed class LargeDataOptions
    {
        /// <summary>Training data with at least this many rows (documents) gets the large-data settings; <see cref="int.MaxValue"/> turns them off. Default 100,000.</summary>
        public int Rows { get; set; } = 100_000;

        /// <summary>
        /// On large data: rows per optimisation step (lists per step = this / the mean list length, when more than
        /// <see cref="OptimiserOptions.BatchSize"/>, with the learning rate scaled by the square root of the growth). Default 8,192.
        /// </summary>
        public int RowsPerStep { get; set; } = 8192;

        /// <summary>On large data: early stopping measures a fixed random sample of this many validation lists. Default 500.</summary>
        public int ValidationLists { get; set; } = 500;

        internal LargeDataOptions Clone() => (LargeDataOptions)MemberwiseClone();
    }

    /// <summary>Where and how the fit runs (<see cref="Options.Runtime"/>); none of these changes what is learnt on the CPU.</summary>
    public sealed class RuntimeOptions
    {
        /// <summary>
        /// LibTorch's intra-op threads while training on the CPU, restored when the fit ends; a process-wide LibTorch setting, so
        /// concurrent fits should agree on it. Default 1. Null: LibTorch's own choice (one thread per core).
        /// </summary>
        public int? NumberOfThreads { get; set; } = 1;

        /// <summary>Where to train and score. Default <see cref="TorchDevice.Auto"/>.</summary>
        public TorchDevice Device { get; set; } = TorchDevice.Auto;

        /// <summary>
        /// Receives a <see cref="TrainingProgress"/> record after every epoch, on the training thread, before the next epoch starts
        /// (cancelling the <c>MLContext</c> from it stops the fit at the next step). Never saved. Null (default): no records.
        /// </summary>
        public IProgress<TrainingProgress>? Progress { get; set; }

        internal RuntimeOptions Clone() => (RuntimeOptions)MemberwiseClone();
    }
}
