using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Synthetic multi-objective ranking data shaped like MSLR-WEB30K: about 31.5k queries of about 120 documents, 136
/// features, relevance grades 0..4 in MSLR's proportions, and two auxiliary objectives correlated with relevance. The
/// view is lazy: rows are generated query by query while a cursor moves, so a data set of millions of rows takes no
/// memory until something copies it.
/// </summary>
/// <remarks>
/// <para><b>Columns</b>: <c>Features</c> (136 Single), <c>Label</c> (relevance 0..4), <c>Quality</c> and <c>Freshness</c>
/// (0..4), <c>GroupId</c> (key: query q is key q + 1; queries are contiguous).</para>
/// <para><b>Model</b>: 20 independent standard-normal base features; the other 116 are noisy copies of them (0.8 base +
/// 0.6 noise), as web features are correlated. Relevance is a standard-normal latent score: 0.6 times a fixed unit
/// direction of the base features, 0.5 times a per-query offset (some queries have many relevant documents) and 0.62 noise,
/// cut at the normal quantiles that give MSLR-WEB30K's label shares (51.4 % 0, 32.5 % 1, 13.4 % 2, 1.9 % 3, 0.8 % 4).
/// Quality and freshness are latent scores with correlation +0.3 and -0.2 to the relevance score (their own directions are orthogonal to relevance's), graded 0..4 at the
/// quintiles. Documents per query: normal, mean 120, standard deviation 40, clamped to 10..300. Every query is
/// generated from its own seed, so any range of queries is the same in every view.</para>
/// </remarks>
public static class WebScaleRankingData
{
    /// <summary>MSLR-WEB30K's query count.</summary>
    public const int FullQueryCount = 31_531;

    /// <summary>The feature count.</summary>
    public const int FeatureCount = 136;

    /// <summary>The objectives: relevance, then the auxiliary ones.</summary>
    public static readonly IReadOnlyList<string> Objectives = new[] { "Label", "Quality", "Freshness" };

    private const int BaseFeatures = 20;

    /// <summary>
    /// The queries [<paramref name="firstQuery"/>, <paramref name="firstQuery"/> + <paramref name="queryCount"/>) of the data set
    /// of <paramref name="totalQueries"/> queries generated from <paramref name="seed"/> (the key range of GroupId).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is empty or outside 0..<paramref name="totalQueries"/>.</exception>
    public static IDataView Generate(int firstQuery, int queryCount, int totalQueries = FullQueryCount, int seed = 1)
    {
        if (totalQueries < 1) throw new ArgumentOutOfRangeException(nameof(totalQueries), totalQueries, "Must be at least 1.");
        if (firstQuery < 0 || queryCount < 1 || (long)firstQuery + queryCount > totalQueries)
            throw new ArgumentOutOfRangeException(nameof(queryCount), queryCount, $"Queries {firstQuery}..{(long)firstQuery + queryCount - 1} are not within 0..{totalQueries - 1}.");
        return new View(firstQuery, queryCount, totalQueries, seed);
    }

    /// <summary>Train, validation and test splits of the first <paramref name="totalQueries"/> queries, 80 / 10 / 10 by query.</summary>
    public static (IDataView Train, IDataView Validation, IDataView Test) GenerateSplits(int totalQueries = FullQueryCount, int seed = 1)
    {
        if (totalQueries < 10) throw new ArgumentOutOfRangeException(nameof(totalQueries), totalQueries, "Must be at least 10.");
        int train = totalQueries * 8 / 10, validation = totalQueries / 10;
        return (Generate(0, train, totalQueries, seed), Generate(train, validation, totalQueries, seed),
            Generate(train + validation, totalQueries - train - validation, totalQueries, seed));
    }

    /// <summary>Documents of query <paramref name="query"/> (from its own seed).</summary>
    private static int Documents(int seed, int query) =>
        (int)Math.Clamp(Math.Round(120 + 40 * Normal(new Random(StreamSeed(seed, query, 0)))), 10, 300);

