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
    /// <see cref="HyperDpoRankingTrainer.Options.FixedObjectiveWeights"/> (which this kind requires). This is the
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
    /// <see cref="HyperDpoRankingTrainer.Options.PromptCount"/> prompt embeddings prepended to each query's documents, starting
    /// at the mixture sum_k w_k P_k of one prompt per objective (a non-linear correction starts at zero and trains); the
    /// transformer blocks are unchanged (and may be a frozen backbone, <see cref="HyperDpoRankingTrainer.Options.FrozenBackbone"/>).
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
    /// Reads neither <see cref="HyperDpoRankingTrainer.Options.TopK"/> nor <see cref="HyperDpoRankingTrainer.Options.Ties"/> (leave both at their defaults).
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
    /// <summary>Mean over the validation weight grid and over objectives of NDCG@k (k = <see cref="HyperDpoRankingTrainer.Options.EvaluationTruncation"/>).</summary>
    MeanNdcg,
    /// <summary>Hypervolume (reference at the origin) of the per-objective NDCG@k points of the validation weight grid.</summary>
    Hypervolume,
}

/// <summary>How the loss sees the reference rankers (<see cref="HyperDpoRankingTrainer.Options.ReferenceModels"/>).</summary>
public enum ReferenceForm
{
    /// <summary>
    /// DPO's implicit reward: the loss is taken on z = beta * (s - r_w) = beta * g, as in DPO (beta = <see cref="HyperDpoRankingTrainer.Options.ReferenceBeta"/>),
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
    /// and the loss is DPO's implicit reward, as in <see cref="ImplicitReward"/> (z = beta * g, the model scores r_w + g, g starting
    /// at zero). The network can then learn from how the references rank, not only from the features; the training rows' reference
    /// scores are its inputs, so out-of-fold references (<see cref="HyperDpoRankingTrainer.Options.ReferenceFolds"/>) keep it from
    /// trusting scores the references fitted on those very rows.
    /// </summary>
    ExtraInputs,
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
    /// Every setting of <see cref="HyperDpoRankingTrainer"/>. Each has a default that works on
    /// LETOR-style data; <see cref="Validate"/> checks them all once, before training starts.
    /// </summary>
    public sealed partial class Options
    {
        /// <summary>
        /// One graded label column per objective (K &gt;= 2), higher is better; their order is the order of the objective weights.
        /// Labels are whole-number grades 0, 1, 2, ... up to 1000 (NDCG counts whole grades only; a fractional value is refused).
        /// </summary>
        public string[] LabelColumnNames { get; set; } = Array.Empty<string>();

        /// <summary>The feature column: a known-size vector of <see cref="float"/>. Default <c>Features</c>.</summary>
        public string FeatureColumnName { get; set; } = "Features";

        /// <summary>The query (group) column: a key type, as for FastTree. Rows of a group need not be contiguous. Default <c>GroupId</c>.</summary>
        public string RowGroupColumnName { get; set; } = "GroupId";

        /// <summary>Seed of every random choice (initial weights, shuffling, Dirichlet draws, tie-breaking, dropout). Null: drawn from the MLContext's seeded random source.</summary>
        public int? Seed { get; set; }

        /// <summary>
        /// How the network is conditioned on the objective weights. Default <see cref="ConditioningKind.Hypernetwork"/>: on the validation
        /// parts of MQ2008's five folds (relevance with PageRank, and with URL length) its fronts matched FiLM's (hypervolume 0.4431 against
        /// 0.4423, mean of the two) and it trains about a third faster, having no per-layer modulation.
        /// </summary>
        public ConditioningKind Conditioning { get; set; } = ConditioningKind.Hypernetwork;

        /// <summary>Hidden layer widths of the scoring MLP. Default 128, 64.</summary>
        public int[] HiddenSizes { get; set; } = { 128, 64 };

        /// <summary>
        /// Dropout after each hidden layer during training. Default 0: with early stopping on validation data, dropout 0.1 and 0.05
        /// gave narrower validation fronts on MQ2008's five folds than none (mean hypervolume over PageRank and URL length 0.4431,
        /// 0.4448 and 0.4454), and no dropout trains faster. Raise it for larger networks, or without validation data.
        /// </summary>
        public float Dropout { get; set; }

        /// <summary>The listwise loss. Default <see cref="ListwiseLossKind.PlackettLuce"/>.</summary>
        public ListwiseLossKind Loss { get; set; } = ListwiseLossKind.PlackettLuce;

