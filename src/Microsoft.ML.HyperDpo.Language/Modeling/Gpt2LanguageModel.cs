using Microsoft.ML.HyperDpo.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Language.Modeling;

/// <summary>The body of GPT-2 (Hugging Face's <c>GPT2Model</c>): token and position embeddings, the blocks, a final layer norm.</summary>
internal sealed class Gpt2Transformer : nn.Module
{
    private readonly Embedding wte;
    private readonly Embedding wpe;
    private readonly ModuleList<Gpt2Block> h;
    private readonly LayerNorm ln_f;

    public Gpt2Transformer(Gpt2Config config) : base(nameof(Gpt2Transformer))
    {
        // Created on the CPU, whatever TorchSharp's default device: a seed gives the same weights on every device.
        wte = nn.Embedding(config.VocabularySize, config.EmbeddingSize, device: torch.CPU);
        wpe = nn.Embedding(config.ContextLength, config.EmbeddingSize, device: torch.CPU);
        h = new ModuleList<Gpt2Block>(Enumerable.Range(0, config.Layers).Select(_ => new Gpt2Block(config)).ToArray());
        ln_f = nn.LayerNorm(config.EmbeddingSize, config.LayerNormEpsilon, device: torch.CPU);
        using (torch.no_grad())
        {
            nn.init.normal_(wte.weight!, 0, 0.02);
            nn.init.normal_(wpe.weight!, 0, 0.01);
        }
        RegisterComponents();
    }

    public Embedding TokenEmbedding => wte;

    public IReadOnlyList<Gpt2Block> Blocks => h.ToArray();

    /// <param name="inputEmbeddings">The new positions' embeddings [B, T, width].</param>
    /// <param name="cache">Keys and values of earlier positions, or null.</param>
    /// <param name="keyMask">Which of the past + T positions are real tokens [B, past + T] (false: padding), or null when none is padding.</param>
    public Tensor Forward(Tensor inputEmbeddings, KeyValueCache? cache, Tensor? keyMask)
    {
        long past = cache?.Length ?? 0, time = inputEmbeddings.shape[1];
        var device = inputEmbeddings.device;
        Tensor positions;
        Tensor? allowed = null;
        if (keyMask is null)
            positions = torch.arange(past, past + time, dtype: ScalarType.Int64, device: device);
        else
        {
            // A padded row's tokens take the positions they would have without the padding: 0, 1, ... over its real tokens.
            positions = keyMask.to(ScalarType.Int64).cumsum(1).Plus(-1).clamp_min(0)[.., (int)past..];
            // Query i (at slot past + i) attends to the real keys up to its own slot, and always to itself: a padding
            // query that saw no key at all would make the softmax NaN, and NaN values leak even through zero weights.
            var querySlots = torch.arange(past, past + time, dtype: ScalarType.Int64, device: device).unsqueeze(1);
            var keySlots = torch.arange(past + time, dtype: ScalarType.Int64, device: device).unsqueeze(0);
            var causal = keySlots.le(querySlots);
            var self = keySlots.eq(querySlots);
            allowed = causal.unsqueeze(0).logical_and(keyMask.unsqueeze(1).logical_or(self.unsqueeze(0))).unsqueeze(1);
        }
        var x = inputEmbeddings.Plus(wpe.forward(positions));
        for (int i = 0; i < h.Count; i++)
            x = h[i].Forward(x, cache, i, allowed);
        return ln_f.forward(x);
    }
}

/// <summary>
/// A GPT-2-architecture causal language model (Hugging Face's <c>GPT2LMHeadModel</c>): pre-LayerNorm blocks, learned
/// positions, scaled dot-product attention, and an output head tied to the token embeddings. Its parameters carry
/// Hugging Face's names and layouts (<c>transformer.h.0.attn.c_attn.weight</c> as [in, out], ...), so
/// <see cref="Persistence.Gpt2Checkpoint"/> reads and writes GPT-2 safetensors files directly.
/// </summary>
/// <remarks>
/// Input goes in as embeddings (<see cref="EmbedTokens"/>), so that soft prompts can be prepended to the embedded
/// text; a <see cref="KeyValueCache"/> makes generation feed one token per step. Not thread-safe.
/// </remarks>
public sealed class Gpt2LanguageModel : nn.Module
{
    private readonly Gpt2Transformer transformer;

