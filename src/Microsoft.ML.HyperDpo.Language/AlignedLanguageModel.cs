using Microsoft.ML.HyperDpo.Language.Data;
using Microsoft.ML.HyperDpo.Language.Generation;
using Microsoft.ML.HyperDpo.Language.Modeling;
using Microsoft.ML.HyperDpo.Language.Text;
using Microsoft.ML.HyperDpo.Language.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Language;

/// <summary>
/// A language model aligned on several objectives: the frozen base model, plus what the weights w (and beta) are
/// turned into, a soft prompt (Hyper Prompt Tuning), a fixed prompt, a prompt soup or weights written as text,
/// and optional low-rank adapters. Scores responses by their implicit rewards and generates text at any w.
/// </summary>
/// <remarks>Not thread-safe: the base model is shared and switched between adapters per call.</remarks>
public sealed class AlignedLanguageModel
{
    private readonly SoftPromptSource _prompts;
    private readonly IReadOnlyList<LowRankAdapter>? _adapters;
    private readonly ReferenceLogProbabilities _reference;

    internal AlignedLanguageModel(Gpt2LanguageModel baseModel, LanguageTokenizer tokenizer, LanguageAlignmentOptions options,
        SoftPromptSource prompts, IReadOnlyList<LowRankAdapter>? adapters, ReferenceLogProbabilities reference)
    {
        BaseModel = baseModel;
        Tokenizer = tokenizer;
        Options = options;
        _prompts = prompts;
        _adapters = adapters;
        _reference = reference;
        Encoder = new ResponseEncoder(tokenizer, options.MaxPromptTokens, options.MaxResponseTokens);
    }

    /// <summary>The frozen base model (also the reference model).</summary>
    public Gpt2LanguageModel BaseModel { get; }

    /// <summary>The tokenizer.</summary>
    public LanguageTokenizer Tokenizer { get; }

    /// <summary>The options it was trained with.</summary>
    public LanguageAlignmentOptions Options { get; }

    /// <summary>The objectives, in the order of the weight vectors.</summary>
    public IReadOnlyList<string> Objectives => Options.Objectives;

    internal ResponseEncoder Encoder { get; }

    internal SoftPromptSource PromptSource => _prompts;

    internal IReadOnlyList<LowRankAdapter>? Adapters => _adapters;

    internal ReferenceLogProbabilities Reference => _reference;

