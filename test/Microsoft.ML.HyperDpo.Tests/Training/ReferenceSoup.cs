namespace Microsoft.ML.HyperDpo.Tests.Training;

/// <summary>The reference soup computed independently of the library, for the tests of fits with references.</summary>
internal static class ReferenceSoup
{
    /// <summary>sum_k w_k (r_k - mu_k) / sd_k on <paramref name="data"/>, in float64, with mu_k and sd_k over <paramref name="train"/>'s rows.</summary>
    public static double[] Of(IReadOnlyList<ITransformer> references, IDataView train, IDataView data, float[] w)
    {
        var soup = new double[SyntheticRanking.Scores(references[0].Transform(data)).Length];
        for (int k = 0; k < references.Count; k++)
        {
            double[] trainScores = SyntheticRanking.Scores(references[k].Transform(train)).Select(s => (double)s).ToArray();
            double mean = trainScores.Average();
            double sd = Math.Sqrt(trainScores.Sum(s => (s - mean) * (s - mean)) / trainScores.Length);
            float[] r = SyntheticRanking.Scores(references[k].Transform(data));
            for (int i = 0; i < soup.Length; i++) soup[i] += w[k] * (r[i] - mean) / sd;
        }
        return soup;
    }
}