        /// <summary>Plackett-Luce truncation: only the first k positions of each label order are scored. Null: the full list.</summary>
        public int? TopK { get; set; }

        /// <summary>
        /// How the Plackett-Luce loss treats equal labels. Default <see cref="TieHandling.Grouped"/>: on the validation data the
        /// defaults were chosen on (MQ2008 Fold1's S4, and the validation split of the synthetic long lists), it widened every front
        /// against <see cref="TieHandling.RandomOrder"/> (hypervolume 0.4780 against 0.4675 with PageRank, 0.5080 against 0.5019 with
        /// URL length, 0.4055 against 0.3889 on the long lists, where it also made the front monotone again; with FastTree
        /// references and beta 5, 0.4660 against 0.4634 and 0.5125 against 0.5098). See docs/options.md.
        /// </summary>
        public TieHandling Ties { get; set; } = TieHandling.Grouped;

        /// <summary>
        /// How each list's loss is scaled before the batch mean (<see cref="HyperDpo.LossNormalization"/>). Default
        /// <see cref="LossNormalization.Sum"/>: dividing by the list's length did not widen the validation fronts the defaults were
        /// chosen on (with grouped ties, hypervolume 0.4746 against 0.4780 with PageRank, 0.5025 against 0.5080 with URL length, 0.3973
        /// against 0.4055 on the long lists). See docs/options.md.
        /// </summary>
        public LossNormalization LossNormalization { get; set; } = LossNormalization.Sum;

        /// <summary>DPO temperature beta in z = beta * s of a fit without a reference: the sharpness of the Plackett-Luce distribution the
        /// network starts from. With a reference, <see cref="ReferenceBeta"/> takes its place. Default 5.</summary>
        public float Beta { get; set; } = 5f;

        /// <summary>
        /// Temperature conditioning: two values, the lowest and highest beta. Each training list then draws its own beta, log-uniform
        /// on [min, max], the loss takes it in place of <see cref="Beta"/> (or <see cref="ReferenceBeta"/>), and the network receives it as one more entry of its
        /// conditioning vector (ln beta scaled to [-1, 1] over the range), so that the temperature, like the weights, is chosen after
        /// training (<see cref="HyperDpoRankingTransformer.WithTemperature"/>, or a temperature column of <c>WeightedScore</c>). Early
        /// stopping follows the validation front at the geometric mean of the range. With validation data the fitted model's default temperature is the one of a small log-spaced grid on the range whose
        /// validation front has the largest hypervolume (<see cref="TrainingReport.Temperatures"/>); without, the geometric mean of
        /// min and max. With a reference the temperature sets how far the ranking moves from it (larger: closer). Null (default):
        /// every list uses <see cref="Beta"/> and the network does not see it.
        /// </summary>
        public float[]? TemperatureRange { get; set; }

        /// <summary>
        /// DPO temperature beta of a fit with a reference (<see cref="ReferenceModels"/>, <see cref="ReferenceEstimators"/> or
        /// <see cref="ReferenceModel"/>), in place of <see cref="Beta"/>: it sets how far the ranking may move from the reference
        /// soup (g's scale shrinks as 1/beta). Default 2: on the validation part (S4) of MQ2008's Fold1, with FastTree references,
        /// the front reached 1.019x the score soup's hypervolume with PageRank and 1.016x with URL length (1.011x and 1.009x at beta 5;
        /// 1.028x and 1.017x at beta 1, whose relevance NDCG rose by 0.0067 as its weight fell on one grid step), and 1.047x on the
        /// long-list data's validation split. See docs/options.md.
        /// </summary>
        public float ReferenceBeta { get; set; } = 2f;

        /// <summary>
        /// Concentration alpha of the symmetric Dirichlet from which each training list draws its objective weights; 1 is uniform on the
        /// simplex, smaller favours the corners. Default 0.5: the corners, where one objective is learnt alone, are the hardest points
        /// of the front, and drawing them more often widened the validation fronts on MQ2008 (hypervolume +1.1% with PageRank, +1.8%
        /// with URL length against alpha = 1, five folds).
        /// </summary>
        public float DirichletAlpha { get; set; } = 0.5f;

        /// <summary>
        /// Train one trade-off only: every list uses these weights (K values &gt;= 0, not all zero, normalised to sum 1) instead
        /// of a Dirichlet draw, early stopping follows the validation NDCG@k weighted by them (sum_k w_k NDCG_k), and they
        /// are the fitted transformer's initial weights. Required by <see cref="ConditioningKind.None"/>. Null: w ~ Dirichlet(alpha).
        /// </summary>
        public float[]? FixedObjectiveWeights { get; set; }

