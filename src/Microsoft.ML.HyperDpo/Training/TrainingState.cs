namespace Microsoft.ML.HyperDpo;

/// <summary>
/// What a fitted model keeps of its training for <see cref="HyperDpoCheckpoint"/>: the options it was trained with,
/// the optimiser's state after the last step (TorchSharp's own serialisation of AdamW's moments and step counts) and
/// the number of epochs run in total, over resumed fits too, how many of them came before the fit that wrote it, and the steps
/// run of the epoch in progress (a checkpoint written in the middle of an epoch; 0 at an epoch's end).
/// </summary>
internal sealed record TrainingState(HyperDpoRankingTrainer.Options Options, byte[]? OptimizerState, int EpochsCompleted, int EpochsBeforeFit = 0, int FitEpochs = 0,
    byte[]? RandomState = null, int StepsIntoEpoch = 0);

/// <summary>
/// Where an interrupted fit stopped, read from its checkpoint when <see cref="HyperDpoRankingTrainer.CheckpointingOptions.Resume"/>
/// asks to continue it: its first epoch (in epochs completed before it), its planned epochs, those it completed, its random
/// generator's state and the steps it ran of the next epoch, so that the resumed fit continues its learning-rate schedule, list
/// order and random streams.
/// </summary>
internal sealed record ResumedFit(int Start, int Epochs, int Done, byte[]? RandomState, int Steps);
