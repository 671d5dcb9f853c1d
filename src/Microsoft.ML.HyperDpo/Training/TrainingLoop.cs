using System.Diagnostics;
using Microsoft.ML.HyperDpo.Data;
using Microsoft.ML.HyperDpo.Evaluation;
using Microsoft.ML.HyperDpo.Losses;
using Microsoft.ML.HyperDpo.Modeling;
using Microsoft.ML.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// The optimisation loop: for every batch of lists, draw w ~ Dirichlet per list, score the documents with
/// g(x; w), take each objective's listwise loss on z = beta * g (or, with a reference in its residual form, on
/// z = beta * (r_w + g)), and step AdamW on sum_k w_k L_k. With validation data it measures NDCG@k over a weight
/// lattice after every epoch (and, with a reference, before the first step too) and keeps the best state.
/// </summary>
internal sealed class TrainingLoop
{
    private readonly HyperDpoRankingTrainer.Options _options;
    private readonly IHostEnvironment _env;
    private readonly IChannel _channel;

    public TrainingLoop(HyperDpoRankingTrainer.Options options, IHostEnvironment env, IChannel channel)
    {
        _options = options;
        _env = env;
        _channel = channel;
    }

    /// <summary>
    /// Trains a new network, or, from <paramref name="initial"/>, a copy of the checkpoint's network (keeping its feature
    /// standardisation and, when saved, its optimiser state). Returns the network, the report and the optimiser's
    /// state after the last step (for checkpoints).
    /// </summary>
    public (ConditionedScorer Model, TrainingReport Report, byte[] OptimizerState) Run(ListwiseDataset train, ListwiseDataset? validation, Device device, int seed,
        HyperDpoCheckpoint? initial = null)
    {
        if (_options.NumberOfThreads is not int threads || device.type != DeviceType.CPU)
            return RunWithCurrentThreads(train, validation, device, seed, initial);
        int previous = torch.get_num_threads();
        torch.set_num_threads(threads);
        try
        {
            return RunWithCurrentThreads(train, validation, device, seed, initial);
        }
        finally
        {
            torch.set_num_threads(previous);
        }
    }

