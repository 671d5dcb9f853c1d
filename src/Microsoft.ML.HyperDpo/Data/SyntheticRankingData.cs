using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Generates a multi-objective learning-to-rank data set with two conflicting, learnable objectives:
/// the command line's built-in default data and a test bed that needs no download.
/// </summary>
/// <remarks>
/// <para><b>Generative model</b> (all randomness from one <see cref="Random"/> seeded with
/// <see cref="SyntheticRankingDataOptions.Seed"/>, whose seeded sequence is the same on every platform and .NET version):</para>
/// <list type="number">
/// <item><description>Two unit directions in feature space: u uniformly random, and v = c u + sqrt(1 - c^2) w with w a random unit
/// vector orthogonal to u and c = <see cref="SyntheticRankingDataOptions.ObjectiveCorrelation"/>, so u . v = c exactly.</description></item>
/// <item><description>For each of the Q queries, a document count n uniform in [MinDocuments, MaxDocuments]; for each document, features
/// x ~ N(0, I) of length F, a latent relevance r = x . u + s e1 and a latent quality q = x . v + s e2, with e1, e2 ~ N(0, 1) and
/// s = <see cref="SyntheticRankingDataOptions.NoiseStandardDeviation"/>. Hence corr(r, q) = c / (1 + s^2) (-0.24 by default).</description></item>
/// <item><description>With <see cref="SyntheticRankingDataOptions.Relevance"/> = <see cref="SyntheticRelevance.Rules"/>, r is instead the
/// (unit-variance) sum of threshold rules on pairs of features plus s e1, and v = c u' + sqrt(1 - c^2) w' with u' the unit
/// vector of the rules' features (by weight) and w' a random unit vector orthogonal to it: quality stays linear in the features and
/// correlated with relevance.</description></item>
/// <item><description>Relevance is graded within the query, like LETOR's mostly-irrelevant lists: sort the documents by r, best first;
/// the document at position k (from 0) gets 2 if (k + 0.5) / n &lt; <see cref="SyntheticRankingDataOptions.HighlyRelevantFraction"/> (0.1),
/// 1 if it is &lt; <see cref="SyntheticRankingDataOptions.RelevantFraction"/> (0.3), else 0 (by default about 10% / 20% / 70%;
/// every query with two or more documents has a relevant one, queries of six or more have a grade 2). A share
/// <see cref="SyntheticRankingDataOptions.NoRelevantQueryFraction"/> of the queries (drawn per query) has only grade 0.</description></item>
/// <item><description>Quality is graded within the query into 0..4 by the rule of <see cref="FeatureRankObjectiveEstimator"/> applied to q
/// (higher is better): with no ties, grade = min(4, floor(5 k / (n - 1))) for the document with k documents below it; a lone document gets 0.</description></item>
/// </list>
/// <para><b>Output columns</b></para>
/// <list type="table">
/// <item><term><c>Features</c></term><description>vector of <see cref="float"/>, length F.</description></item>
/// <item><term><c>Relevance</c></term><description><see cref="float"/>, 0..2: the primary objective.</description></item>
/// <item><term><c>Quality</c></term><description><see cref="float"/>, 0..4: the secondary objective.</description></item>
/// <item><term><c>GroupId</c></term><description>key (<see cref="uint"/> raw type, Q values): query q (from 0) is key q + 1, the same in every split.</description></item>
/// </list>
/// <para>Rows come query by query (contiguous groups, as <c>mlContext.Ranking.Evaluate</c> needs); documents within a query are in random order.</para>
/// </remarks>
public static class SyntheticRankingData
{
    /// <summary>Name of the feature vector column.</summary>
    public const string FeaturesColumnName = "Features";

    /// <summary>Name of the primary objective's label column (grades 0..2).</summary>
    public const string RelevanceColumnName = "Relevance";

    /// <summary>Name of the secondary objective's label column (grades 0..4).</summary>
    public const string QualityColumnName = "Quality";

    /// <summary>Name of the query key column.</summary>
    public const string GroupIdColumnName = "GroupId";

