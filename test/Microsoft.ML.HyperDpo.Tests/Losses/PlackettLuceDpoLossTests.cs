using Microsoft.ML.HyperDpo.Losses;
using TorchSharp;
using static TorchSharp.torch;
using static Microsoft.ML.HyperDpo.Tests.Losses.LossEvaluation;

namespace Microsoft.ML.HyperDpo.Tests.Losses;

[TestClass]
public class PlackettLuceDpoLossTests
{
    [TestMethod]
    public void TwoItemsEqualsDpoSigmoidLoss()
    {
        // Winner label 1 with reward 0.3, loser label 0 with reward 1.1: DPO loss = -log sigmoid(0.3 - 1.1).
        double expected = -Math.Log(1 / (1 + Math.Exp(-(0.3 - 1.1))));
        double actual = LossOf(new PlackettLuceDpoLoss(null), new[] { 1.1f, 0.3f }, new[] { 0f, 1f }, new[] { true, true });
        Assert.AreEqual(expected, actual, 1e-5);
    }

    [TestMethod]
    public void ThreeItemsMatchesHandComputedPlackettLuce()
    {
        // Labels 2,0,1 -> order (item0, item2, item1); z = (1.0, -0.5, 0.2).
        // L = -[z0 - log(e^1 + e^0.2 + e^-0.5)] - [z2 - log(e^0.2 + e^-0.5)] - [z1 - log(e^-0.5)].
        double z0 = 1.0, z1 = -0.5, z2 = 0.2;
        double expected = -(z0 - Math.Log(Math.Exp(z0) + Math.Exp(z2) + Math.Exp(z1)))
                          - (z2 - Math.Log(Math.Exp(z2) + Math.Exp(z1)));
        double actual = LossOf(new PlackettLuceDpoLoss(null), new[] { 1.0f, -0.5f, 0.2f }, new[] { 2f, 0f, 1f }, new[] { true, true, true });
        Assert.AreEqual(expected, actual, 1e-5);
    }

    [TestMethod]
    public void TopKScoresOnlyTheFirstPositions()
    {
        double z0 = 1.0, z1 = -0.5, z2 = 0.2;
        double expected = -(z0 - Math.Log(Math.Exp(z0) + Math.Exp(z2) + Math.Exp(z1)));
        double actual = LossOf(new PlackettLuceDpoLoss(1), new[] { 1.0f, -0.5f, 0.2f }, new[] { 2f, 0f, 1f }, new[] { true, true, true });
        Assert.AreEqual(expected, actual, 1e-5);
    }

    [TestMethod]
    public void IgnoresPaddedValues()
    {
        var loss = new PlackettLuceDpoLoss(null);
        double unpadded = LossOf(loss, new[] { 1.0f, -0.5f, 0.2f }, new[] { 2f, 0f, 1f }, new[] { true, true, true });
        double padded = LossOf(loss, new[] { 1.0f, -0.5f, 0.2f, 50f, -7f }, new[] { 2f, 0f, 1f, 4f, 3f }, new[] { true, true, true, false, false });
        Assert.AreEqual(unpadded, padded, 1e-5);
    }

    [TestMethod]
    public void StableForVeryLargeAndSmallRewards()
    {
        // exp(+-1000) overflows float32; the log-sum-exp must not. -log sigmoid(2000) ~ 0 and -log sigmoid(-2000) ~ 2000.
        Assert.AreEqual(0.0, LossOf(new PlackettLuceDpoLoss(null), new[] { 1000f, -1000f }, new[] { 1f, 0f }, new[] { true, true }), 1e-3);
        Assert.AreEqual(2000.0, LossOf(new PlackettLuceDpoLoss(null), new[] { -1000f, 1000f }, new[] { 1f, 0f }, new[] { true, true }), 1e-2);
    }

    [TestMethod]
    public void GradientMatchesFiniteDifferencesAndIsZeroOnPadding()
    {
        var loss = new PlackettLuceDpoLoss(null);
        float[] z = { 0.4f, -0.3f, 1.2f, 0.1f, 9f };
        float[] y = { 1f, 0f, 2f, 3f, 0f };
        bool[] mask = { true, true, true, true, false };
        using var zt = tensor(z, new long[] { 1, 5 }, requires_grad: true);
        using var l = loss.Compute(zt, tensor(y, new long[] { 1, 5 }), tensor(mask, new long[] { 1, 5 }), new Generator(1));
        l.sum().backward();
        var grad = zt.grad!.data<float>().ToArray();
        const float h = 1e-2f;
        for (int i = 0; i < 4; i++)
        {
            var plus = (float[])z.Clone(); plus[i] += h;
            var minus = (float[])z.Clone(); minus[i] -= h;
            double numeric = (LossOf(loss, plus, y, mask) - LossOf(loss, minus, y, mask)) / (2 * h);
            Assert.AreEqual(numeric, grad[i], 2e-3, $"d loss / d z[{i}]");
        }
        Assert.AreEqual(0f, grad[4], "padding must receive no gradient");
        Assert.IsTrue(grad.All(float.IsFinite));
    }

    [TestMethod]
    public void TiesAreBrokenAtRandomSoTheExpectedLossIsSymmetric()
    {
        // Two tied items: each order has probability 1/2, so the mean loss over many draws approaches
        // (-log sigmoid(a-b) - log sigmoid(b-a)) / 2, whatever the item order in the input.
        var loss = new PlackettLuceDpoLoss(null);
        var generator = new Generator(7);
        using var z = tensor(new[] { 0.8f, -0.4f }, new long[] { 1, 2 }).expand(4000, 2).contiguous();
        using var y = zeros(4000, 2);
        using var m = ones(4000, 2, dtype: ScalarType.Bool);
        double mean = loss.Compute(z, y, m, generator).mean().item<float>();
        double expected = (Math.Log(1 + Math.Exp(-1.2)) + Math.Log(1 + Math.Exp(1.2))) / 2;
        Assert.AreEqual(expected, mean, 0.02);
    }
}