    /// <summary>
    /// A seed for one query's stream, the same in every process (HashCode.Combine is randomised per process):
    /// SplitMix64's finaliser over the three numbers.
    /// </summary>
    private static int StreamSeed(int seed, int query, int stream)
    {
        ulong z = ((ulong)(uint)seed << 32 | (uint)query) * 4 + (ulong)stream + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    // Standard-normal cut points: P(z >= c) = 48.6 %, 16.1 %, 2.7 %, 0.8 % (MSLR-WEB30K's labels >= 1, 2, 3, 4).
    private static readonly double[] RelevanceCuts = { 0.0351, 0.9904, 1.9268, 2.4089 };
    private static readonly double[] QuintileCuts = { -0.8416, -0.2533, 0.2533, 0.8416 };

    private static float Grade(double z, double[] cuts)
    {
        int g = 0;
        while (g < cuts.Length && z >= cuts[g]) g++;
        return g;
    }

    private sealed class View : IDataView
    {
        private readonly int _first, _count, _seed;
        private readonly long _rows;
        private readonly double[][] _directions;

        public View(int first, int count, int total, int seed)
        {
            _first = first;
            _count = count;
            _seed = seed;
            for (int q = first; q < first + count; q++) _rows += Documents(seed, q);
            // Three orthonormal directions (Gram-Schmidt), so that the auxiliary scores' correlation to relevance is
            // exactly the documented one.
            var random = new Random(seed);
            _directions = new double[3][];
            for (int k = 0; k < 3; k++)
            {
                var d = Enumerable.Range(0, BaseFeatures).Select(_ => Normal(random)).ToArray();
                for (int p = 0; p < k; p++)
                {
                    double dot = d.Zip(_directions[p]).Sum(t => t.First * t.Second);
                    for (int j = 0; j < BaseFeatures; j++) d[j] -= dot * _directions[p][j];
                }
                double norm = Math.Sqrt(d.Sum(v => v * v));
                _directions[k] = d.Select(v => v / norm).ToArray();
            }
            var builder = new DataViewSchema.Builder();
            builder.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, FeatureCount));
            foreach (string objective in Objectives) builder.AddColumn(objective, NumberDataViewType.Single);
            builder.AddColumn("GroupId", new KeyDataViewType(typeof(uint), total));
            Schema = builder.ToSchema();
        }

        public bool CanShuffle => false;
        public DataViewSchema Schema { get; }
        public long? GetRowCount() => _rows;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            new[] { GetRowCursor(columnsNeeded, rand) };

        /// <summary>Generates one query at a time into reused buffers.</summary>
        private sealed class Cursor : DataViewRowCursor
        {
            private readonly View _view;
            private readonly float[] _x = new float[300 * FeatureCount];
            private readonly float[][] _labels = { new float[300], new float[300], new float[300] };
            private int _query = -1, _documents, _row;
            private long _position = -1;

            public Cursor(View view) => _view = view;

            public override DataViewSchema Schema => _view.Schema;
            public override long Position => _position;
            public override long Batch => 0;
            public override bool IsColumnActive(DataViewSchema.Column column) => true;
            public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

            public override bool MoveNext()
            {
                if (++_row >= _documents)
                {
                    if (++_query >= _view._count) return false;
                    Fill(_view._first + _query);
                    _row = 0;
                }
                _position++;
                return true;
            }

            private void Fill(int query)
            {
                int seed = _view._seed;
                _documents = Documents(seed, query);
                var random = new Random(StreamSeed(seed, query, 1));
                double offset = Normal(random);
                var d = _view._directions;
                Span<double> x = stackalloc double[BaseFeatures];
                for (int i = 0; i < _documents; i++)
                {
                    for (int j = 0; j < BaseFeatures; j++) x[j] = Normal(random);
                    double r = 0, q = 0, f = 0;
                    for (int j = 0; j < BaseFeatures; j++) { r += d[0][j] * x[j]; q += d[1][j] * x[j]; f += d[2][j] * x[j]; }
                    // Latent scores of unit variance with the documented correlations to relevance.
                    double relevance = 0.6 * r + 0.5 * offset + 0.6245 * Normal(random);
                    double quality = 0.3 * relevance + 0.954 * (0.8 * q + 0.6 * Normal(random));
                    double freshness = -0.2 * relevance + 0.98 * (0.8 * f + 0.6 * Normal(random));
                    _labels[0][i] = Grade(relevance, RelevanceCuts);
                    _labels[1][i] = Grade(quality, QuintileCuts);
                    _labels[2][i] = Grade(freshness, QuintileCuts);
                    // Features are drawn even when only labels are read, so that the random stream (and the labels) never change.
                    var row = _x.AsSpan(i * FeatureCount, FeatureCount);
                    for (int j = 0; j < BaseFeatures; j++) row[j] = (float)x[j];
                    for (int j = BaseFeatures; j < FeatureCount; j++) row[j] = (float)(0.8 * x[j % BaseFeatures] + 0.6 * Normal(random));
                }
            }

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                Delegate getter = column.Index switch
                {
                    0 => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                    {
                        var editor = VBufferEditor.Create(ref value, FeatureCount);
                        _x.AsSpan(_row * FeatureCount, FeatureCount).CopyTo(editor.Values);
                        value = editor.Commit();
                    }),
                    1 or 2 or 3 => (ValueGetter<float>)((ref float value) => value = _labels[column.Index - 1][_row]),
                    4 => (ValueGetter<uint>)((ref uint value) => value = (uint)(_view._first + _query + 1)),
                    _ => throw new ArgumentOutOfRangeException(nameof(column)),
                };
                return getter as ValueGetter<TValue>
                    ?? throw new InvalidOperationException($"Column '{column.Name}' is of type {column.Type}; asked for {typeof(TValue).Name}.");
            }
        }
    }
}