    /// <summary>The implicit rewards z_i = beta * (log pi(y_i | x; w) - log pi_ref(y_i | x)) of each list's responses at the weights.</summary>
    /// <param name="lists">The lists.</param>
    /// <param name="weights">Objective weights, one per objective, on the simplex.</param>
    /// <param name="beta">The temperature; null: the trained beta (or the middle of the trained range, geometrically).</param>
    /// <param name="cacheReference">Whether to keep the lists' reference log-probabilities for later calls (true for lists scored
    /// repeatedly, as an evaluation set; false for a stream of new lists, whose cache would only grow).</param>
    public IReadOnlyList<float[]> ImplicitRewards(IReadOnlyList<PreferenceList> lists, float[] weights, float? beta = null, bool cacheReference = true)
    {
        CheckWeights(weights);
        float b = beta ?? DefaultBeta;
        var reference = _reference.Get(lists, cacheReference);
        var result = new List<float[]>(lists.Count);
        const int ListsPerBatch = 8;
        for (int start = 0; start < lists.Count; start += ListsPerBatch)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            BaseModel.eval();
            var batch = lists.Skip(start).Take(ListsPerBatch).ToList();
            var w = torch.tensor(Enumerable.Repeat(weights, batch.Count).SelectMany(x => x).ToArray(), new long[] { batch.Count, weights.Length }, device: BaseModel.Device);
            var betas = torch.full(batch.Count, b, device: BaseModel.Device);
            var (policy, _) = PolicyLogProbabilities(batch, w, betas);
            var rows = policy.cpu();
            for (int i = 0; i < batch.Count; i++)
            {
                var r = reference[start + i];
                result.Add(r.Select((value, j) => b * (rows[i, j].item<float>() - value)).ToArray());
            }
        }
        return result;
    }

    /// <summary>Generates an answer to a prompt at the given weights (never the compact vocabulary's unknown token).</summary>
    /// <param name="prompt">The question.</param>
    /// <param name="weights">Objective weights, one per objective, on the simplex.</param>
    /// <param name="options">Decoding options; null: greedy, 64 tokens.</param>
    /// <param name="beta">The temperature conditioning (only with a trained beta range); null: the default.</param>
    public string Generate(string prompt, float[] weights, GenerationOptions? options = null, float? beta = null) =>
        Tokenizer.Decode(GenerateTokens(prompt, weights, options ?? new GenerationOptions(), beta)).Trim();

    /// <summary>The generated token ids of <see cref="Generate(string, float[], GenerationOptions?, float?)"/>.</summary>
    /// <param name="prompt">The question.</param>
    /// <param name="weights">Objective weights.</param>
    /// <param name="options">Decoding options.</param>
    /// <param name="beta">The temperature conditioning; null: the default.</param>
    public int[] GenerateTokens(string prompt, float[] weights, GenerationOptions options, float? beta = null) =>
        GenerateTokens(new[] { prompt }, new[] { weights }, options, beta)[0];

    /// <summary>
    /// Generates answers to several prompts in one left-padded batch, each at its own weights (a padding mask keeps the
    /// rows apart: greedy answers are the ones <see cref="Generate(string, float[], GenerationOptions?, float?)"/> gives one at a time).
    /// </summary>
    /// <param name="prompts">The questions.</param>
    /// <param name="weights">Per question, its objective weights.</param>
    /// <param name="options">Decoding options; null: greedy, 64 tokens. Sampling draws from one generator for the batch.</param>
    /// <param name="beta">The temperature conditioning; null: the default.</param>
    public IReadOnlyList<string> Generate(IReadOnlyList<string> prompts, IReadOnlyList<float[]> weights, GenerationOptions? options = null, float? beta = null) =>
        GenerateTokens(prompts, weights, options ?? new GenerationOptions(), beta).Select(ids => Tokenizer.Decode(ids).Trim()).ToList();

    /// <summary>The generated token ids of <see cref="Generate(IReadOnlyList{string}, IReadOnlyList{float[]}, GenerationOptions?, float?)"/>.</summary>
    /// <param name="prompts">The questions.</param>
    /// <param name="weights">Per question, its objective weights.</param>
    /// <param name="options">Decoding options.</param>
    /// <param name="beta">The temperature conditioning; null: the default.</param>
    public int[][] GenerateTokens(IReadOnlyList<string> prompts, IReadOnlyList<float[]> weights, GenerationOptions options, float? beta = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(weights);
        if (prompts.Count == 0 || weights.Count != prompts.Count)
            throw new ArgumentException($"Give one weight vector per prompt, and at least one prompt; got {prompts.Count} prompts and {weights.Count} weight vectors.", nameof(weights));
        foreach (var vector in weights)
            CheckWeights(vector);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var attached = AdapterSwitch.Attach(BaseModel, _adapters);
        var device = BaseModel.Device;
        int rows = prompts.Count;
        var w = torch.tensor(weights.SelectMany(x => x).ToArray(), new long[] { rows, Objectives.Count }, device: device);
        var soft = _prompts.Prompts(Condition(w, torch.full(rows, beta ?? DefaultBeta, device: device)));
        var ids = prompts.Select((p, i) => Encoder.EncodePrompt(PromptTextOf(p, weights[i]))).ToList();
        int longest = ids.Max(x => x.Length);
        // Left padding: every row's last prompt token sits in the last column, where generation continues.
        int width = (int)soft.shape[1] + longest;
        var padded = new long[rows * longest];
        var real = new bool[rows * width];
        Array.Fill(padded, Tokenizer.EndOfText);
        for (int r = 0; r < rows; r++)
        {
            int pad = longest - ids[r].Length;
            for (int t = 0; t < ids[r].Length; t++)
                padded[r * longest + pad + t] = ids[r][t];
            for (int t = pad; t < width; t++)
                real[r * width + t] = true;
        }
        var text = BaseModel.EmbedTokens(torch.tensor(padded, new long[] { rows, longest }, device: device));
        // The padding goes in front of the soft prompt: each row reads [padding][soft prompt][prompt].
        var prefix = torch.stack(Enumerable.Range(0, rows).Select(r =>
        {
            int pad = longest - ids[r].Length;
            return torch.cat(new[] { text[r, ..pad], soft[r], text[r, pad..] }, 0);
        }).ToArray());
        var mask = ids.All(x => x.Length == longest) ? null : torch.tensor(real, new long[] { rows, width }, device: device);
        // A compact vocabulary's unknown token stands for thousands of rare tokens: frequent in training text, but it decodes to nothing readable.
        var suppressed = Tokenizer.UnknownId is int unknown ? new[] { unknown } : null;
        return TextGenerator.Generate(BaseModel, prefix, mask, Tokenizer.EndOfText, options, suppressed);
    }

    /// <summary>The default beta: the trained one, or the geometric middle of the trained range.</summary>
    public float DefaultBeta => Options.BetaRange is { } r ? MathF.Sqrt(r.Min * r.Max) : Options.Beta;

    /// <summary>
    /// The policy's log-probabilities [B, nmax] of each list's responses, and the mask [B, nmax] of real responses.
    /// Gradients flow to the prompt source and the adapters.
    /// </summary>
    internal (Tensor LogProbabilities, Tensor Mask) PolicyLogProbabilities(IReadOnlyList<PreferenceList> lists, Tensor weights, Tensor betas)
    {
        using var scope = torch.NewDisposeScope();
        using var attached = AdapterSwitch.Attach(BaseModel, _adapters);
        int widest = lists.Max(l => l.Responses.Count);
        var pairs = new List<(int[] Prompt, int[] Response)>();
        var slots = new List<long>();
        var promptOf = new List<long>();
        var cpuWeights = Options.Conditioning == PromptConditioning.WeightsAsText ? weights.cpu().data<float>().ToArray() : null;
        for (int b = 0; b < lists.Count; b++)
        {
            var list = lists[b];
            var prompt = Encoder.EncodePrompt(cpuWeights is null
                ? ResponseEncoder.PromptText(list.Prompt)
                : ResponseEncoder.PromptText(list.Prompt, Objectives, cpuWeights.AsSpan(b * Objectives.Count, Objectives.Count)));
            for (int i = 0; i < list.Responses.Count; i++)
            {
                pairs.Add((prompt, Encoder.EncodeResponse(list.Responses[i])));
                slots.Add(b * widest + i);
                promptOf.Add(b);
            }
        }
        var device = BaseModel.Device;
        var (tokens, targets) = Encoder.Pad(pairs, device);
        var soft = _prompts.Prompts(Condition(weights, betas)).index_select(0, torch.tensor(promptOf.ToArray(), device: device));
        var flat = SequenceLogProbability.Compute(BaseModel, soft, tokens, targets);
        var index = torch.tensor(slots.ToArray(), device: device);
        var values = torch.zeros(lists.Count * widest, device: device).index_put_(flat, index).view(lists.Count, widest);
        using var yes = true.ToScalar();
        var mask = torch.zeros(lists.Count * widest, ScalarType.Bool, device: device).index_fill_(0, index, yes).view(lists.Count, widest);
        return (values.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }

    /// <summary>The conditioning vector c = (w[, normalised log beta]) [B, C].</summary>
    internal Tensor Condition(Tensor weights, Tensor betas)
    {
        if (Options.BetaRange is not { } range)
            return weights;
        double low = Math.Log(range.Min), high = Math.Log(range.Max);
        // Log beta mapped to [-1, 1] over the trained range, so the MLP sees inputs of the same scale as w.
        var scaled = high > low ? betas.log().Plus(-(low + high) / 2).DividedBy((high - low) / 2) : torch.zeros_like(betas);
        return torch.cat(new[] { weights, scaled.unsqueeze(1) }, 1);
    }

    private string PromptTextOf(string prompt, float[] weights) =>
        Options.Conditioning == PromptConditioning.WeightsAsText ? ResponseEncoder.PromptText(prompt, Objectives, weights) : ResponseEncoder.PromptText(prompt);

    private void CheckWeights(float[] weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Length != Objectives.Count || weights.Any(w => !(w >= 0) || !float.IsFinite(w)) || Math.Abs(weights.Sum() - 1) > 1e-3)
            throw new ArgumentException(
                $"The weights must be {Objectives.Count} non-negative numbers summing to 1 ({string.Join(", ", Objectives)}); got [{string.Join(", ", weights)}].", nameof(weights));
    }
}
