using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Modeling;

/// <summary>
/// A conditioned scoring network as training sees it: scores padded lists of documents under one conditioning vector per
/// list. Row-wise networks (the MLP) score each document alone; listwise ones may look at the whole list.
/// </summary>
internal interface IRankingNetwork
{
    /// <summary>The TorchSharp module (parameters, state, train/eval mode).</summary>
    nn.Module Module { get; }

    /// <summary>Features per document.</summary>
    int FeatureCount { get; }

    /// <summary>The length C of the conditioning vector (<see cref="ConditionVector"/>).</summary>
    int ConditionWidth { get; }

    /// <summary>
    /// Scores padded lists: features [B, L, F], condition [B, C], mask [B, L] (true: a real document) -> scores [B, L].
    /// Padded positions get some finite score that callers never read.
    /// </summary>
    Tensor ScoreLists(Tensor features, Tensor condition, Tensor mask);

    /// <summary>
    /// Scores whole lists laid end to end: features [N, F] (list i is the next <paramref name="listLengths"/>[i] rows), one
    /// condition [1, C] for all -> scores [N].
    /// </summary>
    Tensor ScoreRows(Tensor features, Tensor condition, int[] listLengths);

    /// <summary>A network of the same architecture, with fresh parameters, for state to be loaded into.</summary>
    IRankingNetwork EmptyCopy();

    /// <summary>
    /// Makes the network score 0 for every input until trained (with a reference, training then starts exactly at the reference
    /// soup), by zeroing its last layer.
    /// </summary>
    void ZeroOutput();
}