    /// <summary>Generates the whole data set as one view (see the remarks of <see cref="SyntheticRankingData"/>).</summary>
    /// <param name="mlContext">The context whose data catalog builds the view.</param>
    /// <param name="options">The settings; null for the defaults.</param>
    /// <returns>All queries, with the columns <c>Features</c>, <c>Relevance</c>, <c>Quality</c> and <c>GroupId</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (named in the message).</exception>
    public static IDataView Generate(MLContext mlContext, SyntheticRankingDataOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        options ??= new SyntheticRankingDataOptions();
        options.Validate();
        var queries = GenerateQueries(options);
        return ToDataView(mlContext, options, queries.SelectMany(q => q).ToList());
    }

    /// <summary>
    /// Generates the data set (the same as <see cref="Generate"/> with the same options) and splits it by query:
    /// the first <see cref="SyntheticRankingDataOptions.TrainFraction"/> of the queries (rounded) for training,
    /// the next <see cref="SyntheticRankingDataOptions.ValidationFraction"/> for validation, the rest for testing.
    /// </summary>
    /// <param name="mlContext">The context whose data catalog builds the views.</param>
    /// <param name="options">The settings; null for the defaults.</param>
    /// <returns>The three views.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range, or a split would get no query.</exception>
    public static SyntheticRankingSplits GenerateSplits(MLContext mlContext, SyntheticRankingDataOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        options ??= new SyntheticRankingDataOptions();
        options.Validate();
        int train = (int)Math.Round(options.Queries * options.TrainFraction);
        int validation = (int)Math.Round(options.Queries * options.ValidationFraction);
        int test = options.Queries - train - validation;
        if (train < 1 || validation < 1 || test < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.Queries,
                $"Queries = {options.Queries} gives {train} training, {validation} validation and {test} test queries; each split needs at least one.");

        var queries = GenerateQueries(options);
        IDataView Slice(int skip, int take) => ToDataView(mlContext, options, queries.Skip(skip).Take(take).SelectMany(q => q).ToList());
        return new SyntheticRankingSplits(Slice(0, train), Slice(train, validation), Slice(train + validation, test));
    }

    private static List<Document[]> GenerateQueries(SyntheticRankingDataOptions options)
    {
        var random = new Random(options.Seed);
        int f = options.Features;
        double c = options.ObjectiveCorrelation;
        double noise = options.NoiseStandardDeviation;

        double[] u = Normalise(NormalVector(random, f));
        double[] w = NormalVector(random, f);
        double along = Dot(w, u);
        for (int j = 0; j < f; j++)
            w[j] -= along * u[j];
        w = Normalise(w);
        double[] v = new double[f];
        for (int j = 0; j < f; j++)
            v[j] = c * u[j] + Math.Sqrt(1 - c * c) * w[j];

        // Drawn only for the rules, so that linear data is the same as it always was for a seed.
        var rules = options.Relevance == SyntheticRelevance.Rules ? RelevanceRules.Draw(random, f) : null;
        if (rules is not null)
        {
            // The quality direction leans on the rules' features (u), so the two objectives are correlated.
            double[] across = OrthogonalPart(w, rules.Direction);
            for (int j = 0; j < f; j++)
                v[j] = c * rules.Direction[j] + Math.Sqrt(1 - c * c) * across[j];
        }

        var queries = new List<Document[]>(options.Queries);
        for (int q = 0; q < options.Queries; q++)
        {
            int n = random.Next(options.MinDocuments, options.MaxDocuments + 1);
            var documents = new Document[n];
            var relevance = new double[n];
            var quality = new float[n];
            for (int d = 0; d < n; d++)
            {
                double[] x = NormalVector(random, f);
                relevance[d] = (rules?.Score(x) ?? Dot(x, u)) + noise * Normal(random);
                quality[d] = (float)(Dot(x, v) + noise * Normal(random));
                documents[d] = new Document { Features = Array.ConvertAll(x, xi => (float)xi), GroupId = (uint)q };
            }

            var byRelevance = Enumerable.Range(0, n).OrderByDescending(d => relevance[d]).ToArray();
            // No draw at fraction 0, so that data without such queries is the same as it always was for a seed.
            bool noneRelevant = options.NoRelevantQueryFraction > 0 && random.NextDouble() < options.NoRelevantQueryFraction;
            for (int k = 0; k < n; k++)
            {
                double position = (k + 0.5) / n;
                documents[byRelevance[k]].Relevance = noneRelevant ? 0
                    : position < options.HighlyRelevantFraction ? 2 : position < options.RelevantFraction ? 1 : 0;
            }

            var qualityGrades = new int[n];
            FeatureRankGrading.GradeGroup(quality, FeatureDirection.HigherIsBetter, grades: 5, qualityGrades);
            for (int d = 0; d < n; d++)
                documents[d].Quality = qualityGrades[d];
            queries.Add(documents);
        }
        return queries;
    }

