using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Losses;

/// <summary>
/// Wraps a listwise loss so that each list's loss is divided by its number of real documents
/// (<see cref="LossNormalization.PerDocument"/>): a mean over positions instead of a sum.
/// </summary>
/// <remarks>
/// The Plackett-Luce loss of a list of n documents grows like n log n, so under a plain sum a batch's gradient comes mostly from its
/// longest lists, while NDCG, the figure the fit is judged by, weighs every query the same.
/// </remarks>
internal sealed class PerDocumentLoss : IListwiseLoss
{
    private readonly IListwiseLoss _inner;

    public PerDocumentLoss(IListwiseLoss inner) => _inner = inner;

    public Tensor Compute(Tensor rewards, Tensor labels, Tensor mask, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var loss = _inner.Compute(rewards, labels, mask, generator);
        // A list has at least one real document (the batcher never builds an empty one); clamping keeps an all-padding row finite anyway.
        using var one = 1f.ToScalar();
        var documents = mask.sum(1, type: ScalarType.Float32).clamp_min(one);
        return (loss / documents).MoveToOuterDisposeScope();
    }
}
