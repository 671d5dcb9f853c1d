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
    /// <remarks>
    /// The output head and its normaliser run only at the positions that predict a target token: [R, vocabulary] for the
    /// R response tokens of the batch, instead of [N, T, vocabulary] over prompt and padding positions too (at GPT-2's
    /// 50257-token vocabulary the difference is gigabytes per batch).
    /// </remarks>
    /// <param name="model">The language model.</param>
    /// <param name="prefix">Soft-prompt embeddings [N, m, width], or null for none.</param>
    /// <param name="tokens">Token ids [N, T] (int64); position 0 is never a target.</param>
    /// <param name="targets">Target mask [N, T] (bool).</param>
    public static Tensor Compute(Gpt2LanguageModel model, Tensor? prefix, Tensor tokens, Tensor targets)
    {
        using var scope = torch.NewDisposeScope();
        var embedded = model.EmbedTokens(tokens);
        long n = tokens.shape[0], m = prefix?.shape[1] ?? 0, length = tokens.shape[1];
        var input = prefix is null ? embedded : torch.cat(new[] { prefix, embedded }, 1);
        var hidden = model.HiddenStates(input);
        // The hidden state at position p predicts the token at p + 1: text tokens 1..T-1 are predicted by positions m..m+T-2.
        var predicting = hidden[.., (int)m..(int)(m + length - 1)].reshape(n * (length - 1), -1);
        var where = targets[.., 1..].reshape(-1).nonzero().squeeze(1);
        var rows = torch.arange(n, dtype: ScalarType.Int64, device: tokens.device).unsqueeze(1).expand(n, length - 1).reshape(-1).index_select(0, where);
        var logits = model.LogitsOfHidden(predicting.index_select(0, where));
        var next = tokens[.., 1..].reshape(-1).index_select(0, where);
        // log softmax at the target token only: logit - logsumexp, without materialising the [R, vocabulary] log-probabilities.
        var picked = logits.gather(1, next.unsqueeze(1)).squeeze(1) - logits.logsumexp(1);
        using var one = 1.0.ToScalar(); // explicit, kept until the native call has returned (see KeptAlive)
        return torch.zeros(n, dtype: picked.dtype, device: picked.device).index_add_(0, rows, picked, one).MoveToOuterDisposeScope();
    }
}
