using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Losses;

/// <summary>
/// Plackett-Luce DPO loss for graded labels with ties, in Breslow's form (the usual treatment of tied event times in Cox's
/// partial likelihood): every document i above its list's lowest grade contributes z_i - log sum_{l: y_l &lt;= y_i} exp(z_l),
/// i.e. it is chosen first among all documents that are not better than it, its equals included; documents of the lowest
/// grade add no term of their own. L = - sum of those terms.
/// </summary>
/// <remarks>
/// With distinct labels this is exactly <see cref="PlackettLuceDpoLoss"/> (so with two documents, DPO's loss). Unlike a random
/// order of the ties, it never asks the model to order documents whose labels are equal, which matters when labels have large
/// ties, as graded relevance has (most documents of a query are grade 0): the loss of a random order among them is smallest
/// when all their scores are equal, a pull that another objective ordering those same documents has to fight.
/// Deterministic: no tie-breaking draw. With a top-k cut, only documents with fewer than k strictly better ones contribute.
/// Cost O(L^2) per list of length L (a comparison matrix), small at LETOR list lengths.
/// </remarks>
public sealed class GroupedPlackettLuceDpoLoss : IListwiseLoss
{
    private readonly int? _topK;

    /// <summary>The loss over every document (<paramref name="topK"/> null) or over the top <paramref name="topK"/> only.</summary>
    public GroupedPlackettLuceDpoLoss(int? topK) => _topK = topK;

    /// <summary>The loss of each list.</summary>
    /// <param name="rewards">Implicit rewards z = beta * (s - r), [B, L]; padded positions may hold anything.</param>
    /// <param name="labels">Graded labels of this objective, higher is better, [B, L].</param>
    /// <param name="mask">True at real documents, false at padding, [B, L] (bool).</param>
    /// <param name="generator">Unused: this loss breaks no ties at random.</param>
    /// <returns>[B]: the loss of each list; padding never changes it.</returns>
    public Tensor Compute(Tensor rewards, Tensor labels, Tensor mask, Generator? generator)
    {
        using var scope = NewDisposeScope();
        // atRisk[b, i, l]: document l is real and not better than document i.
        var atRisk = labels.unsqueeze(1).le(labels.unsqueeze(2)).logical_and(mask.unsqueeze(1));
        var expanded = rewards.unsqueeze(1).expand(-1, rewards.shape[1], -1);
        var denominator = expanded.MaskedFill(atRisk.logical_not(), ListwiseLossMath.MaskedValue).logsumexp(2);
        var lowest = labels.MaskedFill(mask.logical_not(), float.PositiveInfinity).amin(new long[] { 1 }, keepdim: true);
        var contributes = mask.logical_and(labels.gt(lowest));
        if (_topK is int k)
        {
            var better = labels.unsqueeze(1).gt(labels.unsqueeze(2)).logical_and(mask.unsqueeze(1)).sum(2);
            contributes = contributes.logical_and(better.LessThan(k));
        }
        var terms = (rewards - denominator).where(contributes, zeros_like(rewards));
        return (-terms.sum(1)).MoveToOuterDisposeScope();
    }
}
