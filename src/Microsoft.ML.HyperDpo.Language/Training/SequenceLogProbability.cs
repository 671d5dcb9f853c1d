using Microsoft.ML.HyperDpo.Language.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Language.Training;

/// <summary>The log-probability a causal language model gives to the target tokens of each sequence, after optional prefix embeddings.</summary>
internal static class SequenceLogProbability
{
    /// <summary>
    /// sum over target positions t of log p(token_t | prefix, tokens_&lt;t), per sequence: [N].
    /// </summary>
    /// <param name="model">The language model.</param>
    /// <param name="prefix">Soft-prompt embeddings [N, m, width], or null for none.</param>
    /// <param name="tokens">Token ids [N, T] (int64); position 0 is never a target.</param>
    /// <param name="targets">Target mask [N, T] (bool).</param>
    public static Tensor Compute(Gpt2LanguageModel model, Tensor? prefix, Tensor tokens, Tensor targets)
    {
        using var scope = torch.NewDisposeScope();
        var embedded = model.EmbedTokens(tokens);
        long m = prefix?.shape[1] ?? 0, length = tokens.shape[1];
        var input = prefix is null ? embedded : torch.cat(new[] { prefix, embedded }, 1);
        var hidden = model.HiddenStates(input);
        // The hidden state at position p predicts the token at p + 1: text tokens 1..T-1 are predicted by positions m..m+T-2.
        var predicting = hidden[.., (int)m..(int)(m + length - 1)];
        var logProbabilities = model.LogitsOfHidden(predicting).log_softmax(-1);
        var next = tokens[.., 1..];
        var picked = logProbabilities.gather(2, next.unsqueeze(2)).squeeze(2);
        return picked.where(targets[.., 1..], torch.zeros_like(picked)).sum(1).MoveToOuterDisposeScope();
    }
}