        /// <summary>Weight lambda of the COSMOS penalty -lambda * cos(w, (L_1..L_K)) that spreads the front. Default 0 (off).</summary>
        public float CosmosPenalty { get; set; }

        /// <summary>
        /// One already fitted ML.NET transformer that adds a <see cref="ReferenceScoreColumnName"/> column (a FastTree
        /// LambdaMART model, say), shared by every objective: the reference for every w is its score r, standardised on the
        /// training data, and the fitted ranker scores (r - mu) / sigma + g(x; w). Null, with no <see cref="ReferenceModels"/>
        /// or <see cref="ReferenceEstimators"/> either: reference-free (r = 0).
        /// </summary>
        public ITransformer? ReferenceModel { get; set; }

        /// <summary>
        /// One already fitted ML.NET ranker per objective, in <see cref="LabelColumnNames"/> order, each adding a
        /// <see cref="ReferenceScoreColumnName"/> column (e.g. a FastTree LambdaMART model trained on that objective's labels).
        /// The reference for the trade-off w is their score soup r_w = sum_k w_k (r_k - mu_k) / sigma_k, with mu_k and sigma_k the
        /// mean and standard deviation of r_k on the training data, and the model scores r_w + g(x; w), g starting at zero.
        /// Null: see <see cref="ReferenceModel"/>.
        /// </summary>
        public ITransformer[]? ReferenceModels { get; set; }

        /// <summary>
        /// As <see cref="ReferenceModels"/>, but unfitted: one ML.NET ranking estimator per objective, in <see cref="LabelColumnNames"/>
        /// order, each set up with that objective's label column; <c>Fit</c> fits them on the training data first (the time is part of
        /// the fit). Null: none.
        /// </summary>
        public IEstimator<ITransformer>[]? ReferenceEstimators { get; set; }

        /// <summary>
        /// One already fitted ML.NET ranker r(x, w) for every trade-off (a conditioned LambdaMART model, say), in place of the K-model
        /// soup: it reads <see cref="ConditionedReferenceFeatureColumnName"/>, the features followed by the K normalised objective
        /// weights, and adds a <see cref="ReferenceScoreColumnName"/> column. The reference for w is its score at w, standardised with
        /// the mean and standard deviation of its scores on the training data at equal weights, and the model scores
        /// (r(x, w) - mu) / sigma + g(x; w). Only with <see cref="ReferenceForm.ImplicitReward"/> (the training loss never reads the
        /// reference; validation scores it at every grid weight). Null: none.
        /// </summary>
        public ITransformer? ConditionedReferenceModel { get; set; }

        /// <summary>
        /// The column <see cref="ConditionedReferenceModel"/> reads: the fit writes the feature column followed by the K normalised
        /// objective weights into it before the model runs. Set exactly when the reference is conditioned (it is also what marks a
        /// checkpoint's reference as conditioned). Default null.
        /// </summary>
        public string? ConditionedReferenceFeatureColumnName { get; set; }

        /// <summary>
        /// With <see cref="ReferenceEstimators"/>: the number of query folds for out-of-fold reference scores. The training rows'
        /// reference scores then come from models fitted without their query (as in stacking), so that the loss sees how the reference
        /// ranks unseen queries rather than how well it fits its own training data; the served reference is fitted on all the training
        /// data. They matter to <see cref="ReferenceForm.Residual"/> (the loss reads them) and <see cref="ReferenceForm.ExtraInputs"/> (the
        /// network reads them); the implicit-reward loss never reads the training rows' reference scores. 0 or 1: the references' own
        /// (in-sample) scores. Default 0.
        /// </summary>
        public int ReferenceFolds { get; set; }

        /// <summary>
        /// How the loss sees the reference (<see cref="ReferenceForm"/>). Default <see cref="ReferenceForm.ImplicitReward"/>: on the
        /// validation part (S4) of MQ2008's Fold1, with FastTree references, it widened the front over the score soup's most at every
        /// beta tried (hypervolume 1.028x / 1.019x / 1.011x at beta 1 / 2 / 5 with PageRank, 1.017x / 1.016x / 1.009x with URL length),
        /// ahead of <see cref="ReferenceForm.ExtraInputs"/> (1.021x / 1.010x at beta 1 / 5 with PageRank, 1.013x / 1.008x with URL
        /// length, out-of-fold reference scores) and of <see cref="ReferenceForm.Residual"/>, which never moved from the soup
        /// (1.000x): a residual on a reference that ranks its own training queries almost perfectly has little left to learn.
        /// See docs/options.md.
        /// </summary>
        public ReferenceForm ReferenceForm { get; set; } = ReferenceForm.ImplicitReward;

