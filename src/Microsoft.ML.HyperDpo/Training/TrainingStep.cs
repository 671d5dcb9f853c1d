using Microsoft.ML.HyperDpo.Data;
using Microsoft.ML.HyperDpo.Losses;
using Microsoft.ML.HyperDpo.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// One optimisation step on a batch of lists: draw the lists' weights, score the documents under them, take each objective's
/// listwise loss on z = beta * g (beta drawn per list under a temperature range; with a reference in its residual form, on z = beta * (r_w + g), r_w = sum_k w_k r_k the
/// reference soup; with the reference re-weighting, r_w is sum_k w_k (1 + tanh a_k) r_k, and the implicit reward also sees what that adds to the soup), and step AdamW on the mean over lists of sum_k w_k L_k (minus the COSMOS penalty when on).
/// Owns the training tensors and the optimiser.
/// </summary>
internal sealed class TrainingStep : IDisposable
{
    private readonly HyperDpoRankingTrainer.Options _options;
    private readonly IRankingNetwork _network;
    private readonly TrainingWeights _weights;
    private readonly Generator _generator;
    private readonly Device _device;
    private readonly int _featureCount;
    private readonly int _objectiveCount;
    private readonly Tensor _features;
    private readonly Tensor _labels;
    private readonly Tensor? _references;
    // The network, when it re-weights the references (ReferenceReweighting.PerObjective); null otherwise.
    private readonly ConditionedScorer? _reweighting;
    private readonly IListwiseLoss _loss;
    private readonly float _beta;
    private readonly OptimizerHelper _optimizer;
    private readonly Parameter[] _trainable;
    private readonly LearningRateScheduler _schedule;
    private int _step;

    /// <param name="options">The trainer's options (loss, beta, optimiser settings).</param>
    /// <param name="network">The network trained.</param>
    /// <param name="train">The training lists, copied to <paramref name="device"/> once.</param>
    /// <param name="weights">Where each list's objective weights come from.</param>
    /// <param name="generator">The seeded source of weight draws and tie-breaking.</param>
    /// <param name="device">Where training runs.</param>
    /// <param name="optimizerState">A saved AdamW state to continue from (a checkpoint's), or null.</param>
    /// <param name="totalSteps">Steps over the whole fit, for the learning-rate schedule.</param>
    /// <param name="firstStep">The schedule's step to start at (a resumed fit's steps already run).</param>
    public TrainingStep(HyperDpoRankingTrainer.Options options, IRankingNetwork network, ListwiseDataset train, TrainingWeights weights,
        Generator generator, Device device, byte[]? optimizerState, int totalSteps, int firstStep = 0)
    {
        _step = firstStep;
        _options = options;
        _network = network;
        _weights = weights;
        _generator = generator;
        _device = device;
        _featureCount = train.FeatureCount;
        _objectiveCount = train.ObjectiveCount;
        // On the CPU the tensor shares the dataset's array (pinned), so the features are held once, not twice.
        _features = frombuffer(train.Features, ScalarType.Float32).reshape(train.RowCount, train.FeatureCount).to(device);
        _labels = tensor(train.Labels, new long[] { train.RowCount, train.ObjectiveCount }).to(device);
        _reweighting = train.HasReference ? network as ConditionedScorer : null;
        if (_reweighting is { ReweightedObjectives: 0 }) _reweighting = null;
        _references = train.HasReference && (options.References.Form == ReferenceForm.Residual || _reweighting is not null)
            ? tensor(train.ReferenceScores, new long[] { train.RowCount, train.ObjectiveCount }).to(device)
            : null;
        _beta = train.HasReference ? options.References.Beta : options.Loss.Beta;
        _loss = ListwiseLossFactory.Create(options.Loss.Kind, options.Loss.TopK, options.Loss.Ties, options.Loss.Normalization);
        // Frozen parameters (a frozen backbone) are left out, so that neither the step nor weight decay moves them.
        _trainable = network.Module.parameters().Where(p => p.requires_grad).ToArray();
        _optimizer = new KeptAlive.AdamW(_trainable, options.Optimiser.LearningRate, weight_decay: options.Optimiser.WeightDecay);
        if (optimizerState is not null)
            using (var reader = new BinaryReader(new MemoryStream(optimizerState)))
                _optimizer.load_state_dict(reader);
        _schedule = new LearningRateScheduler(options.Optimiser.LearningRateSchedule, options.Optimiser.LearningRate, totalSteps);
    }

    /// <summary>Runs the step on <paramref name="batch"/> and returns its objective (mean over its lists).</summary>
    public float Run(ListBatch batch)
    {
        var o = _options;
        int k = _objectiveCount;
        using var scope = NewDisposeScope();
        _schedule.Apply(_optimizer, _step++);
        var rows = tensor(batch.RowIndex, device: _device);
        var mask = tensor(batch.Mask, device: _device).reshape(batch.ListCount, batch.Width);
        var x = _features.index_select(0, rows).reshape(batch.ListCount, batch.Width, _featureCount);
        var y = _labels.index_select(0, rows).reshape(batch.ListCount, batch.Width, k);
        var w = _weights.Draw(batch.ListCount);
        // The conditioning vector is c = w, or c = (w, t(beta)) with a temperature drawn per list (ConditionVector).
        var (betas, c) = o.Loss.TemperatureRange is { } range ? ConditionVector.DrawTemperatures(w, range, _generator) : (null, w);
        var s = _network.ScoreLists(x, c, mask);
        if (_references is not null)
        {
            var r = _references.index_select(0, rows).reshape(batch.ListCount, batch.Width, k);
            var soup = (r * w.unsqueeze(1)).sum(-1);
            if (_reweighting is null)
                s = s.Plus(soup);
            else
            {
                // The loss sees the re-weighted reference term where it sees the soup: the full term in the residual form, and in the
                // implicit reward (z = beta * (s - r_w)) what it adds to the soup.
                var reweighted = _reweighting.ReweightedReference(x, c.unsqueeze(1), r);
                s = s.Plus(_options.References.Form == ReferenceForm.Residual ? reweighted : reweighted - soup);
            }
        }
        // Each list's own temperature [lists, 1] scales its scores.
        var z = betas is null ? s.Times(_beta) : s * betas;
        var perObjective = stack(Enumerable.Range(0, k).Select(j => _loss.Compute(z, y.select(2, j), mask, _generator)), dim: 1);
        var total = (w * perObjective).sum(1);
        if (o.Loss.CosmosPenalty > 0)
            total = total - nn.functional.cosine_similarity(w, perObjective, dim: 1).Times(o.Loss.CosmosPenalty);
        var objective = total.mean();
        _optimizer.zero_grad();
        objective.backward();
        if (o.Optimiser.GradientClipNorm > 0)
            nn.utils.clip_grad_norm_(_trainable, o.Optimiser.GradientClipNorm);
        _optimizer.step();
        return objective.item<float>();
    }

    /// <summary>The optimiser's state after the last step, in TorchSharp's own serialisation (for checkpoints).</summary>
    public byte[] OptimizerState()
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, System.Text.Encoding.UTF8, leaveOpen: true))
            _optimizer.save_state_dict(writer);
        return memory.ToArray();
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _features.Dispose();
        _labels.Dispose();
        _references?.Dispose();
    }
}
