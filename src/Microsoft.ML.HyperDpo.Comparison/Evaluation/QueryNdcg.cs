using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>
/// One method's NDCG@k on one split's test data, query by query, at every grid weight and for every objective: what a bootstrap
/// over test queries resamples. Their mean over the queries is the NDCG@k of <see cref="MethodRun.TestProfile"/> (ML.NET's
/// evaluator, recomputed here in float64 the same way, ties ranked worst label first).
/// </summary>
public sealed class QueryNdcg
{
    private readonly double[][][] _values;

    internal QueryNdcg(double[][][] values, int ndcgAt)
    {
        _values = values;
        NdcgAt = ndcgAt;
        QueryCount = values.Length == 0 || values[0].Length == 0 ? 0 : values[0][0].Length;
    }

    /// <summary>The k of NDCG@k.</summary>
    public int NdcgAt { get; }

    /// <summary>How many test queries.</summary>
    public int QueryCount { get; }

    /// <summary>NDCG@k of objective <paramref name="objective"/> at grid point <paramref name="point"/>, one value per query in data order.</summary>
    public IReadOnlyList<double> At(int point, int objective) => _values[point][objective];

    /// <summary>The mean NDCG@k of objective <paramref name="objective"/> at grid point <paramref name="point"/> over a resample of the queries given as counts.</summary>
    public double Mean(int point, int objective, int[] counts) => Bootstrap.WeightedMean(_values[point][objective], counts);

    /// <summary>Every objective's mean NDCG@k at every grid point over a resample of the queries given as counts: [point][objective].</summary>
    public double[][] Means(int[] counts) =>
        _values.Select(point => point.Select(objective => Bootstrap.WeightedMean(objective, counts)).ToArray()).ToArray();

    /// <summary>Scores <paramref name="data"/> at every weight of <paramref name="grid"/> and measures each query's NDCG@<paramref name="ndcgAt"/> per objective.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="modelAt">The ranker for given weights; it adds <paramref name="scoreColumnName"/>.</param>
    /// <param name="data">Test data, each group's rows contiguous.</param>
    /// <param name="labelColumnNames">One label column per objective.</param>
    /// <param name="rowGroupColumnName">The group key column.</param>
    /// <param name="scoreColumnName">The score column the rankers add.</param>
    /// <param name="grid">The weights.</param>
    /// <param name="ndcgAt">The truncation k.</param>
    public static QueryNdcg Measure(MLContext mlContext, Func<float[], ITransformer> modelAt, IDataView data, IReadOnlyList<string> labelColumnNames,
        string rowGroupColumnName, string scoreColumnName, IReadOnlyList<float[]> grid, int ndcgAt)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(modelAt);
        ArgumentNullException.ThrowIfNull(data);
        var cached = mlContext.Data.Cache(data);
        int[] starts = ContiguousGroups.Require(cached, rowGroupColumnName, "QueryNdcg.Measure");
        var labels = labelColumnNames.Select(label => mlContext.Transforms.Conversion.ConvertType("__QueryNdcgLabel", label, DataKind.Single)
            .Fit(cached).Transform(cached).GetColumn<float>("__QueryNdcgLabel").ToArray()).ToArray();
        var values = new double[grid.Count][][];
        for (int p = 0; p < grid.Count; p++)
        {
            var scored = modelAt((float[])grid[p].Clone()).Transform(cached);
            float[] scores = scored.GetColumn<float>(scoreColumnName).ToArray();
            values[p] = labels.Select(l => ListNdcg.PerList(scores, row => l[row], starts, ndcgAt)).ToArray();
        }
        return new QueryNdcg(values, ndcgAt);
    }
}
