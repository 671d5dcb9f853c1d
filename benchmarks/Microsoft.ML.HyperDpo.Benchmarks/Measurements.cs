using System.Diagnostics;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Benchmarks;

/// <summary>The measurements several benchmarks take: scoring throughput over a replicated test set, and TorchSharp's matmul rate.</summary>
internal static class Measurements
{
    /// <summary>The rows of <paramref name="data"/>'s Features column repeated to at least <paramref name="targetRows"/> rows, cached.</summary>
    public static IDataView Replicate(MLContext ml, IDataView data, int targetRows)
    {
        var features = data.GetColumn<float[]>("Features").ToArray();
        var rows = new List<ScoringRow>(targetRows);
        while (rows.Count < targetRows)
            rows.AddRange(features.Select(f => new ScoringRow { Features = f }));
        var schema = SchemaDefinition.Create(typeof(ScoringRow));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features[0].Length);
        return ml.Data.Cache(ml.Data.LoadFromEnumerable(rows, schema));
    }

    /// <summary>One row to score: a feature vector.</summary>
    internal sealed class ScoringRow { public float[] Features { get; set; } = Array.Empty<float>(); }

    /// <summary>Rows per second of one pass of a cursor over <paramref name="scored"/>'s Score column.</summary>
    public static double RowsPerSecond(IDataView scored)
    {
        var column = scored.Schema["Score"];
        var clock = Stopwatch.StartNew();
        long rows = 0;
        float sum = 0;
        using (var cursor = scored.GetRowCursor(new[] { column }))
        {
            var getter = cursor.GetGetter<float>(column);
            float value = 0;
            while (cursor.MoveNext()) { getter(ref value); sum += value; rows++; }
        }
        return rows / clock.Elapsed.TotalSeconds;
    }

    /// <summary>TorchSharp's fp32 1024x1024 matmul rate, with <paramref name="threads"/> LibTorch threads when given (restored afterwards).</summary>
    public static double MatmulRate(int? threads = null)
    {
        int previous = get_num_threads();
        if (threads is int t) set_num_threads(t);
        try
        {
            const int n = 1024, repeats = 10;
            using var a = randn(n, n);
            using var b = randn(n, n);
            using (var warm = a.mm(b)) { }
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < repeats; i++) using (var c = a.mm(b)) { }
            return 2.0 * n * n * n * repeats / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            set_num_threads(previous);
        }
    }
}
