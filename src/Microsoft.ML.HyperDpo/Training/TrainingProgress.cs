namespace Microsoft.ML.HyperDpo;

/// <summary>
/// What a HyperDPO fit reports after every epoch through <see cref="HyperDpoRankingTrainer.RuntimeOptions.Progress"/>.
/// </summary>
/// <param name="Epoch">The epoch just finished: its number, mean loss, validation figure and the time since the fit started.</param>
/// <param name="NumberOfEpochs">The most epochs the fit runs (<see cref="HyperDpoRankingTrainer.OptimiserOptions.NumberOfEpochs"/>); early stopping may end it sooner.</param>
/// <param name="ValidationMetric">What <see cref="EpochRecord.ValidationScore"/> measures (an <see cref="EarlyStoppingMetric"/> name, or
/// "weighted NDCG" for a fit at fixed weights); null without validation data.</param>
/// <param name="BestEpoch">The epoch whose parameters the fit keeps so far (with validation data the best one, else this one).</param>
/// <param name="StoppingEarly">True when early stopping ends the fit after this epoch.</param>
public sealed record TrainingProgress(EpochRecord Epoch, int NumberOfEpochs, string? ValidationMetric, int BestEpoch, bool StoppingEarly)
{
    /// <summary>True when this epoch has the best validation figure so far.</summary>
    public bool IsBestSoFar => ValidationMetric is not null && BestEpoch == Epoch.Epoch;
}
