namespace Microsoft.ML.HyperDpo;

/// <summary>How <see cref="SyntheticRankingData"/> reads the latent relevance from the features x ~ N(0, I).</summary>
public enum SyntheticRelevance
{
    /// <summary>r = x . u for a random unit direction u: what a linear ranker learns exactly.</summary>
    Linear,
    /// <summary>
    /// r = sum over 8 rules of a_m 1[x_i &gt; t_i] 1[x_j &gt; t_j] (two distinct random features per rule, thresholds uniform in
    /// [-0.5, 1], weights uniform in [0.5, 1.5]), scaled to unit variance: thresholds and interactions, as in the click and
    /// judgement data that tree ensembles fit well. Many documents satisfy no rule, so their latent relevance is tied before noise.
    /// </summary>
    Rules,
}
