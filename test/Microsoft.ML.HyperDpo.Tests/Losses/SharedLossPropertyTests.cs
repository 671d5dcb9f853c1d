using Microsoft.ML.HyperDpo.Losses;
using TorchSharp;
using static TorchSharp.torch;
using static Microsoft.ML.HyperDpo.Tests.Losses.LossEvaluation;

namespace Microsoft.ML.HyperDpo.Tests.Losses;

/// <summary>
/// The properties every listwise loss must have, checked on every loss <see cref="ListwiseLossFactory"/> builds: a new
/// loss is covered as soon as it is registered there.
/// </summary>
[TestClass]
public class SharedLossPropertyTests
{
    public static IEnumerable<object[]> Losses => ListwiseLossFactory.All().Select(l => new object[] { l.Name });

    private static IListwiseLoss Loss(string name) => ListwiseLossFactory.All().Single(l => l.Name == name).Loss;

    [TestMethod]
    [DynamicData(nameof(Losses))]
    public void PaddingDoesNotChangeTheLoss(string name)
    {
        var loss = Loss(name);
        // Distinct labels, so that random tie-breaking cannot make the two calls differ.
        double unpadded = LossOf(loss, new[] { 1.0f, -0.5f, 0.2f }, new[] { 2f, 0f, 1f }, new[] { true, true, true });
        double padded = LossOf(loss, new[] { 1.0f, -0.5f, 0.2f, 50f, -7f }, new[] { 2f, 0f, 1f, 4f, 3f }, new[] { true, true, true, false, false });
        Assert.AreEqual(unpadded, padded, 1e-5, name);
    }

    [TestMethod]
    [DynamicData(nameof(Losses))]
    public void StableForVeryLargeRewards(string name)
    {
        // exp(+-1000) overflows float32; each loss must stay finite and near its limit.
        var loss = Loss(name);
        double right = LossOf(loss, new[] { 1000f, -1000f, 0f }, new[] { 2f, 0f, 1f }, new[] { true, true, true });
        double wrong = LossOf(loss, new[] { -1000f, 1000f, 0f }, new[] { 2f, 0f, 1f }, new[] { true, true, true });
        Assert.IsTrue(double.IsFinite(right) && double.IsFinite(wrong), $"{name}: {right}, {wrong}");
        Assert.IsTrue(wrong > right + 500, $"{name}: ranking the worst document first must cost more ({wrong} against {right})");
    }

    [TestMethod]
    [DynamicData(nameof(Losses))]
    public void GradientIsFiniteAndZeroOnPadding(string name)
    {
        var loss = Loss(name);
        using var z = tensor(new[] { 0.4f, -0.3f, 1.2f, 9f, -3f }, new long[] { 1, 5 }, requires_grad: true);
        using var y = tensor(new[] { 1f, 0f, 2f, 4f, 0f }, new long[] { 1, 5 });
        using var mask = tensor(new[] { true, true, true, false, false }, new long[] { 1, 5 });
        using var l = loss.Compute(z, y, mask, new Generator(1));
        l.sum().backward();
        var grad = z.grad!.data<float>().ToArray();
        Assert.IsTrue(grad.All(float.IsFinite), name);
        Assert.AreEqual(0f, grad[3], $"{name}: padding must receive no gradient");
        Assert.AreEqual(0f, grad[4], $"{name}: padding must receive no gradient");
        Assert.IsTrue(grad.Take(3).Any(g => g != 0), $"{name}: real documents must receive a gradient");
    }

    [TestMethod]
    [DynamicData(nameof(Losses))]
    public void TwoItemsGiveDpo(string name)
    {
        // Winner (label 1) reward 0.3, loser (label 0) reward 1.1, d = z_w - z_l. The Plackett-Luce losses give DPO's
        // -log sigmoid(d); ListNet, whose targets are the softmax of the raw labels, gives DPO with a soft preference
        // p = sigmoid(y_w - y_l): -[p log sigmoid(d) + (1 - p) log sigmoid(-d)].
        double d = 0.3 - 1.1;
        double p = name == nameof(ListwiseLossKind.ListNet) ? 1 / (1 + Math.Exp(-1.0)) : 1.0;
        double expected = -(p * LogSigmoid(d) + (1 - p) * LogSigmoid(-d));
        double actual = LossOf(Loss(name), new[] { 1.1f, 0.3f }, new[] { 0f, 1f }, new[] { true, true });
        Assert.AreEqual(expected, actual, 1e-5, name);
    }

    [TestMethod]
    [DynamicData(nameof(Losses))]
    public void AListWhoseLabelsAreAllEqualCarriesNoLossAndNoGradient(string name)
    {
        // Row 0: a query with no relevant document; row 1: an ordinary one, whose loss must be unchanged by row 0.
        var loss = Loss(name);
        using var z = tensor(new[] { 0.4f, -0.3f, 1.2f, 0.7f, -1f, 0.2f }, new long[] { 2, 3 }, requires_grad: true);
        using var y = tensor(new[] { 0f, 0f, 0f, 2f, 0f, 1f }, new long[] { 2, 3 });
        using var mask = ones(2, 3, dtype: ScalarType.Bool);
        using var l = loss.Compute(z, y, mask, new Generator(1));
        l.sum().backward();
        Assert.AreEqual(0f, l[0].item<float>(), name);
        Assert.IsTrue(z.grad!.data<float>().Take(3).All(g => g == 0), $"{name}: the tied list must receive no gradient");
        Assert.AreEqual(LossOf(loss, new[] { 0.7f, -1f, 0.2f }, new[] { 2f, 0f, 1f }, new[] { true, true, true }), l[1].item<float>(), 1e-5, name);
    }

    [TestMethod]
    public void EveryLossKindIsCovered()
    {
        var names = ListwiseLossFactory.All().Select(l => l.Name).ToList();
        foreach (var kind in Enum.GetValues<ListwiseLossKind>())
            Assert.IsTrue(names.Any(n => n.StartsWith(kind.ToString(), StringComparison.Ordinal)), $"{kind} is not built by ListwiseLossFactory.All");
        CollectionAssert.AllItemsAreUnique(names);
    }

    private static double LogSigmoid(double x) => -Math.Log(1 + Math.Exp(-x));
}
