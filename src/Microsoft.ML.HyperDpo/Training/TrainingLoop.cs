using System.Diagnostics;
using Microsoft.ML.HyperDpo.Data;
using Microsoft.ML.HyperDpo.Modeling;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// The optimisation loop: epochs of <see cref="TrainingStep"/>s over shuffled batches of lists, with weights from a
/// <see cref="TrainingWeights"/> source; with validation data it measures NDCG@k after every epoch, keeps the best state and
/// stops by the <see cref="EarlyStoppingRule"/>. Each epoch is logged and reported as a <see cref="TrainingProgress"/>.
/// </summary>
internal sealed class TrainingLoop
{
    private readonly HyperDpoRankingTrainer.Options _options;
    private readonly IHostEnvironment _env;
    private readonly IChannel _channel;
    /// <summary>The interrupted fit this one continues, or null for a fit of its own.</summary>
    private readonly ResumedFit? _resumed;

    public TrainingLoop(HyperDpoRankingTrainer.Options options, IHostEnvironment env, IChannel channel, ResumedFit? resumed = null)
    {
        _options = options;
        _env = env;
        _channel = channel;
        _resumed = resumed;
    }

    /// <summary>
    /// Trains the network that <paramref name="createNetwork"/> builds (called once the random sources are seeded), from
    /// <paramref name="optimizerState"/> when given. Returns the network kept (the best epoch's with validation data, the
    /// parameter average when averaging), the report and the optimiser's state after the last step (for checkpoints).
    /// <paramref name="checkpoint"/>, when given, receives the epochs completed, the steps run of the epoch in progress (0 at an
    /// epoch's end), the network being trained, the optimiser's state and the random generator's state every
    /// <see cref="HyperDpoRankingTrainer.CheckpointingOptions.Interval"/> epochs, after the last epoch, and in the middle of epochs as
    /// <see cref="HyperDpoRankingTrainer.CheckpointingOptions.StepInterval"/> and <see cref="HyperDpoRankingTrainer.CheckpointingOptions.Seconds"/> ask.
    /// On training data of at least <see cref="HyperDpoRankingTrainer.LargeDataOptions.Rows"/> rows the fit uses the
    /// <see cref="LargeDataSettings"/>.
    /// <paramref name="stopAfterEpochs"/>, when given, ends the fit after that many epochs of the <see cref="HyperDpoRankingTrainer.OptimiserOptions.NumberOfEpochs"/>-epoch
    /// learning-rate schedule (a refit for a number of epochs chosen earlier). <paramref name="initSeed"/>, when given, seeds the network's
    /// initial parameters instead of <paramref name="seed"/>, which then seeds only the list order, the drawn weights and dropout (members
    /// of a weight average share their start).
    /// </summary>
    public (IRankingNetwork Model, TrainingReport Report, byte[] OptimizerState) Run(ListwiseDataset train, ListwiseDataset? validation, Device device, int seed,
        Func<IRankingNetwork> createNetwork, byte[]? optimizerState, Action<int, int, IRankingNetwork, byte[], byte[]>? checkpoint = null,
        int? stopAfterEpochs = null, int? initSeed = null)
    {
        if (_options.Runtime.NumberOfThreads is not int threads || device.type != DeviceType.CPU)
            return RunWithCurrentThreads(train, validation, device, seed, createNetwork, optimizerState, checkpoint, stopAfterEpochs, initSeed);
        int previous = torch.get_num_threads();
        torch.set_num_threads(threads);
        try
        {
            return RunWithCurrentThreads(train, validation, device, seed, createNetwork, optimizerState, checkpoint, stopAfterEpochs, initSeed);
        }
        finally
        {
            torch.set_num_threads(previous);
        }
    }

