using System.Text.Json.Serialization;

namespace Microsoft.ML.HyperDpo.Persistence;

/// <summary>
/// The JSON entry <c>checkpoint.json</c> of a HyperDPO checkpoint: what the checkpoint holds and how to rebuild the
/// network; the byte layout of the other entries is described in docs/persistence.md.
/// </summary>
internal sealed record CheckpointManifest
{
    /// <summary>The value of <see cref="Format"/> in every HyperDPO checkpoint.</summary>
    public const string FormatName = "Microsoft.ML.HyperDpo.Checkpoint";

    public string Format { get; init; } = FormatName;
    public int Version { get; init; }
    public string Library { get; init; } = "";
    public DateTimeOffset Created { get; init; }
    public string[] Objectives { get; init; } = Array.Empty<string>();
    public string FeatureColumnName { get; init; } = "";
    public int FeatureCount { get; init; }
    public float[] ObjectiveWeights { get; init; } = Array.Empty<float>();
    public int EpochsCompleted { get; init; }
    public CheckpointOptions Options { get; init; } = new();

    /// <summary>Entry name -> lowercase hex SHA-256 of its bytes, for every other entry of the archive.</summary>
    public Dictionary<string, string> Sha256 { get; init; } = new();
}

/// <summary>The trainer options saved in a checkpoint: every option except the reference model (saved as its own entry) and the checkpoint itself.</summary>
internal sealed record CheckpointOptions
{
    public string[] LabelColumnNames { get; init; } = Array.Empty<string>();
    public string FeatureColumnName { get; init; } = "";
    public string RowGroupColumnName { get; init; } = "";
    public int? Seed { get; init; }
    [JsonConverter(typeof(JsonStringEnumConverter<ConditioningKind>))] public ConditioningKind Conditioning { get; init; }
    public int[] HiddenSizes { get; init; } = Array.Empty<int>();
    public float Dropout { get; init; }
    [JsonConverter(typeof(JsonStringEnumConverter<ListwiseLossKind>))] public ListwiseLossKind Loss { get; init; }
    public int? TopK { get; init; }
    public float Beta { get; init; }
    public float DirichletAlpha { get; init; }
    public float CosmosPenalty { get; init; }
    public string ReferenceScoreColumnName { get; init; } = "";
    public int NumberOfEpochs { get; init; }
    public int BatchSize { get; init; }
    public int MaxListLength { get; init; }
    public float LearningRate { get; init; }
    public float WeightDecay { get; init; }
    [JsonConverter(typeof(JsonStringEnumConverter<LearningRateSchedule>))] public LearningRateSchedule LearningRateSchedule { get; init; }
    public float GradientClipNorm { get; init; }
    public int EarlyStoppingPatience { get; init; }
    [JsonConverter(typeof(JsonStringEnumConverter<EarlyStoppingMetric>))] public EarlyStoppingMetric EarlyStoppingMetric { get; init; }
    public int? ValidationGridDivisions { get; init; }
    public int EvaluationTruncation { get; init; }
    [JsonConverter(typeof(JsonStringEnumConverter<TorchDevice>))] public TorchDevice Device { get; init; }
    public float[]? InitialObjectiveWeights { get; init; }

    public static CheckpointOptions From(HyperDpoRankingTrainer.Options o) => new()
    {
        LabelColumnNames = o.LabelColumnNames, FeatureColumnName = o.FeatureColumnName, RowGroupColumnName = o.RowGroupColumnName,
        Seed = o.Seed, Conditioning = o.Conditioning, HiddenSizes = o.HiddenSizes, Dropout = o.Dropout, Loss = o.Loss, TopK = o.TopK,
        Beta = o.Beta, DirichletAlpha = o.DirichletAlpha, CosmosPenalty = o.CosmosPenalty, ReferenceScoreColumnName = o.ReferenceScoreColumnName,
        NumberOfEpochs = o.NumberOfEpochs, BatchSize = o.BatchSize, MaxListLength = o.MaxListLength, LearningRate = o.LearningRate,
        WeightDecay = o.WeightDecay, LearningRateSchedule = o.LearningRateSchedule, GradientClipNorm = o.GradientClipNorm,
        EarlyStoppingPatience = o.EarlyStoppingPatience, EarlyStoppingMetric = o.EarlyStoppingMetric, ValidationGridDivisions = o.ValidationGridDivisions,
        EvaluationTruncation = o.EvaluationTruncation, Device = o.Device, InitialObjectiveWeights = o.InitialObjectiveWeights,
    };

    public HyperDpoRankingTrainer.Options ToOptions() => new()
    {
        LabelColumnNames = (string[])LabelColumnNames.Clone(), FeatureColumnName = FeatureColumnName, RowGroupColumnName = RowGroupColumnName,
        Seed = Seed, Conditioning = Conditioning, HiddenSizes = (int[])HiddenSizes.Clone(), Dropout = Dropout, Loss = Loss, TopK = TopK,
        Beta = Beta, DirichletAlpha = DirichletAlpha, CosmosPenalty = CosmosPenalty, ReferenceScoreColumnName = ReferenceScoreColumnName,
        NumberOfEpochs = NumberOfEpochs, BatchSize = BatchSize, MaxListLength = MaxListLength, LearningRate = LearningRate,
        WeightDecay = WeightDecay, LearningRateSchedule = LearningRateSchedule, GradientClipNorm = GradientClipNorm,
        EarlyStoppingPatience = EarlyStoppingPatience, EarlyStoppingMetric = EarlyStoppingMetric, ValidationGridDivisions = ValidationGridDivisions,
        EvaluationTruncation = EvaluationTruncation, Device = Device, InitialObjectiveWeights = (float[]?)InitialObjectiveWeights?.Clone(),
    };
}
