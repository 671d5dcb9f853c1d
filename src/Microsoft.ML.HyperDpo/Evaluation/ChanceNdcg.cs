using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo.Evaluation;

/// <summary>
/// The NDCG@k that chance reaches: each objective's expected NDCG@k when every query's documents are ranked in a uniformly random
/// order, computed exactly from the labels. As a hypervolume's reference point it measures only what a ranker adds beyond chance;
/// the origin already credits a random ranking with a large part of the volume.
/// </summary>
/// <remarks>
/// Exact, not sampled: in a uniformly random order every position holds each of a query's <c>n</c> documents with probability
/// <c>1 / n</c>, so the expected DCG@k is the mean gain of the query times the sum of the discounts of its first <c>min(k, n)</c>
/// positions, and the ideal DCG does not depend on the order. Gains, discounts and the convention for a query without any positive
/// label (NDCG 0, averaged in) are those of every NDCG this library measures (<see cref="NdcgGains"/>, ML.NET's evaluator), so the
/// figure is the mean, over random rankings, of exactly what <see cref="ObjectiveNdcg.Measure"/> reports.
/// </remarks>
public static class ChanceNdcg
{
    /// <summary>Each objective's expected NDCG@<paramref name="truncation"/> under a uniformly random ranking of each group's rows, in float64: the mean over the groups of <see cref="ByQuery"/>.</summary>
    /// <param name="mlContext">The ML.NET context (reads and converts the label columns).</param>
    /// <param name="data">Data with every label column and the group column, each group's rows contiguous.</param>
    /// <param name="labelColumnNames">One graded label column per objective.</param>
    /// <param name="rowGroupColumnName">The group (query) key column.</param>
    /// <param name="truncation">The k of NDCG@k, at least 1.</param>
    /// <returns>One expected NDCG@k per objective, in the order of <paramref name="labelColumnNames"/>.</returns>
    /// <exception cref="ArgumentException">A column is missing, a group's rows are not contiguous, <paramref name="truncation"/> is below 1,
    /// or a label is not a grade from 0 to <see cref="ObjectiveNdcg.MaxGrade"/> (the message names the column and the value).</exception>
    public static double[] Expected(MLContext mlContext, IDataView data, IReadOnlyList<string> labelColumnNames,
        string rowGroupColumnName = "GroupId", int truncation = 10) =>
        Point(ByQuery(mlContext, data, labelColumnNames, rowGroupColumnName, truncation));

    /// <summary>
    /// Each group's expected NDCG@<paramref name="truncation"/> under a uniformly random ranking of its rows, per objective, in
    /// float64: [objective][group], groups in data order (as <see cref="ListNdcg.PerList"/> measures a ranker's, so that a bootstrap
    /// over queries can resample both with the same draws). A group without any positive label has 0.
    /// </summary>
    /// <param name="mlContext">The ML.NET context (reads and converts the label columns).</param>
    /// <param name="data">Data with every label column and the group column, each group's rows contiguous.</param>
    /// <param name="labelColumnNames">One graded label column per objective.</param>
    /// <param name="rowGroupColumnName">The group (query) key column.</param>
    /// <param name="truncation">The k of NDCG@k, at least 1.</param>
    /// <exception cref="ArgumentException">As <see cref="Expected"/>.</exception>
    public static double[][] ByQuery(MLContext mlContext, IDataView data, IReadOnlyList<string> labelColumnNames,
        string rowGroupColumnName = "GroupId", int truncation = 10)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(labelColumnNames);
        if (truncation < 1)
            throw new ArgumentException($"The truncation must be at least 1; got {truncation}.", nameof(truncation));
        var cached = mlContext.Data.Cache(data);
        int[] starts = ContiguousGroups.Require(cached, rowGroupColumnName, "ChanceNdcg");
        // Checks every label is a measurable grade, with a message naming the column, the row and the value.
        ObjectiveNdcg.EvaluatorOptions(cached, labelColumnNames, truncation);
        return labelColumnNames.Select(label =>
        {
            const string converted = "__ChanceNdcgLabel";
            float[] grades = mlContext.Transforms.Conversion.ConvertType(converted, label, DataKind.Single)
                .Fit(cached).Transform(cached).GetColumn<float>(converted).ToArray();
            return PerList(row => grades[row], starts, truncation);
        }).ToArray();
    }

    /// <summary>
    /// The chance point of a sample of queries: per objective, the mean of <paramref name="byQuery"/>'s values (as <see cref="ByQuery"/>
    /// lays them out), query q counted <c>counts[q]</c> times (a bootstrap resample), or each once when <paramref name="counts"/> is null.
    /// 0 for an objective without queries.
    /// </summary>
    /// <param name="byQuery">[objective][query] expected NDCG@k.</param>
    /// <param name="counts">How many times each query is drawn; null for once each.</param>
    public static double[] Point(IReadOnlyList<double[]> byQuery, int[]? counts = null)
    {
        ArgumentNullException.ThrowIfNull(byQuery);
        return byQuery.Select(values =>
        {
            if (counts is not null && counts.Length != values.Length)
                throw new ArgumentException($"{counts.Length} counts for {values.Length} queries; a resample gives one count per query.", nameof(counts));
            double sum = 0;
            long n = 0;
            for (int q = 0; q < values.Length; q++)
            {
                int c = counts?[q] ?? 1;
                sum += c * values[q];
                n += c;
            }
            return n == 0 ? 0 : sum / n;
        }).ToArray();
    }

    /// <summary>Each list's expected NDCG@<paramref name="k"/> under a uniformly random order (0 for a list without a positive label).</summary>
    /// <param name="label">The label of a row.</param>
    /// <param name="listStarts">List i covers rows listStarts[i] .. listStarts[i+1]-1.</param>
    /// <param name="k">Truncation.</param>
    internal static double[] PerList(Func<int, float> label, int[] listStarts, int k)
    {
        int lists = Math.Max(0, listStarts.Length - 1);
        var values = new double[lists];
        for (int i = 0; i < lists; i++)
        {
            int n = listStarts[i + 1] - listStarts[i];
            var gains = Enumerable.Range(listStarts[i], n).Select(r => NdcgGains.Of((int)label(r))).ToArray();
            var ideal = gains.OrderDescending().Take(k).Select((g, p) => g / Math.Log(p + 2)).Sum();
            if (ideal <= 0) continue;
            double discounts = Enumerable.Range(0, Math.Min(k, n)).Sum(p => 1 / Math.Log(p + 2));
            values[i] = gains.Average() * discounts / ideal;
        }
        return values;
    }
}
