using Microsoft.ML.HyperDpo.Language.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Language.Generation;

/// <summary>Autoregressive decoding of a causal language model from prefix embeddings: greedy, temperature and top-k sampling, with or without the KV cache.</summary>
public static class TextGenerator
{
    /// <summary>Generates token ids after a prefix of input embeddings [1, P, width] (soft prompt and embedded prompt text).</summary>
    /// <param name="model">The language model (used in eval mode, without gradients).</param>
    /// <param name="prefix">The prefix embeddings.</param>
    /// <param name="endOfText">The end-of-text id.</param>
    /// <param name="options">Decoding options.</param>
    /// <param name="suppressed">Token ids never generated (a compact vocabulary's unknown token, say).</param>
    /// <returns>The new tokens, without the final end-of-text.</returns>
    public static int[] Generate(Gpt2LanguageModel model, Tensor prefix, int endOfText, GenerationOptions options, IReadOnlyCollection<int>? suppressed = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (prefix.dim() != 3 || prefix.shape[0] != 1)
            throw new ArgumentException($"The prefix must be [1, length, width]; got [{string.Join(", ", prefix.shape)}].", nameof(prefix));
        model.eval();
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var generator = new Generator((ulong)options.Seed, model.Device);
        int room = (int)Math.Min(options.MaxNewTokens, model.Config.ContextLength - prefix.shape[1]);
        var tokens = new List<int>(room);
        using var cache = options.UseCache ? model.NewCache() : null;
        Tensor? step = prefix;
        var generated = new List<Tensor>();
        var banned = suppressed is { Count: > 0 } ? torch.tensor(suppressed.Select(i => (long)i).ToArray(), device: model.Device) : null;
        for (int t = 0; t < room; t++)
        {
            using var stepScope = torch.NewDisposeScope();
            Tensor logits;
            if (cache is not null)
                logits = model.Logits(step!, cache)[0, -1];
            else
                logits = model.Logits(torch.cat(generated.Prepend(prefix).ToArray(), 1))[0, -1];
            if (banned is not null)
                logits = logits.IndexFill(0, banned, double.NegativeInfinity);
            int next = Pick(logits, options, generator);
            if (next == endOfText && options.StopAtEndOfText) break;
            tokens.Add(next);
            var embedded = model.EmbedTokens(torch.tensor(new long[] { next }, device: model.Device).unsqueeze(0));
            step = embedded.MoveToOuterDisposeScope();
            generated.Add(step);
        }
        return tokens.ToArray();
    }

    private static int Pick(Tensor logits, GenerationOptions options, Generator generator)
    {
        if (options.Temperature == 0)
            return (int)logits.argmax().item<long>();
        var scaled = logits.DividedBy(options.Temperature);
        if (options.TopK > 0 && options.TopK < scaled.shape[0])
        {
            var (values, indices) = scaled.topk(options.TopK);
            int choice = (int)values.softmax(0).multinomial(1, generator: generator).item<long>();
            return (int)indices[choice].item<long>();
        }
        return (int)scaled.softmax(0).multinomial(1, generator: generator).item<long>();
    }
}
