using Microsoft.ML.HyperDpo.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Tests.Data;

[TestClass]
public class DirichletSamplerTests
{
    private const int Draws = 20000;
    private const int K = 3;

    [TestMethod]
    [DataRow(1.0f)]
    [DataRow(0.3f)]
    public void DrawsLieOnTheSimplexWithTheDirichletMeanAndVariance(float alpha)
    {
        var sampler = new DirichletSampler(K, alpha, new Generator(12345), CPU);
        float[] w;
        using (var t = sampler.Sample(Draws))
        {
            CollectionAssert.AreEqual(new long[] { Draws, K }, t.shape);
            w = t.data<float>().ToArray();
        }

        for (int i = 0; i < Draws; i++)
        {
            double sum = 0;
            for (int k = 0; k < K; k++)
            {
                Assert.IsGreaterThanOrEqualTo(0f, w[i * K + k], $"draw {i}");
                sum += w[i * K + k];
            }
            Assert.AreEqual(1.0, sum, 1e-5, $"draw {i} does not sum to 1");
        }

        // Each coordinate is Beta(a, b) with a = alpha, b = alpha0 - alpha. Tolerances are 5 standard errors:
        // sd/sqrt(n) for the mean, sqrt((mu4 - sigma^4)/n) for the variance (mu4: the Beta's central 4th moment).
        double a = alpha, alpha0 = K * alpha, b = alpha0 - a;
        double mean = a / alpha0;
        double variance = a * b / (alpha0 * alpha0 * (alpha0 + 1));
        double mu4 = CentralFourthMomentOfBeta(a, b);
        for (int k = 0; k < K; k++)
        {
            double m = 0;
            for (int i = 0; i < Draws; i++) m += w[i * K + k];
            m /= Draws;
            double v = 0;
            for (int i = 0; i < Draws; i++) v += (w[i * K + k] - m) * (w[i * K + k] - m);
            v /= Draws - 1;

            Assert.AreEqual(1.0 / K, mean, 1e-12);
            Assert.AreEqual(mean, m, 5 * Math.Sqrt(variance / Draws), $"mean of coordinate {k}");
            Assert.AreEqual(variance, v, 5 * Math.Sqrt((mu4 - variance * variance) / Draws), $"variance of coordinate {k}");
        }
    }

    [TestMethod]
    public void SameGeneratorSeedGivesTheSameDraws()
    {
        using var first = new DirichletSampler(K, 1f, new Generator(3), CPU).Sample(50);
        using var second = new DirichletSampler(K, 1f, new Generator(3), CPU).Sample(50);
        using var other = new DirichletSampler(K, 1f, new Generator(4), CPU).Sample(50);
        CollectionAssert.AreEqual(first.data<float>().ToArray(), second.data<float>().ToArray());
        CollectionAssert.AreNotEqual(first.data<float>().ToArray(), other.data<float>().ToArray());
    }

    /// <summary>E[(X - mu)^4] for X ~ Beta(a, b), from the raw moments E[X^r] = prod_{i&lt;r} (a + i) / (a + b + i).</summary>
    private static double CentralFourthMomentOfBeta(double a, double b)
    {
        double Raw(int r)
        {
            double p = 1;
            for (int i = 0; i < r; i++) p *= (a + i) / (a + b + i);
            return p;
        }
        double mu = Raw(1);
        return Raw(4) - 4 * mu * Raw(3) + 6 * mu * mu * Raw(2) - 3 * Math.Pow(mu, 4);
    }
}
