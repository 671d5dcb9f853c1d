namespace Microsoft.ML.HyperDpo;

/// <summary>
/// What a fitted model keeps of its training for <see cref="HyperDpoCheckpoint"/>: the options it was trained with,
/// the optimiser's state after the last step (TorchSharp's own serialisation of AdamW's moments and step counts) and
/// the number of epochs run in total, over resumed fits too, and how many of them came before the fit that wrote it.
/// </summary>
internal sealed record TrainingState(HyperDpoRankingTrainer.Options Options, byte[]? OptimizerState, int EpochsCompleted, int EpochsBeforeFit = 0, int FitEpochs = 0,
    byte[]? RandomState = null);