    /// <summary>
    /// Creates a randomly initialised model (GPT-2's initialisation: normal(0, 0.02), residual projections scaled by
    /// depth). The weights are drawn on the CPU, so a seed gives the same model on every device, then moved to <paramref name="device"/>.
    /// </summary>
    /// <param name="config">The model's shape.</param>
    /// <param name="seed">Seed of the initialisation.</param>
    /// <param name="device">Where the parameters live; null: the CPU. Everything this library builds for the model (soft prompts,
    /// adapters, token ids, masks) is created on the model's <see cref="Device"/>.</param>
    public Gpt2LanguageModel(Gpt2Config config, long seed = 0, Device? device = null) : base(TorchBackend.Require(nameof(Gpt2LanguageModel)))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        using (var _ = new ManualSeedScope(seed))
            transformer = new Gpt2Transformer(config);
        RegisterComponents();
        if (device is not null)
            this.to(device);
    }

    /// <summary>The model's shape.</summary>
    public Gpt2Config Config { get; }

    /// <summary>The token embeddings, [vocabulary, width]; also the output head's weights.</summary>
    public Tensor TokenEmbeddings => transformer.TokenEmbedding.weight!;

    internal IReadOnlyList<Gpt2Block> Blocks => transformer.Blocks;

    /// <summary>The embeddings of token ids [B, T] (int64): [B, T, width].</summary>
    /// <param name="tokenIds">Token ids of the model's vocabulary.</param>
    public Tensor EmbedTokens(Tensor tokenIds) => transformer.TokenEmbedding.forward(tokenIds);

    /// <summary>The final hidden states [B, T, width] of input embeddings [B, T, width] that continue the cached positions.</summary>
    /// <param name="inputEmbeddings">Embeddings of the new positions.</param>
    /// <param name="cache">Keys and values of earlier positions, extended in place; null: the input starts at position 0.</param>
    /// <param name="paddingMask">
    /// Which new positions are real tokens, [B, T] bool (false: padding, e.g. the left padding of a batch of prompts of
    /// different lengths); null: all are. Padding positions are never attended to (their keys are masked out, combined
    /// with the causal mask), and each row's real tokens take positions 0, 1, ... as if the row were alone, so a
    /// padded row's real positions get the hidden states it would get by itself. The cache remembers the mask for later steps.
    /// </param>
    /// <exception cref="ArgumentException">The sequence would run past <see cref="Gpt2Config.ContextLength"/>, or a shape is wrong.</exception>
    public Tensor HiddenStates(Tensor inputEmbeddings, KeyValueCache? cache = null, Tensor? paddingMask = null)
    {
        long past = cache?.Length ?? 0;
        if (inputEmbeddings.dim() != 3 || inputEmbeddings.shape[2] != Config.EmbeddingSize)
            throw new ArgumentException($"Input embeddings must be [batch, time, {Config.EmbeddingSize}]; got [{string.Join(", ", inputEmbeddings.shape)}].", nameof(inputEmbeddings));
        long batch = inputEmbeddings.shape[0], time = inputEmbeddings.shape[1];
        if (past + time > Config.ContextLength)
            throw new ArgumentException(
                $"The sequence would reach {past + time} positions; the model has {Config.ContextLength} (Gpt2Config.ContextLength).", nameof(inputEmbeddings));
        if (paddingMask is not null && (paddingMask.dtype != ScalarType.Bool || paddingMask.dim() != 2 || paddingMask.shape[0] != batch || paddingMask.shape[1] != time))
            throw new ArgumentException($"The padding mask must be a bool [{batch}, {time}] tensor; got {paddingMask.dtype} [{string.Join(", ", paddingMask.shape)}].", nameof(paddingMask));
        using var scope = torch.NewDisposeScope();
        Tensor? keyMask = null;
        if (paddingMask is not null || cache?.PaddingMask is not null)
        {
            var pastMask = cache?.PaddingMask ?? torch.ones(batch, past, ScalarType.Bool, Device);
            keyMask = torch.cat(new[] { pastMask, paddingMask ?? torch.ones(batch, time, ScalarType.Bool, Device) }, 1);
        }
        var hidden = transformer.Forward(inputEmbeddings, cache, keyMask);
        if (cache is not null)
        {
            cache.Length = past + time;
            if (keyMask is not null)
                cache.SetPaddingMask(keyMask);
        }
        return hidden.MoveToOuterDisposeScope();
    }

    /// <summary>Next-token logits [B, T, vocabulary] of input embeddings [B, T, width] (the tied head: hidden x wte^T).</summary>
    /// <param name="inputEmbeddings">Embeddings of the new positions.</param>
    /// <param name="cache">Keys and values of earlier positions, extended in place; null: the input starts at position 0.</param>
    /// <param name="paddingMask">Which new positions are real tokens [B, T] (see <see cref="HiddenStates"/>); null: all are.</param>
    public Tensor Logits(Tensor inputEmbeddings, KeyValueCache? cache = null, Tensor? paddingMask = null) =>
        LogitsOfHidden(HiddenStates(inputEmbeddings, cache, paddingMask));

    /// <summary>Next-token logits [B, T, vocabulary] of token ids [B, T].</summary>
    /// <param name="tokenIds">Token ids (int64).</param>
    public Tensor LogitsOfTokens(Tensor tokenIds) => Logits(EmbedTokens(tokenIds));

    /// <summary>The tied output head applied to hidden states.</summary>
    internal Tensor LogitsOfHidden(Tensor hidden) => torch.matmul(hidden, TokenEmbeddings.t());

    /// <summary>A new, empty cache for this model.</summary>
    public KeyValueCache NewCache() => new(Config.Layers);

    /// <summary>Freezes (or unfreezes) every parameter of the base model.</summary>
    /// <param name="trainable">Whether the parameters take gradients.</param>
    public void SetTrainable(bool trainable)
    {
        foreach (var p in parameters())
            p.requires_grad = trainable;
    }

    /// <summary>The device of the parameters.</summary>
    public Device Device => TokenEmbeddings.device;
}

/// <summary>Seeds TorchSharp's global generator for a block and restores a fresh random seed after it.</summary>
internal readonly struct ManualSeedScope : IDisposable
{
    public ManualSeedScope(long seed) => torch.manual_seed(seed);

    public void Dispose() => torch.seed();
}
