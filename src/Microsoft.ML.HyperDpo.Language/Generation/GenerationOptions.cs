namespace Microsoft.ML.HyperDpo.Language.Generation;

/// <summary>How <see cref="TextGenerator"/> picks tokens.</summary>
public sealed record GenerationOptions
{
    /// <summary>Most tokens to generate (generation also stops at end-of-text and at the model's context length).</summary>
    public int MaxNewTokens { get; init; } = 64;

    /// <summary>Sampling temperature; 0 means greedy (always the most likely token).</summary>
    public float Temperature { get; init; }

    /// <summary>Sample only among the k most likely tokens; 0: all tokens.</summary>
    public int TopK { get; init; }

    /// <summary>Seed of the sampling.</summary>
    public int Seed { get; init; }

    /// <summary>Whether to reuse keys and values (the KV cache); false recomputes the whole sequence at every step (same tokens, slower).</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>Whether to stop at end-of-text; false always generates <see cref="MaxNewTokens"/> (for speed measurements).</summary>
    public bool StopAtEndOfText { get; init; } = true;

    /// <summary>
    /// n &gt; 0: never generate a token that would repeat an n-gram already in the row's generated tokens (Hugging Face's
    /// <c>no_repeat_ngram_size</c>, over the generated tokens only: the prefix is embeddings); 0: no constraint. Small
    /// models decoded greedily fall into loops ("the first of the first of ..."), which this forbids.
    /// </summary>
    public int NoRepeatNgramSize { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (MaxNewTokens < 1) throw new ArgumentException($"GenerationOptions.MaxNewTokens must be at least 1; got {MaxNewTokens}.", nameof(MaxNewTokens));
        if (!(Temperature >= 0) || !float.IsFinite(Temperature)) throw new ArgumentException($"GenerationOptions.Temperature must be 0 (greedy) or positive; got {Temperature}.", nameof(Temperature));
        if (TopK < 0) throw new ArgumentException($"GenerationOptions.TopK must be 0 (all tokens) or positive; got {TopK}.", nameof(TopK));
        if (NoRepeatNgramSize < 0)
            throw new ArgumentException($"GenerationOptions.NoRepeatNgramSize must be 0 (no constraint) or positive; got {NoRepeatNgramSize}.", nameof(NoRepeatNgramSize));
    }
}
