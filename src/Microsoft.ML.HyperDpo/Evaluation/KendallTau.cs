namespace Microsoft.ML.HyperDpo.Evaluation;

/// <summary>
/// Kendall's tau-b between two scorings of the same documents: how far apart the two rankings are (1 the same order, -1 the
/// reverse, 0 unrelated), with ties in either scoring counted as neither agreement nor disagreement.
/// </summary>
/// <remarks>tau-b = (C - D) / sqrt((P - T_x)(P - T_y)), with C and D the concordant and discordant pairs, P all pairs, T_x and T_y the
/// pairs tied in x and in y. Quadratic in the list length, which is fine for lists of a few hundred documents.</remarks>
public static class KendallTau
{
    /// <summary>tau-b of <paramref name="x"/> and <paramref name="y"/> (as many values each); null when either scoring ties every pair.</summary>
    public static double? Compute(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count)
            throw new ArgumentException($"The two scorings have {x.Count} and {y.Count} values; they must score the same documents.", nameof(y));
        long concordant = 0, discordant = 0, tiedX = 0, tiedY = 0, pairs = 0;
        for (int i = 0; i < x.Count; i++)
            for (int j = i + 1; j < x.Count; j++)
            {
                pairs++;
                int sx = Math.Sign(x[i] - x[j]), sy = Math.Sign(y[i] - y[j]);
                if (sx == 0) tiedX++;
                if (sy == 0) tiedY++;
                if (sx * sy > 0) concordant++;
                else if (sx * sy < 0) discordant++;
            }
        double denominator = Math.Sqrt((double)(pairs - tiedX) * (pairs - tiedY));
        return denominator > 0 ? (concordant - discordant) / denominator : null;
    }

    /// <summary>
    /// The mean over queries of tau-b between two scorings of the same rows, the queries given as contiguous runs
    /// (<paramref name="listStarts"/>: each query's first row, then the row count); queries where either scoring ties every pair
    /// (single documents among them) are left out. NaN when no query counts.
    /// </summary>
    public static double MeanOverQueries(IReadOnlyList<float> x, IReadOnlyList<float> y, IReadOnlyList<int> listStarts)
    {
        double sum = 0;
        int counted = 0;
        for (int q = 0; q + 1 < listStarts.Count; q++)
        {
            int start = listStarts[q], length = listStarts[q + 1] - start;
            double[] Slice(IReadOnlyList<float> v) => Enumerable.Range(start, length).Select(r => (double)v[r]).ToArray();
            if (Compute(Slice(x), Slice(y)) is double tau)
            {
                sum += tau;
                counted++;
            }
        }
        return counted == 0 ? double.NaN : sum / counted;
    }
}