        /// <summary>The reference models' output column. Default <c>Score</c>.</summary>
        public string ReferenceScoreColumnName { get; set; } = "Score";

        /// <summary>The reference chain of a checkpoint (<see cref="ReferenceScores"/>), used as it is when training resumes.</summary>
        internal ITransformer? PreparedReference { get; set; }

        /// <summary>Passes over the training lists. Default 30.</summary>
        public int NumberOfEpochs { get; set; } = 30;

        /// <summary>Lists (queries) per optimisation step. Default 16.</summary>
        public int BatchSize { get; set; } = 16;

        /// <summary>
        /// Longest list used in one step. A longer list is cut, afresh each epoch, to a random subset of this
        /// many documents (every document keeps its labels; NDCG is unaffected at scoring). Default 200.
        /// </summary>
        public int MaxListLength { get; set; } = 200;

        /// <summary>AdamW learning rate. Default 0.003.</summary>
        public float LearningRate { get; set; } = 3e-3f;

        /// <summary>AdamW decoupled weight decay. Default 0.0001.</summary>
        public float WeightDecay { get; set; } = 1e-4f;

        /// <summary>Learning-rate schedule. Default <see cref="LearningRateSchedule.WarmupCosine"/>.</summary>
        public LearningRateSchedule LearningRateSchedule { get; set; } = LearningRateSchedule.WarmupCosine;

        /// <summary>
        /// Decay d of an exponential moving average of the parameters (Polyak averaging): after every step, avg = d avg + (1 - d) theta,
        /// with d ramped up from 0.1 over the first steps as (1 + t) / (10 + t) so that the average forgets the initial parameters.
        /// Validation, early stopping and the fitted model use the average, which is less noisy than the last step's parameters.
        /// 0 turns averaging off. Default 0.
        /// </summary>
        public float ParameterAveragingDecay { get; set; }

        /// <summary>Gradients are clipped to this global L2 norm; 0 disables clipping. Default 5.</summary>
        public float GradientClipNorm { get; set; } = 5f;

        /// <summary>With validation data: stop after this many epochs without improvement, and keep the best epoch's state. 0: never stop early. Default 8.</summary>
        public int EarlyStoppingPatience { get; set; } = 8;

        /// <summary>The validation figure early stopping maximises. Default <see cref="EarlyStoppingMetric.Hypervolume"/>: the mean NDCG favours
        /// the middle of the front and stops before the extremes are learnt.</summary>
        public EarlyStoppingMetric EarlyStoppingMetric { get; set; } = EarlyStoppingMetric.Hypervolume;

        /// <summary>Step 1/m of the validation weight lattice. Null: 10 for K = 2, 4 for K = 3, 2 beyond.</summary>
        public int? ValidationGridDivisions { get; set; }

        /// <summary>
        /// Number of weight grids the early-stopping figure is averaged over: the validation lattice (<see cref="ValidationGridDivisions"/>)
        /// and, beyond it, grids of as many points made of the K corners and uniform random points of the simplex, drawn from fixed seeds
        /// (the same grids for every fit). The kept epoch is the one whose mean figure over the grids is best, which depends less on where
        /// one lattice happens to put its points. 1: the lattice alone. Default 1.
        /// </summary>
        public int ValidationGrids { get; set; } = 1;

        /// <summary>
        /// Number of fits of the network whose parameters are averaged into the fitted model (a uniform weight average, as a model soup).
        /// Every member starts from the same initial parameters (the seed's), at the reference soup when there is one, and differs in the
        /// order of the training lists and the drawn objective weights (seed + 1000 i for member i); each stops early on the validation
        /// data on its own. The soup of members is kept unless its validation figure is below the reference's (then the reference alone
        /// is kept). <see cref="Progress"/> receives each member's epochs in turn. Training takes about this many times as long. 1: one fit. Default 1.
        /// </summary>
        public int EnsembleSize { get; set; } = 1;

        /// <summary>
        /// With validation data: after the fit on the training data has chosen its best epoch E on the validation data, fit again from the
        /// same initial parameters on the training and validation lists together, with the same learning-rate schedule stretched over the
        /// larger data, and stop after E epochs (no validation is left to check that refit; the reference, when there is one, stays as
        /// fitted on the training data). When E is 0 (the reference alone was best) no refit runs. <see cref="Progress"/> receives the refit's epochs (without validation figures) after the first fit's. Training takes about twice as long.
        /// Default false.
        /// </summary>
        public bool RefitOnValidationData { get; set; }