    private (IRankingNetwork Model, TrainingReport Report, byte[] OptimizerState) RunWithCurrentThreads(ListwiseDataset train, ListwiseDataset? validation,
        Device device, int seed, Func<IRankingNetwork> createNetwork, byte[]? optimizerState, Action<int, int, IRankingNetwork, byte[], byte[]>? checkpoint,
        int? stopAfterEpochs, int? initSeed)
    {
        var o = LargeDataSettings.Training(_options, train);
        bool large = LargeDataSettings.Apply(o, train);
        if (large)
        {
            if (validation is not null) validation = LargeDataSettings.Validation(o, train, validation, seed);
            _channel.Info(MessageSensitivity.None, $"HyperDPO: {train.RowCount} training rows, at least {o.LargeData.Rows}: large-data settings, {o.Optimiser.BatchSize} lists per step at learning rate {o.Optimiser.LearningRate:G4}" +
                (validation is null ? "." : $", early stopping on {validation.ListCount} validation lists."));
        }
        torch.random.manual_seed(initSeed ?? seed);
        var generator = new Generator((ulong)seed, device);
        var model = createNetwork();
        if (initSeed is int networkSeed && networkSeed != seed) torch.random.manual_seed(seed);
        model.Module.to(device);
        // The averaged copy is what validation measures and what the fit returns; without averaging it is the model itself.
        var averaging = o.Optimiser.ParameterAveragingDecay > 0 ? new ParameterAverage(model, o.Optimiser.ParameterAveragingDecay, device) : null;
        var kept = averaging?.Averaged ?? model;

        using var weights = TrainingWeights.Create(o, train.ObjectiveCount, generator, device);
        var batcher = new ListwiseBatcher(train, o.Optimiser.BatchSize, o.Optimiser.MaxListLength, new Random(seed),
            large ? LargeDataSettings.WindowBatches : ListwiseBatcher.DefaultWindowBatches);
        // A resumed fit continues the interrupted fit's learning-rate schedule where it stopped.
        // A fit resumed from a checkpoint written in the middle of an epoch skips the steps of that epoch it ran.
        var (scheduleEpochs, epochsDone, stepsDone) = _resumed is { } resumed ? (resumed.Epochs, resumed.Done, resumed.Steps) : (o.Optimiser.NumberOfEpochs, 0, 0);
        if (_resumed?.RandomState is { } randomState)
        {
            // Same random streams as the interrupted fit from here on: its generator's state, and the list order after
            // the epochs it ran (the batcher's shuffles are replayed, which costs no training).
            using (var state = torch.tensor(randomState)) generator.set_state(state);
            for (int e = 0; e < epochsDone; e++)
                foreach (var _ in batcher.NextEpoch()) { }
        }
        using var step = new TrainingStep(o, model, train, weights, generator, device, optimizerState,
            scheduleEpochs * batcher.BatchesPerEpoch, epochsDone * batcher.BatchesPerEpoch + stepsDone);
        using var evaluator = validation is null ? null : new ValidationEvaluator(validation, weights.ValidationGrid, o.Validation.EvaluationTruncation, device, o.Loss.TemperatureRange,
            large ? LargeDataSettings.ValidationRowsPerForward : ValidationEvaluator.DefaultRowsPerForward, () => MlNetInternals.ThrowIfCanceled(_env));
        var stopping = new EarlyStoppingRule(o.Validation.EarlyStoppingPatience);
        using var best = new SavedState();

        var epochs = new List<EpochRecord>();
        long documents = 0, slots = 0, steps = 0;
        var clock = Stopwatch.StartNew();
        var sinceCheckpoint = Stopwatch.StartNew();
        int stepsSinceCheckpoint = 0;
        // With a reference, the state before the first step (the reference soup itself, g = 0) is a candidate too, so the kept
        // model's validation figure is never below the reference's.
        if (evaluator is not null && train.HasReference && optimizerState is null)
        {
            kept.Module.eval();
            double start = weights.ValidationFigure(evaluator.Measure(kept));
            stopping.Observe(0, start);
            best.Capture(kept.Module);
            _channel.Info(MessageSensitivity.None, $"HyperDPO: the reference alone scores {start:F4} on the validation data ({weights.FigureName}).");
        }
        int lastEpoch = Math.Min(o.Optimiser.NumberOfEpochs, stopAfterEpochs ?? o.Optimiser.NumberOfEpochs);
        for (int epoch = 1; epoch <= lastEpoch; epoch++)
        {
            model.Module.train();
            double lossSum = 0;
            int listCount = 0;
            // The list order is drawn for the whole epoch, so an epoch resumed in the middle gets the same order and skips the
            // steps run before the checkpoint (its mean loss is over the steps run here).
            var batches = batcher.NextEpoch();
            for (int b = epoch == 1 ? stepsDone : 0; b < batches.Count; b++)
            {
                MlNetInternals.ThrowIfCanceled(_env);
                var batch = batches[b];
                lossSum += step.Run(batch) * batch.ListCount;
                averaging?.Update();
                listCount += batch.ListCount;
                documents += batch.RealDocuments;
                steps++;
                slots += (long)batch.ListCount * batch.Width;
                stepsSinceCheckpoint++;
                bool due = (o.Checkpointing.StepInterval > 0 && stepsSinceCheckpoint >= o.Checkpointing.StepInterval)
                    || (o.Checkpointing.Seconds > 0 && sinceCheckpoint.Elapsed.TotalSeconds >= o.Checkpointing.Seconds);
                if (checkpoint is not null && due && b + 1 < batches.Count)
                {
                    checkpoint(epoch - 1, b + 1, model, step.OptimizerState(), RandomState(generator));
                    model.Module.train();
                    stepsSinceCheckpoint = 0;
                    sinceCheckpoint.Restart();
                }
            }

            double? validationScore = null;
            int bestEpoch = epoch;
            if (evaluator is not null)
            {
                kept.Module.eval();
                double score = weights.ValidationFigure(evaluator.Measure(kept));
                validationScore = score;
                if (stopping.Observe(epoch, score)) best.Capture(kept.Module);
                bestEpoch = stopping.BestEpoch;
            }
            var record = new EpochRecord(epoch, lossSum / listCount, validationScore, clock.Elapsed);
            epochs.Add(record);
            bool stop = evaluator is not null && stopping.ShouldStop;
            Report(new TrainingProgress(record, o.Optimiser.NumberOfEpochs, evaluator is null ? null : weights.FigureName, bestEpoch, stop));
            if (checkpoint is not null && (epoch % o.Checkpointing.Interval == 0 || stop || epoch == lastEpoch))
            {
                checkpoint(epoch, 0, model, step.OptimizerState(), RandomState(generator));
                stepsSinceCheckpoint = 0;
                sinceCheckpoint.Restart();
            }
            if (stop) break;
        }
        // The optimiser state is the last step's, also when early stopping keeps an earlier epoch's weights.
        var finalOptimizerState = step.OptimizerState();
        best.RestoreInto(kept.Module);
        kept.Module.eval();
        var temperatures = evaluator is not null && o.Loss.TemperatureRange is { } range ? MeasureTemperatures(evaluator, kept, range) : Array.Empty<TemperatureRecord>();
        var report = new TrainingReport(epochs, evaluator is null ? epochs.Count : stopping.BestEpoch, clock.Elapsed, documents, slots, device.ToString(), seed)
        {
            Temperatures = temperatures,
            ListsPerStep = o.Optimiser.BatchSize,
            OptimiserSteps = steps,
            LearningRate = o.Optimiser.LearningRate,
        };
        // With parameter averaging the kept network is the average; the optimiser state is that of the trained one.
        return (kept, report, finalOptimizerState);
    }

