using Microsoft.ML.HyperDpo.Losses;
using TorchSharp;
using static TorchSharp.torch;
using static Microsoft.ML.HyperDpo.Tests.Losses.LossEvaluation;

namespace Microsoft.ML.HyperDpo.Tests.Losses;

[TestClass]
public class GroupedPlackettLuceDpoLossTests
{
    private static double LogSumExp(params double[] z) => Math.Log(z.Sum(Math.Exp));

    [TestMethod]
    public void TwoItemsEqualsDpoSigmoidLoss()
    {
        double expected = -Math.Log(1 / (1 + Math.Exp(-(0.3 - 1.1))));
        Assert.AreEqual(expected, LossOf(new GroupedPlackettLuceDpoLoss(null), new[] { 1.1f, 0.3f }, new[] { 0f, 1f }, new[] { true, true }), 1e-5);
    }

    [TestMethod]
    public void DistinctLabelsGiveThePlackettLuceLoss()
    {
        float[] z = { 1.0f, -0.5f, 0.2f, 0.7f }, y = { 3, 0, 1, 2 };
        bool[] mask = { true, true, true, true };
        Assert.AreEqual(LossOf(new PlackettLuceDpoLoss(null), z, y, mask), LossOf(new GroupedPlackettLuceDpoLoss(null), z, y, mask), 1e-5);
    }

    [TestMethod]
    public void TiedDocumentsShareTheirDenominatorAndTheLowestGradeAddsNothing()
    {
        // Labels (2, 0, 0, 1): document 0 against all; document 3 against itself and the two zeros; the zeros add no term.
        double z0 = 0.4, z1 = -0.2, z2 = 0.9, z3 = 0.1;
        double expected = -(z0 - LogSumExp(z0, z1, z2, z3)) - (z3 - LogSumExp(z3, z1, z2));
        Assert.AreEqual(expected, LossOf(new GroupedPlackettLuceDpoLoss(null), new[] { (float)z0, (float)z1, (float)z2, (float)z3 }, new[] { 2f, 0f, 0f, 1f }, new[] { true, true, true, true }), 1e-5);

        // Labels (1, 1, 0): each tied document against both and the zero.
        double expectedTie = -(0.4 - LogSumExp(0.4, -0.2, 0.9)) - (-0.2 - LogSumExp(0.4, -0.2, 0.9));
        Assert.AreEqual(expectedTie, LossOf(new GroupedPlackettLuceDpoLoss(null), new[] { 0.4f, -0.2f, 0.9f }, new[] { 1f, 1f, 0f }, new[] { true, true, true }), 1e-5);
    }

    [TestMethod]
    public void AListWhoseLabelsAreAllEqualHasNoLossAndTheOrderAmongEqualsIsFree()
    {
        Assert.AreEqual(0.0, LossOf(new GroupedPlackettLuceDpoLoss(null), new[] { 3f, -1f, 0.5f }, new[] { 0f, 0f, 0f }, new[] { true, true, true }));

        // Swapping two zeros' scores changes nothing: the order among equal labels is free.
        double a = LossOf(new GroupedPlackettLuceDpoLoss(null), new[] { 2f, 0.3f, -0.4f }, new[] { 1f, 0f, 0f }, new[] { true, true, true });
        double b = LossOf(new GroupedPlackettLuceDpoLoss(null), new[] { 2f, -0.4f, 0.3f }, new[] { 1f, 0f, 0f }, new[] { true, true, true });
        Assert.AreEqual(a, b, 1e-7);
    }

    [TestMethod]
    public void IgnoresPaddedValues()
    {
        var loss = new GroupedPlackettLuceDpoLoss(null);
        double unpadded = LossOf(loss, new[] { 0.5f, -0.3f, 0.1f }, new[] { 2f, 0f, 1f }, new[] { true, true, true });
        double padded = LossOf(loss, new[] { 0.5f, -0.3f, 0.1f, 50f, -50f }, new[] { 2f, 0f, 1f, 9f, 9f }, new[] { true, true, true, false, false });
        Assert.AreEqual(unpadded, padded, 1e-5);
    }

    [TestMethod]
    public void TopKKeepsDocumentsWithFewerThanKBetterOnes()
    {
        // Labels (3, 2, 1, 0) with k = 2: only the documents graded 3 and 2 contribute, as in the untied top-k loss.
        float[] z = { 0.2f, 0.9f, -0.1f, 0.4f }, y = { 3, 2, 1, 0 };
        bool[] mask = { true, true, true, true };
        Assert.AreEqual(LossOf(new PlackettLuceDpoLoss(2), z, y, mask), LossOf(new GroupedPlackettLuceDpoLoss(2), z, y, mask), 1e-5);
    }
}
