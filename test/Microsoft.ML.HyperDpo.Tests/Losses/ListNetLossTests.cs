using Microsoft.ML.HyperDpo.Losses;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Tests.Losses;

[TestClass]
public class ListNetLossTests
{
    [TestMethod]
    public void MatchesHandComputedCrossEntropyAndIgnoresPadding()
    {
        double[] y = { 2, 0, 1 };
        double[] z = { 0.5, 0.1, -0.3 };
        double ty = y.Sum(Math.Exp), tz = z.Sum(Math.Exp);
        double expected = -Enumerable.Range(0, 3).Sum(i => Math.Exp(y[i]) / ty * (z[i] - Math.Log(tz)));
        using var l = new ListNetLoss().Compute(
            tensor(new[] { 0.5f, 0.1f, -0.3f, 20f }, new long[] { 1, 4 }),
            tensor(new[] { 2f, 0f, 1f, 4f }, new long[] { 1, 4 }),
            tensor(new[] { true, true, true, false }, new long[] { 1, 4 }), null);
        Assert.AreEqual(expected, l.item<float>(), 1e-5);
    }
}
