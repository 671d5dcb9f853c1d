using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Losses;

/// <summary>
/// A listwise loss of one objective over a batch of padded lists.
/// </summary>
internal interface IListwiseLoss
{
    /// <summary>
    /// The loss of each list.
    /// </summary>
    /// <param name="rewards">Implicit rewards z = beta * (s - r), [B, L]; padded positions may hold anything.</param>
    /// <param name="labels">Graded labels of this objective, higher is better, [B, L].</param>
    /// <param name="mask">True at real documents, false at padding, [B, L] (bool). Real documents come first in each row.</param>
    /// <param name="generator">Random source for breaking ties in the labels, afresh at each call.</param>
    /// <returns>[B]: the loss of each list; padding never changes it.</returns>
    Tensor Compute(Tensor rewards, Tensor labels, Tensor mask, Generator? generator);
}

/// <summary>Shared pieces of the listwise losses.</summary>
internal static class ListwiseLossMath
{
    /// <summary>
    /// A finite stand-in for minus infinity: exp of it is exactly 0 in float32, and unlike -inf it keeps
    /// every gradient finite (log-cum-sum-exp over an all-padding suffix would otherwise give NaN gradients).
    /// </summary>
    public const float MaskedValue = -1e30f;

    /// <summary>
    /// For each row, the positions sorted by label, best first, with ties in random order and padding last. [B, L] int64.
    /// </summary>
    public static Tensor LabelOrder(Tensor labels, Tensor mask, Generator? generator)
    {
        using var scope = NewDisposeScope();
        // A random permutation first, then a stable sort by label: equal labels keep the random order.
        var shuffle = rand(labels.shape, generator: generator, device: labels.device).argsort(dim: 1);
        var keyed = labels.MaskedFill(mask.logical_not(), float.NegativeInfinity).gather(1, shuffle);
        var (_, byLabel) = keyed.sort(dim: 1, descending: true, stable: true);
        return shuffle.gather(1, byLabel).MoveToOuterDisposeScope();
    }
}
