using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Losses;

/// <summary>
/// ListNet: L = - sum_i softmax(y)_i * log softmax(z)_i over the real documents of each list, the top-one
/// Plackett-Luce probability with soft targets. Ties need no breaking: equal labels get equal targets.
/// </summary>
internal sealed class ListNetLoss : IListwiseLoss
{
    public Tensor Compute(Tensor rewards, Tensor labels, Tensor mask, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var padding = mask.logical_not();
        var target = labels.MaskedFill(padding, ListwiseLossMath.MaskedValue).softmax(1);
        var logProb = rewards.MaskedFill(padding, ListwiseLossMath.MaskedValue).log_softmax(1);
        var terms = (target * logProb).where(mask, zeros_like(logProb));
        return (-terms.sum(1)).MoveToOuterDisposeScope();
    }
}
