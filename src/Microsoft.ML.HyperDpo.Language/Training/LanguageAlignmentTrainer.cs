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
/// tie-aware form: responses with equal scores are not ordered against each other.
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

    internal static LanguageAlignmentOptions Copy(LanguageAlignmentOptions o, PromptConditioning conditioning, float[]? fixedWeights, int seed) =>
        o.CopyWith(conditioning, fixedWeights, seed);

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

        SoftPromptSource source = options.Conditioning == PromptConditioning.HyperPrompt
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

        var generator = new Generator((ulong)options.Seed, device);
        var sampler = new DirichletSampler(options.Objectives.Count, options.DirichletAlpha, generator, device);
        // Tie-aware: equal scores (human ties, a list without passages) are never ordered against each other.
        var loss = new GroupedPlackettLuceDpoLoss(options.TopK);
        var random = new Random(options.Seed);
        var order = Enumerable.Range(0, lists.Count).ToArray();
        int cursor = order.Length;

        var frozen = baseModel.parameters().Select(p => p.requires_grad).ToList();
        baseModel.SetTrainable(false);
        baseModel.eval();
        try
        {
            for (int step = 1; step <= options.Steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                var batch = new List<PreferenceList>(options.ListsPerStep);
                while (batch.Count < Math.Min(options.ListsPerStep, lists.Count))
                {
                    if (cursor == order.Length)
                    {
                        random.Shuffle(order);
                        cursor = 0;
                    }
                    batch.Add(lists[order[cursor++]]);
                }
                int b = batch.Count;
                var weights = options.FixedWeights is { } fixedWeights
                    ? torch.tensor(fixedWeights, device: device).unsqueeze(0).expand(b, -1)
                    : sampler.Sample(b);
                var betas = options.BetaRange is { } range
                    ? torch.rand(b, generator: generator, device: device).Times(Math.Log(range.Max) - Math.Log(range.Min)).Plus(Math.Log(range.Min)).exp()
                    : torch.full(b, options.Beta, device: device);

                var (policy, mask) = aligned.PolicyLogProbabilities(batch, weights, betas);
                int widest = (int)policy.shape[1];
                var referenceRows = reference.Get(batch);
                var referenceTensor = Padded(referenceRows.Select(r => r.Select(v => (double)v).ToArray()).ToList(), widest, device);
                var z = betas.unsqueeze(1) * (policy - referenceTensor);

                var total = torch.zeros(b, device: device);
                var perObjectiveLoss = new Tensor[options.Objectives.Count];
                var labels = new Tensor[options.Objectives.Count];
                for (int k = 0; k < options.Objectives.Count; k++)
                {
                    labels[k] = Padded(batch.Select(l => l.Scores[options.Objectives[k]]).ToList(), widest, device);
                    perObjectiveLoss[k] = loss.Compute(z, labels[k], mask, generator);
                    total = total.Plus(weights[.., k] * perObjectiveLoss[k]);
                }
                var stepLoss = total.mean();
                optimizer.zero_grad();
                stepLoss.backward();
                nn.utils.clip_grad_norm_(trained, options.GradientClip);
                optimizer.step();

                if (progress is not null)
                {
                    using var noGrad = torch.no_grad();
                    var metrics = options.Objectives.Select((name, k) => Metrics(name, perObjectiveLoss[k], z.detach(), labels[k], mask)).ToList();
                    progress.Report(new AlignmentProgress(step, options.Steps, stepLoss.item<float>(), metrics, clock.Elapsed));
                }
            }
        }
        finally
        {
            var parameters = baseModel.parameters().ToList();
            for (int i = 0; i < parameters.Count; i++)
                parameters[i].requires_grad = frozen[i];
        }
        return aligned;
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
