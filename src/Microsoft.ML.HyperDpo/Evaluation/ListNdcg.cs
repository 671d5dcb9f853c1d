namespace Microsoft.ML.HyperDpo.Evaluation;

/// <summary>
/// NDCG@k over lists held in memory, computed in float64 the way ML.NET's RankingEvaluator does, for use
/// inside the training loop (validation every epoch) where building an IDataView per weight would cost
/// more than the evaluation itself.
/// </summary>
/// <remarks>
/// Gains of <see cref="NdcgGains"/> (ML.NET's default table 0, 3, 7, 15, 31, extended past grade 4 by the same rule; the label
/// cast to an integer, as ML.NET does), discount 1 / ln(position + 1), documents
/// with equal scores ordered worst label first (ML.NET's pessimistic tie order), and a list without any
/// positive label counts as NDCG 0 and is averaged in. A test checks it against mlContext.Ranking.Evaluate.
/// </remarks>
internal static class ListNdcg
{
    /// <summary>Mean NDCG@k over the lists.</summary>
    /// <param name="scores">One score per row.</param>
    /// <param name="label">The label of a row.</param>
    /// <param name="listStarts">List i covers rows listStarts[i] .. listStarts[i+1]-1.</param>
    /// <param name="k">Truncation.</param>
    public static double Mean(float[] scores, Func<int, float> label, int[] listStarts, int k)
    {
        var perList = PerList(scores, label, listStarts, k);
        // Summed in list order, as before PerList existed, so that validation figures (and early stopping) are bit for bit unchanged.
        double total = 0;
        foreach (double n in perList) total += n;
        return perList.Length == 0 ? 0 : total / perList.Length;
    }

    /// <summary>NDCG@k of each list, in list order (<see cref="Mean"/> is their mean): what a bootstrap over queries resamples.</summary>
    /// <param name="scores">One score per row.</param>
    /// <param name="label">The label of a row.</param>
    /// <param name="listStarts">List i covers rows listStarts[i] .. listStarts[i+1]-1.</param>
    /// <param name="k">Truncation.</param>
    public static double[] PerList(float[] scores, Func<int, float> label, int[] listStarts, int k)
    {
        int lists = Math.Max(0, listStarts.Length - 1);
        var ndcg = new double[lists];
        for (int i = 0; i < lists; i++)
        {
            var rows = Enumerable.Range(listStarts[i], listStarts[i + 1] - listStarts[i]).ToArray();
            var ranked = rows.OrderByDescending(r => scores[r]).ThenBy(label).Take(k);
            var ideal = rows.Select(label).OrderDescending().Take(k);
            double idcg = Dcg(ideal);
            ndcg[i] = idcg > 0 ? Dcg(ranked.Select(label)) / idcg : 0;
        }
        return ndcg;
    }

    private static double Dcg(IEnumerable<float> labels) => labels.Select((l, p) => NdcgGains.Of((int)l) / Math.Log(p + 2)).Sum();
}
