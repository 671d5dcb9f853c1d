using Microsoft.ML.HyperDpo.Language.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Language.Generation;

/// <summary>
/// Autoregressive decoding of a causal language model from prefix embeddings: greedy, temperature and top-k sampling,
/// with or without the KV cache, one sequence or a left-padded batch at a time.
/// </summary>
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
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.dim() != 3 || prefix.shape[0] != 1)
            throw new ArgumentException($"The prefix must be [1, length, width]; got [{string.Join(", ", prefix.shape)}].", nameof(prefix));
        return Generate(model, prefix, null, endOfText, options, suppressed)[0];
    }

    /// <summary>
    /// Generates token ids for a batch of prefixes [B, P, width], left-padded to a common length P, with
    /// <paramref name="prefixMask"/> [B, P] (bool, false at the padding) saying which positions are real. Padding is never
    /// attended to and each row takes the positions it would have alone, so greedy decoding gives every row the tokens it
    /// gets by itself. Sampling draws from one generator for the whole batch: the same distribution per row, but not the
    /// same draws as one row at a time.
    /// </summary>
    /// <param name="model">The language model (used in eval mode, without gradients).</param>
    /// <param name="prefix">The left-padded prefix embeddings.</param>
    /// <param name="prefixMask">Which prefix positions are real, on the model's device; null: all are (no padding).</param>
    /// <param name="endOfText">The end-of-text id.</param>
    /// <param name="options">Decoding options.</param>
    /// <param name="suppressed">Token ids never generated.</param>
    /// <returns>Per row, the new tokens without the final end-of-text. A row that has stopped is fed end-of-text until every row has.</returns>
    public static int[][] Generate(Gpt2LanguageModel model, Tensor prefix, Tensor? prefixMask, int endOfText, GenerationOptions options, IReadOnlyCollection<int>? suppressed = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (prefix.dim() != 3)
            throw new ArgumentException($"The prefix must be [batch, length, width]; got [{string.Join(", ", prefix.shape)}].", nameof(prefix));
        int batch = (int)prefix.shape[0];
        model.eval();
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var device = model.Device;
        var generator = new Generator((ulong)options.Seed, device);
        int room = (int)Math.Min(options.MaxNewTokens, model.Config.ContextLength - prefix.shape[1]);
        var tokens = Enumerable.Range(0, batch).Select(_ => new List<int>(room)).ToArray();
        var stopped = new bool[batch];
        using var cache = options.UseCache ? model.NewCache() : null;
        Tensor step = prefix;
        Tensor? stepMask = prefixMask;
        var generated = new List<Tensor>();
        var banned = suppressed is { Count: > 0 } ? torch.tensor(suppressed.Select(i => (long)i).ToArray(), device: device) : null;
        var newMask = torch.ones(batch, 1, ScalarType.Bool, device);
        for (int t = 0; t < room; t++)
        {
            using var stepScope = torch.NewDisposeScope();
            Tensor logits;
            if (cache is not null)
                logits = model.Logits(step, cache, stepMask)[.., -1];
            else
            {
                var all = torch.cat(generated.Prepend(prefix).ToArray(), 1);
                var mask = prefixMask is null ? null : torch.cat(Enumerable.Repeat(newMask, generated.Count).Prepend(prefixMask).ToArray(), 1);
                logits = model.Logits(all, null, mask)[.., -1];
            }
            if (banned is not null)
                logits = logits.IndexFill(1, banned, double.NegativeInfinity);
            if (options.NoRepeatNgramSize > 0)
                logits = BanRepeatedNgrams(logits, tokens, stopped, options.NoRepeatNgramSize, device);
            var next = Pick(logits, options, generator);
            for (int b = 0; b < batch; b++)
            {
                if (stopped[b]) next[b] = endOfText;
                else if (next[b] == endOfText && options.StopAtEndOfText) stopped[b] = true;
                else tokens[b].Add((int)next[b]);
            }
            if (stopped.All(s => s)) break;
            var embedded = model.EmbedTokens(torch.tensor(next, new long[] { batch, 1 }, device: device));
            step = embedded.MoveToOuterDisposeScope();
            stepMask = prefixMask is null ? null : newMask;
            generated.Add(step);
        }
        return tokens.Select(t => t.ToArray()).ToArray();
    }

    /// <summary>
    /// The logits [B, vocabulary] with -infinity at every token that would complete, after a row's last n - 1 generated
    /// tokens, an n-gram the row has already generated.
    /// </summary>
    private static Tensor BanRepeatedNgrams(Tensor logits, IReadOnlyList<List<int>> tokens, bool[] stopped, int n, Device device)
    {
        long vocabulary = logits.shape[1];
        var flat = new List<long>();
        for (int b = 0; b < tokens.Count; b++)
        {
            var row = tokens[b];
            if (stopped[b] || row.Count < n - 1) continue;
            int tail = row.Count - (n - 1);
            // Every earlier start whose first n - 1 tokens equal the tail bans the token that followed them.
            for (int start = 0; start + n - 1 < row.Count; start++)
            {
                bool same = true;
                for (int j = 0; j < n - 1 && same; j++)
                    same = row[start + j] == row[tail + j];
                if (same) flat.Add(b * vocabulary + row[start + n - 1]);
            }
        }
        if (flat.Count == 0) return logits;
        var indices = torch.tensor(flat.ToArray(), device: device);
        return logits.reshape(-1).IndexFill(0, indices, double.NegativeInfinity).reshape(logits.shape);
    }

    /// <summary>The next token of every row of logits [B, vocabulary].</summary>
    private static long[] Pick(Tensor logits, GenerationOptions options, Generator generator)
    {
        if (options.Temperature == 0)
            return logits.argmax(-1).cpu().data<long>().ToArray();
        var scaled = logits.DividedBy(options.Temperature);
        if (options.TopK > 0 && options.TopK < scaled.shape[1])
        {
            var (values, indices) = scaled.topk(options.TopK, dim: -1);
            var choice = values.softmax(-1).multinomial(1, generator: generator);
            return indices.gather(1, choice).squeeze(1).cpu().data<long>().ToArray();
        }
        return scaled.softmax(-1).multinomial(1, generator: generator).squeeze(1).cpu().data<long>().ToArray();
    }
}