        /// <summary>Truncation k of NDCG@k for validation. Default 10.</summary>
        public int EvaluationTruncation { get; set; } = 10;

        /// <summary>
        /// LibTorch's intra-op threads while training on the CPU; the previous count is restored when the fit ends. Default 1:
        /// these networks are small, and LibTorch's thread pool costs more per operation than it gains (on MQ2008, 2 cores:
        /// 7.3 s with 1 thread against 12.3 s with 2 for the same, bit-identical, fit; far worse when other processes load the
        /// cores). The count is a process-wide LibTorch setting, so concurrent fits should agree on it. Null: LibTorch's own
        /// choice (one thread per core).
        /// </summary>
        public int? NumberOfThreads { get; set; } = 1;

        /// <summary>Where to train and score. Default <see cref="TorchDevice.Auto"/>.</summary>
        public TorchDevice Device { get; set; } = TorchDevice.Auto;

        /// <summary>Initial objective weights of the fitted transformer. Null: equal weights 1/K.</summary>
        public float[]? InitialObjectiveWeights { get; set; }

        /// <summary>
        /// A checkpoint to continue training from (<see cref="HyperDpoCheckpoint.Load"/>): the network starts from its
        /// weights, keeps its feature standardisation and, when the checkpoint has one, its optimiser state; then runs
        /// <see cref="NumberOfEpochs"/> more epochs with these options (learning-rate schedule restarted). Its
        /// conditioning, hidden sizes and objective count must match these options (use
        /// <see cref="HyperDpoCheckpoint.TrainerOptions"/> as a start); its reference model is used when
        /// <see cref="ReferenceModel"/> is null. Null: train from scratch.
        /// </summary>
        public HyperDpoCheckpoint? InitialCheckpoint { get; set; }

        /// <summary>
        /// Receives a <see cref="TrainingProgress"/> record after every epoch (loss, validation figure, best epoch, early stop),
        /// on the training thread, before the next epoch starts; cancelling the <c>MLContext</c> from it stops the fit at the next
        /// step. <see cref="System.Progress{T}"/> forwards records to its synchronisation context or the thread pool, so they may
        /// arrive later; implement <see cref="IProgress{T}"/> directly to handle each one at once. Not saved with the model or
        /// checkpoints. The same figures also go to <c>MLContext.Log</c>. Null: no records.
        /// </summary>
        public IProgress<TrainingProgress>? Progress { get; set; }

        /// <summary>
        /// Where to write a training checkpoint (<see cref="HyperDpoCheckpoint"/>) every <see cref="CheckpointInterval"/>
        /// epochs and after the last one, atomically (a crash while writing leaves the previous checkpoint whole): the
        /// network being trained (not the best epoch's), AdamW's state and the options. A fit killed at any point resumes from
        /// it with <see cref="HyperDpoCheckpoint.ResumeOptions"/>. Null: no checkpoints.
        /// </summary>
        public string? CheckpointPath { get; set; }

        /// <summary>Epochs between two checkpoints written to <see cref="CheckpointPath"/>. Default 1.</summary>
        public int CheckpointInterval { get; set; } = 1;

        /// <summary>
        /// Also write a checkpoint to <see cref="CheckpointPath"/> every this many optimisation steps, in the middle of an epoch;
        /// a fit resumed from such a checkpoint continues the epoch at the next step, with the same list order, random streams and
        /// learning-rate schedule. 0: only at epoch ends. Default 0.
        /// </summary>
        public int CheckpointStepInterval { get; set; }

        /// <summary>
        /// Also write a checkpoint to <see cref="CheckpointPath"/> after the first step that ends at least this many seconds after
        /// the last checkpoint (or the start of the fit), in the middle of an epoch as with <see cref="CheckpointStepInterval"/>.
        /// 0: no timed checkpoints. Default 0.
        /// </summary>
        public double CheckpointSeconds { get; set; }

        /// <summary>
        /// Training data with at least this many rows (documents) is trained with the large-data settings: steps of about
        /// <see cref="LargeDataRowsPerStep"/> rows and early stopping on a sample of <see cref="LargeDataValidationLists"/>
        /// validation lists. Smaller data is trained exactly as without them. <see cref="int.MaxValue"/> turns them off.
        /// Default 100,000 (MSLR-WEB10K/30K-sized data is above it, LETOR 4.0's MQ2007/MQ2008 below).
        /// </summary>
        public int LargeDataRows { get; set; } = 100_000;

