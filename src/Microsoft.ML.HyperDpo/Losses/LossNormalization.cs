namespace Microsoft.ML.HyperDpo;

/// <summary>How each list's listwise loss is scaled before the lists of a batch are averaged.</summary>
public enum LossNormalization
{
    /// <summary>No scaling: a list's loss is its sum over positions, so a list of 150 documents weighs far more than one of 10.</summary>
    Sum,
    /// <summary>
    /// Each list's loss divided by its number of (real) documents: a mean over positions, so that every query weighs about the
    /// same, as it does in NDCG, which averages over queries.
    /// </summary>
    PerDocument,
}
