namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Settings of <see cref="SyntheticRankingData"/>. The defaults give a LETOR-sized set (300 queries of 5 to 60
/// documents, 20 features) whose two objectives conflict mildly (correlation -0.3 before noise).
/// </summary>
public sealed class SyntheticRankingDataOptions
{
    /// <summary>Number of queries (groups), at least 3 for <see cref="SyntheticRankingData.GenerateSplits"/>. Default 300.</summary>
    public int Queries { get; set; } = 300;

    /// <summary>Fewest documents of a query, at least 1. Default 5.</summary>
    public int MinDocuments { get; set; } = 5;

    /// <summary>Most documents of a query (the count is uniform between the bounds), at least <see cref="MinDocuments"/>. Default 60.</summary>
    public int MaxDocuments { get; set; } = 60;

    /// <summary>Length of the feature vector, at least 2. Default 20.</summary>
    public int Features { get; set; } = 20;

    /// <summary>
    /// Cosine between the directions u and v that the two latent objectives read from the features, in [-1, 1];
    /// it is the correlation of the noise-free latent scores. Negative values make the objectives conflict.
    /// Default -0.3.
    /// </summary>
    public double ObjectiveCorrelation { get; set; } = -0.3;

    /// <summary>Standard deviation of the Gaussian noise added to each latent score (which has variance 1 before noise), at least 0. Default 0.5.</summary>
    public double NoiseStandardDeviation { get; set; } = 0.5;

    /// <summary>Share of the queries in the training split of <see cref="SyntheticRankingData.GenerateSplits"/>, in (0, 1). Default 0.6.</summary>
    public double TrainFraction { get; set; } = 0.6;

    /// <summary>Share of the queries in the validation split of <see cref="SyntheticRankingData.GenerateSplits"/>; the test split gets the rest. Default 0.2.</summary>
    public double ValidationFraction { get; set; } = 0.2;

    /// <summary>Share of each query's documents graded 2 (the best by latent relevance). Default 0.1.</summary>
    public double HighlyRelevantFraction { get; set; } = 0.1;

    /// <summary>Share of each query's documents graded 1 or 2; the rest are 0. At least <see cref="HighlyRelevantFraction"/>. Default 0.3.</summary>
    public double RelevantFraction { get; set; } = 0.3;

    /// <summary>Share of the queries whose documents are all graded 0 (as in LETOR, where about a quarter of MQ2008's queries have no
    /// relevant document). Default 0.</summary>
    public double NoRelevantQueryFraction { get; set; }

    /// <summary>How the latent relevance is read from the features. Default <see cref="SyntheticRelevance.Linear"/>.</summary>
    public SyntheticRelevance Relevance { get; set; } = SyntheticRelevance.Linear;

    /// <summary>
    /// The long-list shape on which a ranker's relevance corner is hardest to hold: 200 queries of 20 to 300 documents (160 on
    /// average), 30 features, relevance given by threshold rules on pairs of features (<see cref="SyntheticRelevance.Rules"/>, which
    /// trees capture and a smooth network must approximate), 3 grades with 3% graded 2 and 7% graded 1 (90% ties at 0), a quarter of
    /// the queries with no relevant document, and a secondary objective that reads the rules' features linearly (cosine +0.9 between
    /// its direction and theirs): correlated with relevance, and easier to learn.
    /// </summary>
    public static SyntheticRankingDataOptions LongLists(int seed = 0) => new()
    {
        Queries = 200,
        MinDocuments = 20,
        MaxDocuments = 300,
        Features = 30,
        Relevance = SyntheticRelevance.Rules,
        ObjectiveCorrelation = 0.9,
        NoiseStandardDeviation = 0.5,
        HighlyRelevantFraction = 0.03,
        RelevantFraction = 0.1,
        NoRelevantQueryFraction = 0.25,
        Seed = seed,
    };

    /// <summary>Seed of the generator: equal options give equal data, on every platform. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Checks every setting; throws naming the first bad one.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range.</exception>
    public void Validate()
    {
        if (Queries < 1)
            throw new ArgumentOutOfRangeException(nameof(Queries), Queries, "Queries must be at least 1.");
        if (MinDocuments < 1)
            throw new ArgumentOutOfRangeException(nameof(MinDocuments), MinDocuments, "MinDocuments must be at least 1.");
        if (MaxDocuments < MinDocuments)
            throw new ArgumentOutOfRangeException(nameof(MaxDocuments), MaxDocuments, $"MaxDocuments must be at least MinDocuments ({MinDocuments}).");
        if (Features < 2)
            throw new ArgumentOutOfRangeException(nameof(Features), Features, "Features must be at least 2 (the two objective directions need two dimensions).");
        if (!(ObjectiveCorrelation >= -1 && ObjectiveCorrelation <= 1))
            throw new ArgumentOutOfRangeException(nameof(ObjectiveCorrelation), ObjectiveCorrelation, "ObjectiveCorrelation must be within [-1, 1].");
        if (!(NoiseStandardDeviation >= 0) || double.IsInfinity(NoiseStandardDeviation))
            throw new ArgumentOutOfRangeException(nameof(NoiseStandardDeviation), NoiseStandardDeviation, "NoiseStandardDeviation must be finite and at least 0.");
        if (!(HighlyRelevantFraction >= 0 && HighlyRelevantFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(HighlyRelevantFraction), HighlyRelevantFraction, "HighlyRelevantFraction must be within [0, 1].");
        if (!(RelevantFraction >= HighlyRelevantFraction && RelevantFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(RelevantFraction), RelevantFraction, $"RelevantFraction must be within [HighlyRelevantFraction ({HighlyRelevantFraction}), 1].");
        if (!(NoRelevantQueryFraction >= 0 && NoRelevantQueryFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(NoRelevantQueryFraction), NoRelevantQueryFraction, "NoRelevantQueryFraction must be within [0, 1).");
        if (!Enum.IsDefined(Relevance))
            throw new ArgumentOutOfRangeException(nameof(Relevance), Relevance, $"Relevance must be one of {string.Join(", ", Enum.GetNames<SyntheticRelevance>())}.");
        if (!(TrainFraction > 0 && TrainFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(TrainFraction), TrainFraction, "TrainFraction must be within (0, 1).");
        if (!(ValidationFraction > 0 && TrainFraction + ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, $"ValidationFraction must be above 0 and leave a test share (TrainFraction is {TrainFraction}).");
    }
}
