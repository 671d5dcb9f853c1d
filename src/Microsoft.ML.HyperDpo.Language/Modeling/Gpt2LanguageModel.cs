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
        wte = nn.Embedding(config.VocabularySize, config.EmbeddingSize);
        wpe = nn.Embedding(config.ContextLength, config.EmbeddingSize);
        h = new ModuleList<Gpt2Block>(Enumerable.Range(0, config.Layers).Select(_ => new Gpt2Block(config)).ToArray());
        ln_f = nn.LayerNorm(config.EmbeddingSize, config.LayerNormEpsilon);
        using (torch.no_grad())
        {
            nn.init.normal_(wte.weight!, 0, 0.02);
            nn.init.normal_(wpe.weight!, 0, 0.01);
        }
        RegisterComponents();
    }

    public Embedding TokenEmbedding => wte;

    public IReadOnlyList<Gpt2Block> Blocks => h.ToArray();

    public Tensor Forward(Tensor inputEmbeddings, KeyValueCache? cache)
    {
        long past = cache?.Length ?? 0;
        var positions = torch.arange(past, past + inputEmbeddings.shape[1], dtype: ScalarType.Int64, device: inputEmbeddings.device);
        var x = inputEmbeddings.Plus(wpe.forward(positions));
        for (int i = 0; i < h.Count; i++)
            x = h[i].Forward(x, cache, i);
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

    /// <summary>Creates a randomly initialised model (GPT-2's initialisation: normal(0, 0.02), residual projections scaled by depth).</summary>
    /// <param name="config">The model's shape.</param>
    /// <param name="seed">Seed of the initialisation.</param>
    public Gpt2LanguageModel(Gpt2Config config, long seed = 0) : base(TorchBackend.Require(nameof(Gpt2LanguageModel)))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        using (var _ = new ManualSeedScope(seed))
            transformer = new Gpt2Transformer(config);
        RegisterComponents();
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
    /// <exception cref="ArgumentException">The sequence would run past <see cref="Gpt2Config.ContextLength"/>.</exception>
    public Tensor HiddenStates(Tensor inputEmbeddings, KeyValueCache? cache = null)
    {
        long past = cache?.Length ?? 0;
        if (inputEmbeddings.dim() != 3 || inputEmbeddings.shape[2] != Config.EmbeddingSize)
            throw new ArgumentException($"Input embeddings must be [batch, time, {Config.EmbeddingSize}]; got [{string.Join(", ", inputEmbeddings.shape)}].", nameof(inputEmbeddings));
        if (past + inputEmbeddings.shape[1] > Config.ContextLength)
            throw new ArgumentException(
                $"The sequence would reach {past + inputEmbeddings.shape[1]} positions; the model has {Config.ContextLength} (Gpt2Config.ContextLength).", nameof(inputEmbeddings));
        var hidden = transformer.Forward(inputEmbeddings, cache);
        if (cache is not null)
            cache.Length = past + inputEmbeddings.shape[1];
        return hidden;
    }

    /// <summary>Next-token logits [B, T, vocabulary] of input embeddings [B, T, width] (the tied head: hidden x wte^T).</summary>
    /// <param name="inputEmbeddings">Embeddings of the new positions.</param>
    /// <param name="cache">Keys and values of earlier positions, extended in place; null: the input starts at position 0.</param>
    public Tensor Logits(Tensor inputEmbeddings, KeyValueCache? cache = null) => LogitsOfHidden(HiddenStates(inputEmbeddings, cache));

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
