namespace Microsoft.ML.HyperDpo;

/// <summary>
/// What a fitted model keeps of its training for <see cref="HyperDpoCheckpoint"/>: the options it was trained with,
/// the optimiser's state after the last step (TorchSharp's own serialisation of AdamW's moments and step counts) and
/// the number of epochs run in total, over resumed fits too, how many of them came before the fit that wrote it, and the steps
/// run of the epoch in progress (a checkpoint written in the middle of an epoch; 0 at an epoch's end).
/// </summary>
internal sealed record TrainingState(HyperDpoRankingTrainer.Options Options, byte[]? OptimizerState, int EpochsCompleted, int EpochsBeforeFit = 0, int FitEpochs = 0,
    byte[]? RandomState = null, int StepsIntoEpoch = 0);
