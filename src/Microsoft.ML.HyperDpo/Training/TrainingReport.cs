namespace Microsoft.ML.HyperDpo;

/// <summary>One epoch of a HyperDPO fit.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="MeanLoss">Mean over the epoch's lists of sum_k w_k L_k (plus the COSMOS penalty when on).</param>
/// <param name="ValidationScore">The early-stopping figure on the validation data, or null without validation data.</param>
/// <param name="Elapsed">Time since the fit started, at the end of this epoch.</param>
public sealed record EpochRecord(int Epoch, double MeanLoss, double? ValidationScore, TimeSpan Elapsed);

/// <summary>What happened during a HyperDPO fit: per-epoch losses and validation figures, and the work done.</summary>
/// <param name="Epochs">Every epoch that ran, in order.</param>
/// <param name="BestEpoch">The epoch whose parameters the model kept (the last one without validation data); 0 with a reference
/// when no epoch beat the reference itself on the validation data (the model is then exactly the reference soup).</param>
/// <param name="TrainingTime">Wall time of the optimisation loop, validation included, data reading excluded.</param>
/// <param name="DocumentsProcessed">Real (unpadded) documents scored in training steps, over all epochs.</param>
/// <param name="PaddedDocumentsProcessed">Document slots including padding, over all epochs.</param>
/// <param name="Device">The TorchSharp device used, e.g. "cpu" or "cuda:0".</param>
/// <param name="Seed">The seed actually used.</param>
public sealed record TrainingReport(
    IReadOnlyList<EpochRecord> Epochs,
    int BestEpoch,
    TimeSpan TrainingTime,
    long DocumentsProcessed,
    long PaddedDocumentsProcessed,
    string Device,
    int Seed)
{
    /// <summary>Lists per optimisation step: <see cref="HyperDpoRankingTrainer.OptimiserOptions.BatchSize"/>, or more on large data (<see cref="HyperDpoRankingTrainer.LargeDataOptions.Rows"/>).</summary>
    public int ListsPerStep { get; init; }

    /// <summary>
    /// Optimiser steps run, over all epochs (summed over every member with an ensemble, and including a refit): the budget two fits
    /// are compared at, since early stopping makes the epochs differ.
    /// </summary>
    public long OptimiserSteps { get; init; }

    /// <summary>The peak learning rate used: <see cref="HyperDpoRankingTrainer.OptimiserOptions.LearningRate"/>, scaled up with the lists per step on large data.</summary>
    public float LearningRate { get; init; }

    /// <summary>Wall time spent preparing the reference (fitting the estimators of <c>ReferenceSource.FitPerObjective</c>, standardising the scores); zero without one.</summary>
    public TimeSpan ReferenceFitTime { get; init; }

    /// <summary>
    /// With <see cref="HyperDpoRankingTrainer.OptimiserOptions.EnsembleSize"/> above 1: the epoch each member kept (0: its reference alone), in member
    /// order; the other figures of the report are the first member's, with times and documents summed over every member. Empty otherwise.
    /// </summary>
    public IReadOnlyList<int> MemberBestEpochs { get; init; } = Array.Empty<int>();

    /// <summary>
    /// With <see cref="HyperDpoRankingTrainer.OptimiserOptions.EnsembleSize"/> above 1 and validation data: the validation figure of the kept model
    /// (the members' average, or the reference alone when that scored higher). Null otherwise.
    /// </summary>
    public double? KeptValidationScore { get; init; }

    /// <summary>
    /// With <see cref="HyperDpoRankingTrainer.ValidationOptions.RefitOnValidationData"/>: the epochs of the refit on the training and validation lists
    /// (the first member's best epoch; 0 when no refit ran). 0 otherwise.
    /// </summary>
    public int RefitEpochs { get; init; }

    /// <summary>
    /// With <see cref="HyperDpoRankingTrainer.LossOptions.TemperatureRange"/> and validation data: the kept model's validation figures at each
    /// temperature of a log-spaced grid on the range, in increasing order; the model's default temperature is the one with the
    /// largest hypervolume. Empty otherwise.
    /// </summary>
    public IReadOnlyList<TemperatureRecord> Temperatures { get; init; } = Array.Empty<TemperatureRecord>();
}

/// <summary>A temperature-conditioned model's validation figures at one temperature (<see cref="TrainingReport.Temperatures"/>).</summary>
/// <param name="Beta">The temperature.</param>
/// <param name="Hypervolume">Hypervolume (reference at the origin) of the per-objective NDCG@k points of the validation weight grid.</param>
/// <param name="Ndcg">[grid point][objective] NDCG@k on the validation data, the grid being the validation weight lattice.</param>
public sealed record TemperatureRecord(float Beta, double Hypervolume, IReadOnlyList<IReadOnlyList<double>> Ndcg);
