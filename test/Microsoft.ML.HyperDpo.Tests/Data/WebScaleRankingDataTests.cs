using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo.Tests.Data;

[TestClass]
public class WebScaleRankingDataTests
{
    [TestMethod]
    public void LabelsFollowMslrSharesAndTheViewIsTheSameEveryTime()
    {
        var data = WebScaleRankingData.Generate(0, 200, totalQueries: 200, seed: 5);
        var labels = data.GetColumn<float>("Label").ToArray();
        Assert.AreEqual(data.GetRowCount(), labels.LongLength);
        Assert.IsTrue(labels.Length / 200.0 is > 110 and < 130, $"about 120 documents per query, got {labels.Length / 200.0:F1}");
        double[] mslr = { 0.514, 0.325, 0.134, 0.019, 0.008 };
        for (int g = 0; g < 5; g++)
        {
            double share = labels.Count(l => l == g) / (double)labels.Length;
            Assert.AreEqual(mslr[g], share, Math.Max(0.01, mslr[g] * 0.25), $"share of grade {g}");
        }
        CollectionAssert.AreEqual(labels, data.GetColumn<float>("Label").ToArray(), "a second pass reads the same rows");

        // Auxiliary objectives: graded 0..4, correlated with relevance as documented (+ for quality, - for freshness).
        var quality = data.GetColumn<float>("Quality").ToArray();
        var freshness = data.GetColumn<float>("Freshness").ToArray();
        double withQuality = Correlation(labels, quality), withFreshness = Correlation(labels, freshness);
        Assert.IsTrue(withQuality is > 0.1 and < 0.4, $"relevance-quality correlation {withQuality:F3}");
        Assert.IsTrue(withFreshness is < -0.05 and > -0.3, $"relevance-freshness correlation {withFreshness:F3}");

        // Groups are contiguous keys, and a sub-range of queries is the same rows as in the whole.
        var groups = data.GetColumn<uint>("GroupId").ToArray();
        Assert.AreEqual(200, groups.Distinct().Count());
        Assert.IsTrue(groups.Zip(groups.Skip(1)).All(p => p.Second >= p.First), "queries are contiguous");
        var part = WebScaleRankingData.Generate(100, 5, totalQueries: 200, seed: 5);
        var partFeatures = part.GetColumn<float[]>("Features").ToArray();
        var wholeFeatures = data.GetColumn<float[]>("Features").Where((_, i) => groups[i] is > 100 and <= 105).ToArray();
        Assert.HasCount(wholeFeatures.Length, partFeatures);
        for (int i = 0; i < partFeatures.Length; i++) CollectionAssert.AreEqual(wholeFeatures[i], partFeatures[i]);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 136), data.Schema["Features"].Type);
    }

    private static double Correlation(float[] a, float[] b)
    {
        double ma = a.Average(), mb = b.Average();
        double cov = a.Zip(b).Sum(p => (p.First - ma) * (p.Second - mb));
        return cov / Math.Sqrt(a.Sum(v => (v - ma) * (v - ma)) * b.Sum(v => (v - mb) * (v - mb)));
    }
}