    /// <summary>Number of temperatures at which a temperature-conditioned model is measured after training.</summary>
    internal const int TemperatureGridSize = 5;

    /// <summary>The kept model's validation front at each temperature of a log-spaced grid on the trained range.</summary>
    private TemperatureRecord[] MeasureTemperatures(ValidationEvaluator evaluator, IRankingNetwork kept, float[] range)
    {
        var records = ConditionVector.TemperatureGrid(range, TemperatureGridSize).Select(beta =>
        {
            var ndcg = evaluator.Measure(kept, beta);
            return new TemperatureRecord(beta, Evaluation.Hypervolume.Compute(ndcg), ndcg.Select(p => (IReadOnlyList<double>)p).ToArray());
        }).ToArray();
        foreach (var r in records)
            _channel.Info(MessageSensitivity.None, $"HyperDPO: temperature {r.Beta:G4}: validation hypervolume {r.Hypervolume:F4}.");
        return records;
    }

    private static byte[] RandomState(Generator generator)
    {
        using var state = generator.get_state();
        return state.data<byte>().ToArray();
    }

    /// <summary>Logs the epoch through the ML.NET channel and reports it to <see cref="HyperDpoRankingTrainer.RuntimeOptions.Progress"/>.</summary>
    private void Report(TrainingProgress progress)
    {
        var e = progress.Epoch;
        _channel.Info(MessageSensitivity.None,
            $"HyperDPO epoch {e.Epoch}/{progress.NumberOfEpochs}: loss {e.MeanLoss:F4}" +
            (e.ValidationScore is double v ? $", validation {progress.ValidationMetric} {v:F4}{(progress.IsBestSoFar ? " (best so far)" : "")}" : ""));
        if (progress.StoppingEarly)
            _channel.Info(MessageSensitivity.None, $"HyperDPO: stopping early after epoch {e.Epoch}; keeping epoch {progress.BestEpoch}.");
        _options.Runtime.Progress?.Report(progress);
    }

    /// <summary>A copy of a network's state (the best epoch's), restored when the fit ends.</summary>
    private sealed class SavedState : IDisposable
    {
        private Dictionary<string, Tensor>? _state;

        public void Capture(nn.Module model)
        {
            Dispose();
            // Under no_grad a clone carries no autograd history, so no intermediate (detached) tensor is left undisposed.
            using (no_grad())
                _state = model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        }

        public void RestoreInto(nn.Module model)
        {
            if (_state is not null) model.load_state_dict(_state);
        }

        public void Dispose()
        {
            if (_state is not null)
                foreach (var t in _state.Values) t.Dispose();
            _state = null;
        }
    }
}