        /// <summary>
        /// On large data (<see cref="LargeDataRows"/>): rows per optimisation step. The lists per step become this divided by the
        /// mean list length (when that is more than <see cref="BatchSize"/>), and the learning rate is multiplied by the square
        /// root of the growth in lists per step. Default 8,192.
        /// </summary>
        public int LargeDataRowsPerStep { get; set; } = 8192;

        /// <summary>
        /// On large data (<see cref="LargeDataRows"/>): early stopping measures a fixed random sample of this many validation
        /// lists (all of them when there are fewer). Default 500.
        /// </summary>
        public int LargeDataValidationLists { get; set; } = 500;

        /// <summary>
        /// Set by <see cref="HyperDpoCheckpoint.ResumeOptions"/>: the interrupted fit's first epoch (in epochs completed before
        /// it), its planned epochs, those it completed, its random generator's state and the steps it ran of the next epoch, so
        /// that the resumed fit continues its learning-rate schedule, list order and random streams. Not saved.
        /// </summary>
        internal (int Start, int Epochs, int Done, byte[]? RandomState, int Steps)? ResumedFit { get; set; }

        /// <summary>
        /// Checks every option and throws an <see cref="ArgumentException"/> that names the first one that is wrong.
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
            Require(HiddenSizes is { Length: > 0 } && HiddenSizes.All(h => h > 0), nameof(HiddenSizes), $"must be one or more positive widths; got [{string.Join(", ", HiddenSizes ?? Array.Empty<int>())}]");
            Require(Dropout >= 0 && Dropout < 1, nameof(Dropout), $"must be in [0, 1); got {Dropout}");
            Require(TopK is null or > 0, nameof(TopK), $"must be positive or null; got {TopK}");
            var (usesTopK, usesTies) = Losses.ListwiseLossFactory.Reads(Loss);
            Require(usesTopK || TopK is null, nameof(TopK), $"is not read by {nameof(Loss)} = {Loss}; leave it null (got {TopK})");
            Require(usesTies || Ties == TieHandling.Grouped, nameof(Ties), $"is not read by {nameof(Loss)} = {Loss} (equal labels get equal targets); leave it at its default, {TieHandling.Grouped} (got {Ties})");
            Require(float.IsFinite(Beta) && Beta > 0, nameof(Beta), $"must be a positive number; got {Beta}");
            if (TemperatureRange is { } range)
                Require(range.Length == 2 && range.All(b => float.IsFinite(b) && b > 0) && range[0] <= range[1], nameof(TemperatureRange),
                    $"must be two finite temperatures 0 < min <= max, or null; got [{string.Join(", ", range)}]");
            Require(float.IsFinite(ReferenceBeta) && ReferenceBeta > 0, nameof(ReferenceBeta), $"must be a positive number; got {ReferenceBeta}");
            Require(float.IsFinite(DirichletAlpha) && DirichletAlpha > 0, nameof(DirichletAlpha), $"must be a positive number; got {DirichletAlpha}");
            Require(float.IsFinite(CosmosPenalty) && CosmosPenalty >= 0, nameof(CosmosPenalty), $"must be >= 0; got {CosmosPenalty}");
            Require(!string.IsNullOrWhiteSpace(ReferenceScoreColumnName), nameof(ReferenceScoreColumnName), "must name a column");
            Require(ReferenceFolds >= 0, nameof(ReferenceFolds), $"must be >= 0; got {ReferenceFolds}");
            Require(ReferenceFolds < 2 || ReferenceEstimators is not null, nameof(ReferenceFolds),
                $"needs {nameof(ReferenceEstimators)} (out-of-fold scores need estimators to refit); got {ReferenceFolds} without them");
            int referenceKinds = (ReferenceModel is null ? 0 : 1) + (ReferenceModels is null ? 0 : 1) + (ReferenceEstimators is null ? 0 : 1);
            Require(referenceKinds <= 1, nameof(ReferenceModels), $"cannot be combined with {nameof(ReferenceModel)} or {nameof(ReferenceEstimators)}; give one of the three");
            if (ConditionedReferenceModel is not null)
            {
                Require(referenceKinds == 0, nameof(ConditionedReferenceModel), $"cannot be combined with {nameof(ReferenceModel)}, {nameof(ReferenceModels)} or {nameof(ReferenceEstimators)}; give one reference");
                Require(!string.IsNullOrWhiteSpace(ConditionedReferenceFeatureColumnName), nameof(ConditionedReferenceFeatureColumnName),
                    $"must name the column {nameof(ConditionedReferenceModel)} reads (the features followed by the objective weights)");
            }
            if (ConditionedReferenceFeatureColumnName is not null)
            {
                // A checkpoint's options carry the column without the model (its reference is saved apart), so only the per-objective kinds are refused.
                Require(referenceKinds == 0, nameof(ConditionedReferenceFeatureColumnName),
                    $"marks the reference as conditioned ('{ConditionedReferenceFeatureColumnName}'); it cannot be set with {nameof(ReferenceModel)}, {nameof(ReferenceModels)} or {nameof(ReferenceEstimators)}");
                Require(ConditionedReferenceFeatureColumnName != FeatureColumnName, nameof(ConditionedReferenceFeatureColumnName),
                    $"must differ from {nameof(FeatureColumnName)} ('{FeatureColumnName}'): the features followed by the weights are written into it");
                Require(ReferenceForm == ReferenceForm.ImplicitReward, nameof(ReferenceForm),
                    $"must be {ReferenceForm.ImplicitReward} with a conditioned reference (its score depends on w, so it can be neither a network input nor a per-row residual target); got {ReferenceForm}");
            }
            if (ReferenceModels is not null)
                Require(ReferenceModels.Length == LabelColumnNames.Length && ReferenceModels.All(m => m is not null), nameof(ReferenceModels),
                    $"must hold one fitted model per objective ({LabelColumnNames.Length}: {string.Join(", ", LabelColumnNames)}); got {ReferenceModels.Length}" +
                    (ReferenceModels.Any(m => m is null) ? ", some null" : ""));
            if (ReferenceEstimators is not null)
                Require(ReferenceEstimators.Length == LabelColumnNames.Length && ReferenceEstimators.All(m => m is not null), nameof(ReferenceEstimators),
                    $"must hold one estimator per objective ({LabelColumnNames.Length}: {string.Join(", ", LabelColumnNames)}); got {ReferenceEstimators.Length}" +
                    (ReferenceEstimators.Any(m => m is null) ? ", some null" : ""));
            Require(NumberOfEpochs > 0, nameof(NumberOfEpochs), $"must be positive; got {NumberOfEpochs}");
            Require(BatchSize > 0, nameof(BatchSize), $"must be positive; got {BatchSize}");
            Require(MaxListLength >= 2, nameof(MaxListLength), $"must be at least 2; got {MaxListLength}");
            Require(float.IsFinite(LearningRate) && LearningRate > 0, nameof(LearningRate), $"must be a positive number; got {LearningRate}");
            Require(float.IsFinite(WeightDecay) && WeightDecay >= 0, nameof(WeightDecay), $"must be >= 0; got {WeightDecay}");
            Require(float.IsFinite(GradientClipNorm) && GradientClipNorm >= 0, nameof(GradientClipNorm), $"must be >= 0; got {GradientClipNorm}");
            Require(float.IsFinite(ParameterAveragingDecay) && ParameterAveragingDecay >= 0 && ParameterAveragingDecay < 1, nameof(ParameterAveragingDecay), $"must be in [0, 1); got {ParameterAveragingDecay}");
            Require(EarlyStoppingPatience >= 0, nameof(EarlyStoppingPatience), $"must be >= 0; got {EarlyStoppingPatience}");
            Require(ValidationGridDivisions is null or > 0, nameof(ValidationGridDivisions), $"must be positive or null; got {ValidationGridDivisions}");
            Require(ValidationGrids >= 1, nameof(ValidationGrids), $"must be at least 1; got {ValidationGrids}");
            Require(EnsembleSize >= 1, nameof(EnsembleSize), $"must be at least 1; got {EnsembleSize}");
            Require(EnsembleSize == 1 || (CheckpointPath is null && InitialCheckpoint is null), nameof(EnsembleSize),
                $"must be 1 with {nameof(CheckpointPath)} or {nameof(InitialCheckpoint)} (a checkpoint holds one fit's network and optimiser); got {EnsembleSize}");
            Require(!RefitOnValidationData || (CheckpointPath is null && InitialCheckpoint is null), nameof(RefitOnValidationData),
                $"cannot be combined with {nameof(CheckpointPath)} or {nameof(InitialCheckpoint)} (a checkpoint holds one fit's network and optimiser)");
            Require(NumberOfThreads is null or > 0, nameof(NumberOfThreads), $"must be positive or null; got {NumberOfThreads}");
            Require(CheckpointInterval >= 1, nameof(CheckpointInterval), $"must be at least 1; got {CheckpointInterval}");
            Require(CheckpointStepInterval >= 0, nameof(CheckpointStepInterval), $"must be 0 (off) or positive; got {CheckpointStepInterval}");
            Require(CheckpointSeconds >= 0 && double.IsFinite(CheckpointSeconds), nameof(CheckpointSeconds), $"must be 0 (off) or a positive number of seconds; got {CheckpointSeconds}");
            Require(LargeDataRows >= 1, nameof(LargeDataRows), $"must be positive (int.MaxValue turns the large-data settings off); got {LargeDataRows}");
            Require(LargeDataRowsPerStep >= 1, nameof(LargeDataRowsPerStep), $"must be positive; got {LargeDataRowsPerStep}");
            Require(LargeDataValidationLists >= 1, nameof(LargeDataValidationLists), $"must be positive; got {LargeDataValidationLists}");
            Require(CheckpointPath is null || CheckpointPath.Trim().Length > 0, nameof(CheckpointPath), "must be a file path or null; got an empty string");
            Require(EvaluationTruncation > 0, nameof(EvaluationTruncation), $"must be positive; got {EvaluationTruncation}");
            ValidateArchitecture();
            if (InitialObjectiveWeights is not null)
                ObjectiveWeights.Normalize(InitialObjectiveWeights, LabelColumnNames.Length, nameof(InitialObjectiveWeights));
            if (FixedObjectiveWeights is not null)
                ObjectiveWeights.Normalize(FixedObjectiveWeights, LabelColumnNames.Length, nameof(FixedObjectiveWeights));
            else if (IgnoresObjectiveWeights)
                throw new ArgumentException($"{nameof(Conditioning)} = {Conditioning} trains a network that ignores the objective weights, so it needs " +
                    $"{nameof(FixedObjectiveWeights)}: the one trade-off to train (e.g. {{ 0.7, 0.3 }}).", nameof(FixedObjectiveWeights));
            if (InitialCheckpoint is { } c)
            {
                Require(c.Objectives.Count == LabelColumnNames.Length, nameof(InitialCheckpoint),
                    $"has {c.Objectives.Count} objectives ({string.Join(", ", c.Objectives)}); {nameof(LabelColumnNames)} names {LabelColumnNames.Length}");
                Require(c.Conditioning == Conditioning, nameof(InitialCheckpoint), $"was trained with {nameof(Conditioning)} = {c.Conditioning}; these options say {Conditioning}");
                Require((c.Model.Temperature is null) == (TemperatureRange is null), nameof(InitialCheckpoint),
                    c.Model.Temperature is null ? $"was trained at one temperature; these options set {nameof(TemperatureRange)}, which needs a network that reads it"
                        : $"was trained with {nameof(TemperatureRange)} [{string.Join(", ", c.Model.TrainedTemperatureRange!)}]; these options set none");
                Require(c.HiddenSizes.SequenceEqual(HiddenSizes!), nameof(InitialCheckpoint),
                    $"has {nameof(HiddenSizes)} [{string.Join(", ", c.HiddenSizes)}]; these options say [{string.Join(", ", HiddenSizes!)}]");
            }
        }

        /// <summary>A copy whose arrays are copies too (the reference model and checkpoint are shared: both are immutable).</summary>
        internal Options Clone()
        {
            var copy = (Options)MemberwiseClone();
            copy.LabelColumnNames = (string[])LabelColumnNames.Clone();
            copy.HiddenSizes = (int[])HiddenSizes.Clone();
            copy.InitialObjectiveWeights = (float[]?)InitialObjectiveWeights?.Clone();
            copy.FixedObjectiveWeights = (float[]?)FixedObjectiveWeights?.Clone();
            copy.TemperatureRange = (float[]?)TemperatureRange?.Clone();
            copy.ReferenceModels = (ITransformer[]?)ReferenceModels?.Clone();
            copy.ReferenceEstimators = (IEstimator<ITransformer>[]?)ReferenceEstimators?.Clone();
            return copy;
        }

        internal int ValidationDivisions => ValidationGridDivisions ?? Evaluation.ParetoProfileOptions.DefaultGridDivisions(LabelColumnNames.Length);

        private static void Require(bool condition, string option, string message)
        {
            if (!condition) throw new ArgumentException($"{option} {message}.", option);
        }
    }
}
