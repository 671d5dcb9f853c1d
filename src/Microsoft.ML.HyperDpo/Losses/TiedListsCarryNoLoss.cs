using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Losses;

/// <summary>
/// Wraps a listwise loss so that a list whose real documents all have the same label (a query with no relevant document, say)
/// contributes nothing for that objective.
/// </summary>
/// <remarks>
/// Such a list says nothing about how to order its documents, and its NDCG is the same (0) whatever the order; yet the
/// Plackett-Luce loss of a random order of its ties, and ListNet's uniform target, still pull its scores together: a term that
/// is pure noise for this objective and fights the other objectives (about a quarter of MQ2008's queries have no relevant
/// document). Without it, a batch's gradient comes only from the lists that rank something.
/// </remarks>
internal sealed class TiedListsCarryNoLoss : IListwiseLoss
{
    private readonly IListwiseLoss _inner;

    public TiedListsCarryNoLoss(IListwiseLoss inner) => _inner = inner;

    public Tensor Compute(Tensor rewards, Tensor labels, Tensor mask, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var padding = mask.logical_not();
        var highest = labels.MaskedFill(padding, float.NegativeInfinity).amax(new long[] { 1 });
        var lowest = labels.MaskedFill(padding, float.PositiveInfinity).amin(new long[] { 1 });
        var loss = _inner.Compute(rewards, labels, mask, generator);
        return loss.where(highest.gt(lowest), zeros_like(loss)).MoveToOuterDisposeScope();
    }
}
