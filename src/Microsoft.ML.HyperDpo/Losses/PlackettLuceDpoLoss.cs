using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Losses;

/// <summary>
/// Plackett-Luce DPO loss: the negative log-likelihood of the label order tau under the implicit rewards z,
/// L = - sum_{j=1..m} [ z_tau(j) - log sum_{l=j..n} exp(z_tau(l)) ], with m = n or the top-k cut.
/// For n = 2 this is DPO's -log sigmoid(z_winner - z_loser).
/// </summary>
internal sealed class PlackettLuceDpoLoss : IListwiseLoss
{
    private readonly int? _topK;

    public PlackettLuceDpoLoss(int? topK) => _topK = topK;

    public Tensor Compute(Tensor rewards, Tensor labels, Tensor mask, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var order = ListwiseLossMath.LabelOrder(labels, mask, generator);
        var z = rewards.gather(1, order);
        var real = mask.gather(1, order);
        var masked = z.MaskedFill(real.logical_not(), ListwiseLossMath.MaskedValue);
        // log sum_{l >= j} exp(z_l): a log-cum-sum-exp from the end of each row (stable: it subtracts maxima itself).
        var tail = masked.flip(1).logcumsumexp(1).flip(1);
        var included = real;
        if (_topK is int k && k < z.shape[1])
            included = real.logical_and(KeptAlive.Arange(z.shape[1], z.device).LessThan(k).unsqueeze(0));
        var terms = (z - tail).where(included, zeros_like(z));
        return (-terms.sum(1)).MoveToOuterDisposeScope();
    }
}
