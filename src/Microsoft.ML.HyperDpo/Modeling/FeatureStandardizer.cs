using Microsoft.ML.HyperDpo.Data;

namespace Microsoft.ML.HyperDpo.Modeling;

/// <summary>
/// Per-feature mean and scale fitted on the training rows (in float64), for z-scoring inside the network.
/// </summary>
/// <remarks>
/// LETOR-style features mix scales (BM25 vs. 0/1 flags vs. counts), and an MLP trains badly on raw values.
/// A constant feature gets scale 1 so that it maps to 0 instead of dividing by zero.
/// </remarks>
internal static class FeatureStandardizer
{
    public static (float[] Mean, float[] Scale) Fit(ListwiseDataset data)
    {
        int f = data.FeatureCount, n = data.RowCount;
        var sum = new double[f];
        var sumSq = new double[f];
        for (int r = 0; r < n; r++)
            for (int j = 0; j < f; j++)
            {
                double v = data.Features[r * f + j];
                sum[j] += v;
                sumSq[j] += v * v;
            }
        var mean = new float[f];
        var scale = new float[f];
        for (int j = 0; j < f; j++)
        {
            double m = sum[j] / n;
            double variance = Math.Max(0, sumSq[j] / n - m * m);
            double sd = Math.Sqrt(variance);
            mean[j] = (float)m;
            scale[j] = sd > 1e-12 ? (float)sd : 1f;
        }
        return (mean, scale);
    }
}
