namespace Microsoft.ML.HyperDpo.Evaluation;

/// <summary>One objective's NDCG@1..k at one weight vector, as measured by ML.NET's RankingEvaluator.</summary>
/// <param name="Weights">The objective weights the scores were made with.</param>
/// <param name="Ndcg">[objective][k-1]: NDCG@k of each objective, k = 1..truncation.</param>
public sealed record WeightedNdcg(float[] Weights, double[][] Ndcg)
{
    /// <summary>NDCG@<paramref name="k"/> of every objective, in objective order.</summary>
    public double[] At(int k) => Ndcg.Select(n => n[k - 1]).ToArray();
}

/// <summary>
/// Per-objective NDCG of scored data, measured with <c>mlContext.Ranking.Evaluate</c> once per objective label
/// column, so that the figures are exactly ML.NET's.
/// </summary>
public static class ObjectiveNdcg
{
    /// <summary>
    /// NDCG@1..<paramref name="truncation"/> of <paramref name="scored"/> (which has a <c>Score</c> column) for each label column.
    /// Each group's rows must be contiguous, as ML.NET's evaluator requires; that is checked first.
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing, or a group's rows are not contiguous (sort the rows by the group column).</exception>
    public static double[][] Measure(MLContext mlContext, IDataView scored, IReadOnlyList<string> labelColumnNames,
        string rowGroupColumnName = "GroupId", string scoreColumnName = "Score", int truncation = 10)
    {
        ArgumentNullException.ThrowIfNull(scored);
        ContiguousGroups.Require(scored, rowGroupColumnName, "ObjectiveNdcg.Measure");
        return MeasureContiguous(mlContext, scored, labelColumnNames, rowGroupColumnName, scoreColumnName, truncation);
    }

    /// <summary><see cref="Measure"/> on data already checked for contiguous groups.</summary>
    internal static double[][] MeasureContiguous(MLContext mlContext, IDataView scored, IReadOnlyList<string> labelColumnNames,
        string rowGroupColumnName, string scoreColumnName, int truncation)
    {
        var options = new Microsoft.ML.Data.RankingEvaluatorOptions { DcgTruncationLevel = truncation };
        return labelColumnNames
            .Select(label => mlContext.Ranking.Evaluate(scored, options, label, rowGroupColumnName, scoreColumnName)
                .NormalizedDiscountedCumulativeGains.ToArray())
            .ToArray();
    }

    /// <summary>
    /// Scores <paramref name="data"/> with <paramref name="model"/> at every weight vector of <paramref name="grid"/> and measures
    /// each objective's NDCG@1..<paramref name="truncation"/>.
    /// </summary>
    /// <remarks>The points of <see cref="ParetoProfiler.Profile(MLContext, HyperDpoRankingTransformer, IDataView, ParetoProfileOptions?)"/> on that grid.</remarks>
    public static IReadOnlyList<WeightedNdcg> AlongGrid(MLContext mlContext, HyperDpoRankingTransformer model, IDataView data,
        IReadOnlyList<float[]> grid, string rowGroupColumnName = "GroupId", int truncation = 10) =>
        ParetoProfiler.Profile(mlContext, model, data,
            new ParetoProfileOptions { Weights = grid, NdcgAt = truncation, RowGroupColumnName = rowGroupColumnName }).Points;
}
