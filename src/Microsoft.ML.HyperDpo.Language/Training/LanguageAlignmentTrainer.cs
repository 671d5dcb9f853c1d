using System.Diagnostics;
using Microsoft.ML.HyperDpo.Data;
using Microsoft.ML.HyperDpo.Language.Data;
using Microsoft.ML.HyperDpo.Language.Modeling;
using Microsoft.ML.HyperDpo.Language.Text;
using Microsoft.ML.HyperDpo.Losses;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Language.Training;

/// <summary>
/// Listwise multi-objective DPO for a causal language model. Each step draws lists and, per list, weights
/// w ~ Dirichlet(alpha) (or the fixed weights); the policy is the frozen base model behind the soft prompt that w
/// (and beta) are turned into; each response's implicit reward is z = beta * (log pi(y|x; w) - log pi_ref(y|x)), the
/// reference being the base model without prompt (computed once per list and cached); and the loss is
/// sum_k w_k L_k with L_k each objective's Plackett-Luce DPO loss over the list (for two responses, DPO's loss), in its
/// tie-aware form: responses with equal scores are not ordered against each other; with
/// <see cref="LanguageAlignmentOptions.LikelihoodWeight"/> &gt; 0, plus an RPO-style likelihood term on each objective's best response.
/// </summary>
/// <remarks>
/// Only the prompt source (and the low-rank adapters, if <see cref="LanguageAlignmentOptions.LoraRank"/> is set) train:
/// the base model's parameters are frozen during the fit and left bit-identical.
/// </remarks>
public static class LanguageAlignmentTrainer
{
    /// <summary>Aligns a base model on preference lists.</summary>
    /// <param name="baseModel">The base (and reference) model; left unchanged.</param>
    /// <param name="tokenizer">Its tokenizer.</param>
    /// <param name="lists">Training lists, each with scores for every objective.</param>
    /// <param name="options">Training options.</param>
    /// <param name="progress">Receives one record per step.</param>
    /// <param name="cancellationToken">Stops the fit between steps.</param>
    public static AlignedLanguageModel Fit(Gpt2LanguageModel baseModel, LanguageTokenizer tokenizer, IReadOnlyList<PreferenceList> lists,
        LanguageAlignmentOptions options, IProgress<AlignmentProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Fit(baseModel, tokenizer, lists, options, null, progress, cancellationToken);

    /// <summary>
    /// The prompt-soup baseline: one soft prompt per objective, each trained alone at its corner of the simplex with
    /// its options' Steps, then mixed as sum_k w_k P_k at prediction time.
    /// </summary>
    /// <param name="baseModel">The base (and reference) model; left unchanged.</param>
    /// <param name="tokenizer">Its tokenizer.</param>
    /// <param name="lists">Training lists.</param>
    /// <param name="options">Options of each per-objective fit (Conditioning and FixedWeights are set per objective).</param>
    /// <param name="progress">Receives one record per step of each fit.</param>
    /// <param name="cancellationToken">Stops the fit between steps.</param>
    public static AlignedLanguageModel FitPromptSoup(Gpt2LanguageModel baseModel, LanguageTokenizer tokenizer, IReadOnlyList<PreferenceList> lists,
        LanguageAlignmentOptions options, IProgress<AlignmentProgress>? progress = null, CancellationToken cancellationToken = default) =>
        FitPromptSoup(baseModel, tokenizer, lists, options, null, progress, cancellationToken);

    internal static AlignedLanguageModel FitPromptSoup(Gpt2LanguageModel baseModel, LanguageTokenizer tokenizer, IReadOnlyList<PreferenceList> lists,
        LanguageAlignmentOptions options, ReferenceLogProbabilities? reference, IProgress<AlignmentProgress>? progress, CancellationToken cancellationToken)
    {
        if (options.LoraRank > 0)
            throw new ArgumentException("LanguageAlignmentOptions.LoraRank must be 0 for a prompt soup: only prompts are mixed.", nameof(options));
        int k = options.Objectives.Count;
        var parts = new List<FixedSoftPrompt>();
        for (int objective = 0; objective < k; objective++)
        {
            var corner = new float[k];
            corner[objective] = 1;
            var part = Fit(baseModel, tokenizer, lists, Copy(options, PromptConditioning.None, corner, options.Seed + objective), reference, progress, cancellationToken);
            reference = part.Reference;
            parts.Add((FixedSoftPrompt)part.PromptSource);
        }
        var soupOptions = Copy(options, PromptConditioning.None, null, options.Seed);
        return new AlignedLanguageModel(baseModel, tokenizer, soupOptions, new PromptSoup(parts), null, reference!);
    }

    internal static LanguageAlignmentOptions Copy(LanguageAlignmentOptions o, PromptConditioning conditioning, float[]? fixedWeights, int seed)
    {
        var copy = o.CopyWith(conditioning, fixedWeights, seed);
        // Only Hyper Prompt Tuning starts at per-objective prompts; the fits of the other methods built from the same options start cold.
        if (conditioning != PromptConditioning.HyperPrompt) copy.SoupStartSteps = 0;
        return copy;
    }

    internal static AlignedLanguageModel Fit(Gpt2LanguageModel baseModel, LanguageTokenizer tokenizer, IReadOnlyList<PreferenceList> lists,
        LanguageAlignmentOptions options, ReferenceLogProbabilities? reference, IProgress<AlignmentProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(baseModel.Config.ContextLength);
        if (tokenizer.VocabularySize != baseModel.Config.VocabularySize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabularySize} ids but the model {baseModel.Config.VocabularySize} embeddings.", nameof(tokenizer));
        if (lists.Count == 0)
            throw new ArgumentException("There are no training lists.", nameof(lists));
        foreach (var list in lists)
            list.Validate(options.Objectives);

        var clock = Stopwatch.StartNew();
        var device = baseModel.Device;
        var encoder = new ResponseEncoder(tokenizer, options.MaxPromptTokens, options.MaxResponseTokens);
        reference ??= new ReferenceLogProbabilities(baseModel, encoder);
        reference.Get(lists);
        var (training, validation) = ValidationSplit(lists, options);

        SoftPromptSource source;
        if (options.Conditioning == PromptConditioning.HyperPrompt && options.SoupStartSteps > 0)
        {
            var generator = new HyperPromptGenerator(baseModel, options.ConditionWidth, options.PromptLength, options.HiddenSize, options.Seed, options.Objectives.Count);
            generator.StartAt(PerObjectivePrompts(baseModel, tokenizer, training, options, options.SoupStartSteps, reference, progress, cancellationToken));
            source = generator;
        }
        else
            source = options.Conditioning == PromptConditioning.HyperPrompt
                ? new HyperPromptGenerator(baseModel, options.ConditionWidth, options.PromptLength, options.HiddenSize, options.Seed)
                : new FixedSoftPrompt(baseModel, options.PromptLength, options.Seed);
        List<LowRankAdapter>? adapters = null;
        if (options.LoraRank > 0)
        {
            using var seeded = new ManualSeedScope(options.Seed + 1);
            adapters = LowRankAdapter.ForEveryBlock(baseModel, options.LoraRank, options.LoraAlpha);
        }
        var aligned = new AlignedLanguageModel(baseModel, tokenizer, options, source, adapters, reference);
        var trained = source.parameters().Concat(adapters?.SelectMany(a => a.parameters()) ?? Enumerable.Empty<Parameter>()).ToList();
        var optimizer = new KeptAlive.AdamW(trained, lr: options.LearningRate, weight_decay: 0);

        var random = new Random(options.Seed);
        var generatorOfDraws = new Generator((ulong)options.Seed, device);
        var sampler = new DirichletSampler(options.Objectives.Count, options.DirichletAlpha, generatorOfDraws, device);
        // Tie-aware: equal scores (human ties, a list without passages) are never ordered against each other.
        var loss = new GroupedPlackettLuceDpoLoss(options.TopK);
        var order = Enumerable.Range(0, training.Count).ToArray();
        int cursor = order.Length;
        var watch = validation.Count == 0 ? null : new ValidationWatch(aligned, validation, options, reference, loss, trained);

        var frozen = baseModel.parameters().Select(p => p.requires_grad).ToList();
        baseModel.SetTrainable(false);
        baseModel.eval();
        try
        {
            // Measured before the first step too, so that the start (the soup, for a soup start) is kept if no step improves on it.
            watch?.Measure();
            for (int step = 1; step <= options.Steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                var batch = new List<PreferenceList>(options.ListsPerStep);
                while (batch.Count < Math.Min(options.ListsPerStep, training.Count))
                {
                    if (cursor == order.Length)
                    {
                        random.Shuffle(order);
                        cursor = 0;
                    }
                    batch.Add(training[order[cursor++]]);
                }
                int b = batch.Count;
                var weights = options.FixedWeights is { } fixedWeights
                    ? torch.tensor(fixedWeights, device: device).unsqueeze(0).expand(b, -1)
                    : sampler.Sample(b);
                var betas = options.BetaRange is { } range
                    ? torch.rand(b, generator: generatorOfDraws, device: device).Times(Math.Log(range.Max) - Math.Log(range.Min)).Plus(Math.Log(range.Min)).exp()
                    : torch.full(b, options.Beta, device: device);

                var terms = BatchLoss(aligned, batch, weights, betas, reference, loss, options.Objectives, generatorOfDraws);
                var stepLoss = terms.PerList.mean();
                optimizer.zero_grad();
                stepLoss.backward();
                nn.utils.clip_grad_norm_(trained, options.GradientClip);
                optimizer.step();

                double? validationLoss = watch is not null && (step % options.ValidationInterval == 0 || step == options.Steps) ? watch.Measure() : null;
                if (progress is not null)
                {
                    using var noGrad = torch.no_grad();
                    var metrics = options.Objectives.Select((name, k) => Metrics(name, terms.PerObjective[k], terms.Z.detach(), terms.Labels[k], terms.Mask)).ToList();
                    progress.Report(new AlignmentProgress(step, options.Steps, stepLoss.item<float>(), metrics, clock.Elapsed) { ValidationLoss = validationLoss });
                }
                if (watch is not null && watch.Stale >= options.EarlyStoppingPatience)
                    break;
            }
            watch?.RestoreBest();
        }
        finally
        {
            var parameters = baseModel.parameters().ToList();
            for (int i = 0; i < parameters.Count; i++)
                parameters[i].requires_grad = frozen[i];
            watch?.Dispose();
        }
        return aligned;
    }

    /// <summary>
    /// The training lists split for early stopping: the validation lists (a seeded draw of <see cref="LanguageAlignmentOptions.ValidationFraction"/>
    /// of them, at least one) and the rest; with no fraction, every list trains.
    /// </summary>
    internal static (IReadOnlyList<PreferenceList> Training, IReadOnlyList<PreferenceList> Validation) ValidationSplit(IReadOnlyList<PreferenceList> lists, LanguageAlignmentOptions options)
    {
        if (options.ValidationFraction <= 0) return (lists, Array.Empty<PreferenceList>());
        int held = Math.Max(1, (int)Math.Round(options.ValidationFraction * lists.Count));
        if (held >= lists.Count)
            throw new ArgumentException($"LanguageAlignmentOptions.ValidationFraction {options.ValidationFraction} of {lists.Count} lists leaves none to train on.", nameof(options));
        var split = PreferenceSplit.Create(lists, held, options.Seed + 104729);
        return (split.Training, split.HeldOut);
    }

    /// <summary>
    /// The per-objective prompts P_k a soup start begins from: one fixed prompt per objective, trained alone at its
    /// corner for <paramref name="steps"/> steps, as the prompt soup trains them (same seeds: seed + k).
    /// </summary>
    private static List<FixedSoftPrompt> PerObjectivePrompts(Gpt2LanguageModel baseModel, LanguageTokenizer tokenizer, IReadOnlyList<PreferenceList> lists,
        LanguageAlignmentOptions options, int steps, ReferenceLogProbabilities reference, IProgress<AlignmentProgress>? progress, CancellationToken cancellationToken)
    {
        int k = options.Objectives.Count;
        var parts = new List<FixedSoftPrompt>();
        for (int objective = 0; objective < k; objective++)
        {
            var corner = new float[k];
            corner[objective] = 1;
            var partOptions = Copy(options, PromptConditioning.None, corner, options.Seed + objective);
            partOptions.Steps = steps;
            partOptions.ValidationFraction = 0;
            parts.Add((FixedSoftPrompt)Fit(baseModel, tokenizer, lists, partOptions, reference, progress, cancellationToken).PromptSource);
        }
        return parts;
    }

    /// <summary>One batch's loss terms: per list sum_k w_k L_k (plus the likelihood term, when on), each objective's L_k, the implicit rewards z, the labels and the mask.</summary>
    private static (Tensor PerList, Tensor[] PerObjective, Tensor Z, Tensor[] Labels, Tensor Mask) BatchLoss(AlignedLanguageModel aligned, IReadOnlyList<PreferenceList> batch,
        Tensor weights, Tensor betas, ReferenceLogProbabilities reference, GroupedPlackettLuceDpoLoss loss, IReadOnlyList<string> objectives, Generator ties)
    {
        var device = weights.device;
        var (policy, mask) = aligned.PolicyLogProbabilities(batch, weights, betas);
        int widest = (int)policy.shape[1];
        var referenceTensor = Padded(reference.Get(batch).Select(r => r.Select(v => (double)v).ToArray()).ToList(), widest, device);
        var z = betas.unsqueeze(1) * (policy - referenceTensor);
        var total = torch.zeros(batch.Count, device: device);
        var perObjective = new Tensor[objectives.Count];
        var labels = new Tensor[objectives.Count];
        for (int k = 0; k < objectives.Count; k++)
        {
            labels[k] = Padded(batch.Select(l => l.Scores[objectives[k]]).ToList(), widest, device);
            perObjective[k] = loss.Compute(z, labels[k], mask, ties);
            total = total.Plus(weights[.., k] * perObjective[k]);
        }
        // Only when on, so that with the term off the loss is sum_k w_k L_k to the bit, as before the term existed.
        if (aligned.Options.LikelihoodWeight > 0)
            total = total.Plus(LikelihoodTerm(policy, batch, weights, objectives, aligned.Encoder).Times(aligned.Options.LikelihoodWeight));
        return (total, perObjective, z, labels, mask);
    }

    /// <summary>
    /// The likelihood term of each list, before its coefficient, [B]: sum_k w_k NLL_k, NLL_k the policy's mean negative
    /// log-likelihood per token of objective k's best response (the mean over responses tied for best; 0 for an objective
    /// on which every response of the list ties). See <see cref="LanguageAlignmentOptions.LikelihoodWeight"/>.
    /// </summary>
    /// <param name="policy">The policy's summed log-probabilities [B, nmax] of each list's responses (padding anything).</param>
    /// <param name="batch">The lists.</param>
    /// <param name="weights">Each list's weights [B, K].</param>
    /// <param name="objectives">The objectives, in the order of the weights.</param>
    /// <param name="encoder">The encoder the log-probabilities were computed with: it gives each response's token count.</param>
    internal static Tensor LikelihoodTerm(Tensor policy, IReadOnlyList<PreferenceList> batch, Tensor weights, IReadOnlyList<string> objectives, ResponseEncoder encoder)
    {
        using var scope = torch.NewDisposeScope();
        int rows = batch.Count, widest = (int)policy.shape[1], k = objectives.Count;
        // Token counts (padding 1, so that the division is defined there; its selection weight is 0) and, per objective,
        // the weight of each response in that objective's mean: 1 / |best| on the best responses, 0 elsewhere.
        var tokens = new float[rows * widest];
        Array.Fill(tokens, 1f);
        var selection = new float[rows * k * widest];
        for (int b = 0; b < rows; b++)
        {
            var list = batch[b];
            for (int i = 0; i < list.Responses.Count; i++)
                tokens[b * widest + i] = encoder.EncodeResponse(list.Responses[i]).Length;
            for (int o = 0; o < k; o++)
            {
                var scores = list.Scores[objectives[o]];
                double best = scores.Max();
                var top = Enumerable.Range(0, scores.Length).Where(i => scores[i] == best).ToList();
                if (top.Count == scores.Length) continue;
                foreach (int i in top)
                    selection[(b * k + o) * widest + i] = 1f / top.Count;
            }
        }
        var device = policy.device;
        var perToken = policy / torch.tensor(tokens, new long[] { rows, widest }, device: device);
        var nll = -(torch.tensor(selection, new long[] { rows, k, widest }, device: device) * perToken.unsqueeze(1)).sum(2);
        return (weights * nll).sum(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Early stopping's bookkeeping: the validation lists with one fixed draw of w each (and beta at <see cref="LanguageAlignmentOptions.Beta"/>,
    /// or the geometric middle of its range), the best loss so far, the trained tensors at that point, and how many
    /// measurements since have not improved on it.
    /// </summary>
    private sealed class ValidationWatch : IDisposable
    {
        private readonly AlignedLanguageModel _aligned;
        private readonly IReadOnlyList<PreferenceList> _lists;
        private readonly LanguageAlignmentOptions _options;
        private readonly ReferenceLogProbabilities _reference;
        private readonly GroupedPlackettLuceDpoLoss _loss;
        private readonly IReadOnlyList<Parameter> _trained;
        private readonly Tensor _weights;
        private readonly float _beta;
        private Tensor[]? _best;
        private double _bestLoss = double.PositiveInfinity;

        public ValidationWatch(AlignedLanguageModel aligned, IReadOnlyList<PreferenceList> lists, LanguageAlignmentOptions options, ReferenceLogProbabilities reference,
            GroupedPlackettLuceDpoLoss loss, IReadOnlyList<Parameter> trained)
        {
            _aligned = aligned;
            _lists = lists;
            _options = options;
            _reference = reference;
            _loss = loss;
            _trained = trained;
            var device = aligned.BaseModel.Device;
            // Its own generator: the training's draws are the same with and without a validation split of the same lists.
            var sampler = new DirichletSampler(options.Objectives.Count, options.DirichletAlpha, new Generator((ulong)options.Seed + 7919, device), device);
            _weights = options.FixedWeights is { } w
                ? torch.tensor(w, device: device).unsqueeze(0).expand(lists.Count, -1).contiguous()
                : sampler.Sample(lists.Count).detach();
            _beta = options.BetaRange is { } range ? MathF.Sqrt(range.Min * range.Max) : options.Beta;
        }

        /// <summary>Measurements in a row that did not improve on the best.</summary>
        public int Stale { get; private set; }

        /// <summary>The validation loss now; keeps a copy of the trained tensors when it is the lowest so far.</summary>
        public double Measure()
        {
            using var noGrad = torch.no_grad();
            double sum = 0;
            for (int start = 0; start < _lists.Count; start += _options.ListsPerStep)
            {
                using var scope = torch.NewDisposeScope();
                var batch = _lists.Skip(start).Take(_options.ListsPerStep).ToList();
                var weights = _weights[start..(start + batch.Count)];
                var betas = torch.full(batch.Count, _beta, device: weights.device);
                // Ties are broken the same way at every measurement, so that two measurements differ only by the prompts.
                var ties = new Generator((ulong)(_options.Seed + start), weights.device);
                sum += BatchLoss(_aligned, batch, weights, betas, _reference, _loss, _options.Objectives, ties).PerList.sum().item<float>();
            }
            double value = sum / _lists.Count;
            if (value < _bestLoss)
            {
                _bestLoss = value;
                Stale = 0;
                foreach (var t in _best ?? Array.Empty<Tensor>()) t.Dispose();
                _best = _trained.Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
            }
            else
                Stale++;
            return value;
        }

        /// <summary>Puts the best measurement's tensors back into the trained parameters.</summary>
        public void RestoreBest()
        {
            if (_best is null) return;
            using var noGrad = torch.no_grad();
            for (int i = 0; i < _trained.Count; i++)
                _trained[i].copy_(_best[i]);
        }

        public void Dispose()
        {
            foreach (var t in _best ?? Array.Empty<Tensor>()) t.Dispose();
            _weights.Dispose();
        }
    }

    /// <summary>Rows of different lengths as a [B, width] float32 tensor padded with zeros (the mask says which entries are real).</summary>
    private static Tensor Padded(IReadOnlyList<double[]> rows, int width, Device device)
    {
        var values = new float[rows.Count * width];
        for (int b = 0; b < rows.Count; b++)
            for (int i = 0; i < rows[b].Length; i++)
                values[b * width + i] = (float)rows[b][i];
        return torch.tensor(values, new long[] { rows.Count, width }, device: device);
    }

    private static ObjectiveStepMetrics Metrics(string name, Tensor lossPerList, Tensor z, Tensor labels, Tensor mask)
    {
        var zs = z.cpu().to(ScalarType.Float64);
        var ys = labels.cpu().to(ScalarType.Float64);
        var ms = mask.cpu();
        double chosen = 0, rejected = 0;
        long concordant = 0, pairs = 0;
        long rows = zs.shape[0], width = zs.shape[1];
        for (long b = 0; b < rows; b++)
        {
            var real = Enumerable.Range(0, (int)width).Where(i => ms[b, i].item<bool>()).ToList();
            var y = real.Select(i => ys[b, i].item<double>()).ToList();
            var zz = real.Select(i => zs[b, i].item<double>()).ToList();
            chosen += zz[y.IndexOf(y.Max())];
            rejected += zz[y.IndexOf(y.Min())];
            for (int i = 0; i < real.Count; i++)
                for (int j = 0; j < real.Count; j++)
                    if (y[i] > y[j])
                    {
                        pairs++;
                        if (zz[i] > zz[j]) concordant++;
                    }
        }
        return new ObjectiveStepMetrics(name, lossPerList.mean().item<float>(), chosen / rows, rejected / rows, (chosen - rejected) / rows,
            pairs == 0 ? double.NaN : (double)concordant / pairs);
    }
}