    private (ConditionedScorer Model, TrainingReport Report, byte[] OptimizerState) RunWithCurrentThreads(ListwiseDataset train, ListwiseDataset? validation,
        Device device, int seed, HyperDpoCheckpoint? initial)
    {
        var o = _options;
        int k = train.ObjectiveCount;
        torch.random.manual_seed(seed);
        var generator = new Generator((ulong)seed, device);
        var (mean, scale) = initial is null ? FeatureStandardizer.Fit(train) : (initial.Parameters.Mean, initial.Parameters.Scale);
        var model = new ConditionedScorer(train.FeatureCount, k, o.HiddenSizes, o.Dropout, o.Conditioning, mean, scale);
        // With a reference, g starts at zero, so the fitted model starts exactly at the reference soup.
        if (train.HasReference && initial is null)
            model.ZeroOutput();
        if (initial is not null)
            initial.CopyNetworkInto(model);
        model.to(device);
        // The averaged copy is what validation measures and what the fit returns; without averaging it is the model itself.
        var averaging = o.ParameterAveragingDecay > 0 ? new ParameterAverage(model, o.ParameterAveragingDecay, device) : null;
        var kept = averaging?.Averaged ?? model;

        using var features = tensor(train.Features, new long[] { train.RowCount, train.FeatureCount }).to(device);
        using var labels = tensor(train.Labels, new long[] { train.RowCount, k }).to(device);
        bool residual = train.HasReference && o.ReferenceForm == ReferenceForm.Residual;
        using var references = residual ? tensor(train.ReferenceScores, new long[] { train.RowCount, k }).to(device) : null;
        var sampler = new DirichletSampler(k, o.DirichletAlpha, generator, device);
        float[]? fixedWeights = o.FixedObjectiveWeights is null ? null : ObjectiveWeights.Normalize(o.FixedObjectiveWeights, k, nameof(o.FixedObjectiveWeights));
        using var fixedW = fixedWeights is null ? null : tensor(fixedWeights, new long[] { 1, k }, device: device);
        var loss = ListwiseLossFactory.Create(o.Loss, o.TopK, o.Ties);
        var batcher = new ListwiseBatcher(train, o.BatchSize, o.MaxListLength, new Random(seed));
        var optimizer = optim.AdamW(model.parameters(), o.LearningRate, weight_decay: o.WeightDecay);
        if (initial?.OptimizerState is { } saved)
            using (var reader = new BinaryReader(new MemoryStream(saved)))
                optimizer.load_state_dict(reader);
        var schedule = new LearningRateScheduler(o.LearningRateSchedule, o.LearningRate, o.NumberOfEpochs * batcher.BatchesPerEpoch);
        var evaluator = validation is null ? null
            : new ValidationEvaluator(validation, fixedWeights is null ? SimplexLattice.Points(k, o.ValidationDivisions) : new[] { fixedWeights },
                o.EvaluationTruncation, device);

        var epochs = new List<EpochRecord>();
        double bestScore = double.NegativeInfinity;
        int bestEpoch = 0, sinceBest = 0;
        Dictionary<string, Tensor>? bestState = null;
        long documents = 0, slots = 0;
        int step = 0;
        var clock = Stopwatch.StartNew();
        byte[] optimizerState;
        double ValidationScore()
        {
            kept.eval();
            var measured = evaluator!.Measure(kept);
            // One trade-off is trained, so its scalarised NDCG is the figure, not a front's.
            return fixedWeights is null
                ? ValidationEvaluator.Summarize(measured, o.EarlyStoppingMetric)
                : measured[0].Select((ndcg, j) => fixedWeights[j] * ndcg).Sum();
        }
        try
        {
            // The state before the first step is a candidate too: with a reference it is the reference soup itself, so the
            // kept model's validation front is never below the reference's.
            if (evaluator is not null && train.HasReference && initial is null)
            {
                bestScore = ValidationScore();
                ReplaceState(ref bestState, kept);
                _channel.Info(MessageSensitivity.None, $"HyperDPO: the reference alone scores {bestScore:F4} on the validation data.");
            }
            for (int epoch = 1; epoch <= o.NumberOfEpochs; epoch++)
            {
                model.train();
                double lossSum = 0;
                int listCount = 0;
                foreach (var batch in batcher.NextEpoch())
                {
                    MlNetInternals.ThrowIfCanceled(_env);
                    using var scope = NewDisposeScope();
                    schedule.Apply(optimizer, step++);
                    var rows = tensor(batch.RowIndex, device: device);
                    var mask = tensor(batch.Mask, device: device).reshape(batch.ListCount, batch.Width);
                    var x = features.index_select(0, rows).reshape(batch.ListCount, batch.Width, train.FeatureCount);
                    var y = labels.index_select(0, rows).reshape(batch.ListCount, batch.Width, k);
                    var w = fixedW is null ? sampler.Sample(batch.ListCount) : fixedW.expand(batch.ListCount, k);
                    var s = model.forward(x, w.unsqueeze(1));
                    if (references is not null)
                        s = s + (references.index_select(0, rows).reshape(batch.ListCount, batch.Width, k) * w.unsqueeze(1)).sum(-1);
                    var z = s * o.Beta;
                    var perObjective = stack(Enumerable.Range(0, k).Select(j => loss.Compute(z, y.select(2, j), mask, generator)), dim: 1);
                    var total = (w * perObjective).sum(1);
                    if (o.CosmosPenalty > 0)
                        total = total - o.CosmosPenalty * nn.functional.cosine_similarity(w, perObjective, dim: 1);
                    var objective = total.mean();
                    optimizer.zero_grad();
                    objective.backward();
                    if (o.GradientClipNorm > 0)
                        nn.utils.clip_grad_norm_(model.parameters(), o.GradientClipNorm);
                    optimizer.step();
                    averaging?.Update();
                    lossSum += objective.item<float>() * batch.ListCount;
                    listCount += batch.ListCount;
                    documents += batch.RealDocuments;
                    slots += (long)batch.ListCount * batch.Width;
                }

                double? validationScore = null;
                string note = "";
                if (evaluator is not null)
                {
                    double score = ValidationScore();
                    validationScore = score;
                    if (score > bestScore)
                    {
                        bestScore = score;
                        bestEpoch = epoch;
                        sinceBest = 0;
                        ReplaceState(ref bestState, kept);
                        note = " (best so far)";
                    }
                    else
                    {
                        sinceBest++;
                    }
                }
                else
                {
                    bestEpoch = epoch;
                }
                epochs.Add(new EpochRecord(epoch, lossSum / listCount, validationScore, clock.Elapsed));
                _channel.Info(MessageSensitivity.None,
                    $"HyperDPO epoch {epoch}/{o.NumberOfEpochs}: loss {lossSum / listCount:F4}" +
                    (validationScore is double v ? $", validation {(fixedWeights is null ? o.EarlyStoppingMetric.ToString() : "weighted NDCG")} {v:F4}{note}" : ""));
                if (evaluator is not null && o.EarlyStoppingPatience > 0 && sinceBest >= o.EarlyStoppingPatience)
                {
                    _channel.Info(MessageSensitivity.None, $"HyperDPO: stopping early after epoch {epoch}; keeping epoch {bestEpoch}.");
                    break;
                }
            }
            // The optimiser state is the last step's, also when early stopping keeps an earlier epoch's weights.
            using (var memory = new MemoryStream())
            {
                using (var writer = new BinaryWriter(memory, System.Text.Encoding.UTF8, leaveOpen: true))
                    optimizer.save_state_dict(writer);
                optimizerState = memory.ToArray();
            }
            if (bestState is not null)
                kept.load_state_dict(bestState);
        }
        finally
        {
            evaluator?.Dispose();
            if (bestState is not null)
                foreach (var t in bestState.Values) t.Dispose();
            optimizer.Dispose();
        }
        kept.eval();
        var report = new TrainingReport(epochs, bestEpoch, clock.Elapsed, documents, slots, device.ToString(), seed);
        // With parameter averaging the kept network is the average; the optimiser state is that of the trained one.
        return (kept, report, optimizerState);
    }

    private static void ReplaceState(ref Dictionary<string, Tensor>? state, ConditionedScorer model)
    {
        if (state is not null)
            foreach (var t in state.Values) t.Dispose();
        // Under no_grad a clone carries no autograd history, so no intermediate (detached) tensor is left undisposed.
        using (no_grad())
            state = model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
    }
}
