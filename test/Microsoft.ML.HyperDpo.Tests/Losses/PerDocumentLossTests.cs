using Microsoft.ML.HyperDpo.Losses;
using static Microsoft.ML.HyperDpo.Tests.Losses.LossEvaluation;

namespace Microsoft.ML.HyperDpo.Tests.Losses;

[TestClass]
public class PerDocumentLossTests
{
    [TestMethod]
    public void EachListsLossIsDividedByItsDocumentCount_PaddingExcluded()
    {
        // List 1: labels 2, 0, 1 with z = (1.0, -0.5, 0.2), three documents; list 2: labels 1, 0 with z = (0.3, 1.1) and one padded slot.
        double z0 = 1.0, z1 = -0.5, z2 = 0.2;
        double three = -(z0 - Math.Log(Math.Exp(z0) + Math.Exp(z2) + Math.Exp(z1))) - (z2 - Math.Log(Math.Exp(z2) + Math.Exp(z1)));
        double two = -Math.Log(1 / (1 + Math.Exp(-(0.3 - 1.1))));
        var loss = ListwiseLossFactory.Create(ListwiseLossKind.PlackettLuce, null, TieHandling.Grouped, LossNormalization.PerDocument);
        double actual = LossOf(loss, new[] { 1.0f, -0.5f, 0.2f, 0.3f, 1.1f, 40f }, new[] { 2f, 0f, 1f, 1f, 0f, 3f },
            new[] { true, true, true, true, true, false }, lists: 2);
        Assert.AreEqual(three / 3 + two / 2, actual, 1e-5);
    }

    [TestMethod]
    public void SumIsTheUnscaledLoss()
    {
        double two = -Math.Log(1 / (1 + Math.Exp(-(0.3 - 1.1))));
        var loss = ListwiseLossFactory.Create(ListwiseLossKind.PlackettLuce, null, TieHandling.Grouped, LossNormalization.Sum);
        Assert.AreEqual(two, LossOf(loss, new[] { 0.3f, 1.1f, 5f }, new[] { 1f, 0f, 0f }, new[] { true, true, false }), 1e-5);
    }
}