    /// <summary>The unit vector along the part of <paramref name="a"/> orthogonal to the unit vector <paramref name="unit"/>.</summary>
    private static double[] OrthogonalPart(double[] a, double[] unit)
    {
        double along = Dot(a, unit);
        return Normalise(a.Select((x, j) => x - along * unit[j]).ToArray());
    }

    /// <summary>The threshold rules of <see cref="SyntheticRelevance.Rules"/>.</summary>
    private sealed class RelevanceRules
    {
        private const int Count = 8;
        private readonly (int I, int J, double Ti, double Tj, double Weight)[] _rules;
        private readonly double _scale;

        private RelevanceRules((int, int, double, double, double)[] rules, double scale, double[] direction)
        {
            _rules = rules;
            _scale = scale;
            Direction = direction;
        }

        /// <summary>Unit vector over the features the rules read, each by its rules' total weight.</summary>
        public double[] Direction { get; }

        public static RelevanceRules Draw(Random random, int features)
        {
            var rules = new (int, int, double, double, double)[Count];
            var direction = new double[features];
            for (int m = 0; m < Count; m++)
            {
                int i = random.Next(features), j = random.Next(features - 1);
                if (j >= i) j++;
                double weight = 0.5 + random.NextDouble();
                rules[m] = (i, j, -0.5 + 1.5 * random.NextDouble(), -0.5 + 1.5 * random.NextDouble(), weight);
                direction[i] += weight;
                direction[j] += weight;
            }
            // The scale that gives the rules' sum unit variance, from a fixed sample of the latent features (its own seeded stream,
            // so that it draws nothing from the data's).
            var sample = new Random(0x5eed);
            var scores = Enumerable.Range(0, 4000).Select(_ => Sum(rules, NormalVector(sample, features))).ToArray();
            double mean = scores.Average();
            double sd = Math.Sqrt(scores.Sum(s => (s - mean) * (s - mean)) / scores.Length);
            return new RelevanceRules(rules, sd > 0 ? 1 / sd : 1, Normalise(direction));
        }

        public double Score(double[] z) => _scale * Sum(_rules, z);

        private static double Sum((int I, int J, double Ti, double Tj, double Weight)[] rules, double[] z)
        {
            double sum = 0;
            foreach (var (i, j, ti, tj, weight) in rules)
                if (z[i] > ti && z[j] > tj) sum += weight;
            return sum;
        }
    }

    private static IDataView ToDataView(MLContext mlContext, SyntheticRankingDataOptions options, List<Document> rows)
    {
        var definition = SchemaDefinition.Create(typeof(Document));
        definition[nameof(Document.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, options.Features);
        // The field holds the 0-based query index; ML.NET stores key fields of classes as index + 1.
        definition[nameof(Document.GroupId)].ColumnType = new KeyDataViewType(typeof(uint), options.Queries);
        return mlContext.Data.LoadFromEnumerable(rows, definition);
    }

    private static double Normal(Random random)
    {
        // Box-Muller; 1 - NextDouble() lies in (0, 1], so the logarithm is finite.
        double radius = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
        return radius * Math.Cos(2 * Math.PI * random.NextDouble());
    }

    private static double[] NormalVector(Random random, int length)
    {
        var x = new double[length];
        for (int j = 0; j < length; j++)
            x[j] = Normal(random);
        return x;
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int j = 0; j < a.Length; j++)
            sum += a[j] * b[j];
        return sum;
    }

    private static double[] Normalise(double[] a)
    {
        double norm = Math.Sqrt(Dot(a, a));
        return Array.ConvertAll(a, x => x / norm);
    }

    /// <summary>One generated row; public fields because ML.NET's class-to-view mapping reads them by reflection.</summary>
    private sealed class Document
    {
        public float[] Features = [];
        public float Relevance;
        public float Quality;
        public uint GroupId;
    }
}
