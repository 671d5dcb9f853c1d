using Microsoft.ML.HyperDpo.Comparison;

namespace Microsoft.ML.HyperDpo.Tests.Comparison;

[TestClass]
public class BootstrapTests
{
    [TestMethod]
    public void PercentileIntervalOfAMeanIsTheExactBootstrapDistributionsQuantiles()
    {
        // The bootstrap distribution of the mean of {1, 2, 3, 10} has 4^4 = 256 equally likely resamples: enumerated here, its
        // 2.5% and 97.5% quantiles (smallest value whose cumulative probability reaches q) are 1.5 and 8.0, each more than
        // 0.005 in probability away from the next value, so 20000 random resamples land on them.
        double[] sample = { 1, 2, 3, 10 };
        var exact = new List<double>();
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++)
                for (int c = 0; c < 4; c++)
                    for (int d = 0; d < 4; d++)
                        exact.Add((sample[a] + sample[b] + sample[c] + sample[d]) / 4);
        exact.Sort();
        double ExactQuantile(double q) => exact.First(v => exact.Count(x => x <= v) >= q * exact.Count);
        Assert.AreEqual(1.5, ExactQuantile(0.025));
        Assert.AreEqual(8.0, ExactQuantile(0.975));

        var interval = Bootstrap.MeanOf(sample, replicates: 20000, seed: 3);

        Assert.AreEqual(4.0, interval.Estimate, 1e-12);
        Assert.AreEqual(ExactQuantile(0.025), interval.Lower, 1e-12);
        Assert.AreEqual(ExactQuantile(0.975), interval.Upper, 1e-12);
        Assert.AreEqual(0.95, interval.Confidence);
        Assert.AreEqual(20000, interval.Replicates);
    }

    [TestMethod]
    public void TheSameSeedGivesTheSameInterval()
    {
        double[] sample = { 0.91, 1.02, 1.10, 0.97, 1.05, 1.31, 0.88 };

        var first = Bootstrap.MeanOf(sample, replicates: 500, seed: 11);
        var again = Bootstrap.MeanOf(sample, replicates: 500, seed: 11);

        Assert.AreEqual(first, again);
        Assert.IsLessThan(first.Estimate, first.Lower);
        Assert.IsGreaterThan(first.Estimate, first.Upper);
    }

    /// <summary>Per-query NDCG of a method and a baseline, and the paired statistic mean(method) / mean(baseline) over a resample.</summary>
    private static BootstrapInterval PairedRatio(double[] method, double[] baseline) =>
        Bootstrap.Percentile(new[] { method.Length }, c => Bootstrap.WeightedMean(method, c[0]) / Bootstrap.WeightedMean(baseline, c[0]), 2000, seed: 5);

    private static double[] Baseline(int queries) => Enumerable.Range(0, queries).Select(q => 0.2 + 0.6 * ((q * 37) % queries) / queries).ToArray();

    [TestMethod]
    public void APairedGainOnEveryQueryIsSignificant()
    {
        // The method beats the baseline by 0.02 on each of 150 queries: every resample's ratio is above 1, whatever queries it
        // draws, so the interval must exclude 1.0, even though the baseline's own spread (0.2 to 0.8) is 30 times the gain.
        var baseline = Baseline(150);
        var method = baseline.Select(b => b + 0.02).ToArray();

        var interval = PairedRatio(method, baseline);

        Assert.IsGreaterThan(1.0, interval.Lower);
        Assert.IsTrue(interval.Excludes(1.0));
        Assert.AreEqual(method.Average() / baseline.Average(), interval.Estimate, 1e-12);
    }

    [TestMethod]
    public void GainsAndLossesThatCancelAreNotSignificant()
    {
        // +0.1 on half the queries and -0.1 on the other half: the ratio on the data is 1, and resamples fall on both sides.
        var baseline = Baseline(150);
        var method = baseline.Select((b, q) => q % 2 == 0 ? b + 0.1 : b - 0.1).ToArray();

        var interval = PairedRatio(method, baseline);

        Assert.AreEqual(1.0, interval.Estimate, 1e-12);
        Assert.IsLessThan(1.0, interval.Lower);
        Assert.IsGreaterThan(1.0, interval.Upper);
        Assert.IsFalse(interval.Excludes(1.0));
    }

    [TestMethod]
    public void StrataAreResampledEachToItsOwnSize()
    {
        var seen = new List<int[][]>();

        Bootstrap.Percentile(new[] { 3, 1, 5 }, counts =>
        {
            seen.Add(counts.Select(c => c.ToArray()).ToArray());
            return 0;
        }, replicates: 50, seed: 2);

        Assert.HasCount(51, seen, "the data as measured, then each resample");
        CollectionAssert.AreEqual(new[] { 1, 1, 1 }, seen[0][0], "the estimate counts every unit once");
        foreach (var counts in seen)
        {
            Assert.AreEqual(3, counts[0].Sum());
            Assert.AreEqual(1, counts[1].Single(), "a stratum of one unit is always that unit");
            Assert.AreEqual(5, counts[2].Sum());
        }
        Assert.IsTrue(seen.Skip(1).Any(c => c[2].Contains(0)), "units are drawn with replacement, so some resamples miss a unit");
    }

    [TestMethod]
    public void BadArgumentsAreNamed()
    {
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Bootstrap.Percentile(new[] { 2, 0 }, _ => 0, 10, 1)).Message, "Stratum 1 has 0 units");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Bootstrap.MeanOf(new[] { 1.0 }, 10, 1, confidence: 1)).Message, "confidence");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => Bootstrap.Percentile(new[] { 2 }, _ => double.NaN, 10, 1)).Message, "finite");
    }
}
