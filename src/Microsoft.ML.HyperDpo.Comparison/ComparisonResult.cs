using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>Everything <see cref="ParetoComparison.Run"/> measured: each method on each split, and their summaries.</summary>
public sealed class ComparisonResult
{
    internal ComparisonResult(IReadOnlyList<string> objectives, IReadOnlyList<float[]> grid, IReadOnlyList<string> splits,
        IReadOnlyList<(string Key, string Name)> methods, IReadOnlyList<MethodRun> runs, ParetoProfileOptions profileOptions, TimeSpan wallTime,
        IReadOnlyList<int> seeds, int bootstrapReplicates, int bootstrapSeed, IReadOnlyList<double[][]> chanceByQuery)
    {
        if (chanceByQuery.Count != splits.Count || chanceByQuery.Any(c => c.Length != objectives.Count))
            throw new ArgumentException($"Each split's per-query chance NDCG of {objectives.Count} objectives is needed; got {chanceByQuery.Count} for {splits.Count} splits.", nameof(chanceByQuery));
        Seeds = seeds;
        ChanceByQuery = chanceByQuery;
        ChancePoints = chanceByQuery.Select(split => ChanceNdcg.Point(split)).ToList();
        BootstrapReplicates = bootstrapReplicates;
        BootstrapSeed = bootstrapSeed;
        _ratios = new Lazy<IReadOnlyList<MethodRatios>>(() => BaselineRatios.Of(this, BaselineRatios.DefaultBaselineKey, bootstrapReplicates, bootstrapSeed));
        _targets = new Lazy<IReadOnlyList<TargetLine>>(() => ComparisonTargets.Of(this));
        Objectives = objectives;
        Grid = grid;
        Splits = splits;
        Methods = methods.Select(m => m.Name).ToList();
        MethodKeys = methods.Select(m => m.Key).ToList();
        Runs = runs;
        WallTime = wallTime;
        NdcgAt = profileOptions.NdcgAt;
        // Exact, as benchmark-conditioning's figure from chance: the hypervolume helper with the split's chance point as reference.
        _fromChance = runs.ToDictionary<MethodRun, MethodRun, double>(r => r, r => Hypervolume.Compute(r.TestProfile.VectorsAt(NdcgAt), ChancePoints[IndexOfSplit(r.Split)]),
            ReferenceEqualityComparer.Instance);
        Summaries = methods.Select(m => Summarise(m, profileOptions)).ToList();
    }

    /// <summary>The objectives (label column names), in the order of the weights.</summary>
    public IReadOnlyList<string> Objectives { get; }

    /// <summary>The weights every method was trained and measured at.</summary>
    public IReadOnlyList<float[]> Grid { get; }

    /// <summary>The seeds every method that draws at random was fitted with on each split.</summary>
    public IReadOnlyList<int> Seeds { get; }

    /// <summary>Resamples behind each interval of <see cref="Ratios"/> and <see cref="CornerGap"/>.</summary>
    public int BootstrapReplicates { get; }

    /// <summary>Seed of the bootstrap resampling (the comparison's first seed).</summary>
    public int BootstrapSeed { get; }

    /// <summary>
    /// Every other method against the FastTree score soup (<see cref="BaselineRatios.DefaultBaselineKey"/>): hypervolume and corner
    /// ratios, mean over fold x seed runs, with paired 95% bootstrap intervals over test queries and seeds (<see cref="BaselineRatios"/>).
    /// Empty without the soup. Computed on first use.
    /// </summary>
    public IReadOnlyList<MethodRatios> Ratios => _ratios.Value;

    private readonly Lazy<IReadOnlyList<MethodRatios>> _ratios;

    /// <summary>
    /// The benchmark targets of HyperDPO against the FastTree baselines, decided on this comparison's figures (<see cref="ComparisonTargets.Of"/>): pass, miss by how much, or not
    /// available when a method a target needs did not run. Computed on first use.
    /// </summary>
    public IReadOnlyList<TargetLine> Targets => _targets.Value;

    private readonly Lazy<IReadOnlyList<TargetLine>> _targets;

    /// <summary>
    /// Each split's chance point, in <see cref="Splits"/> order: every objective's expected NDCG@<see cref="NdcgAt"/> when each test
    /// query's documents are ranked in a uniformly random order (<see cref="ChanceNdcg"/>, exact from the test labels).
    /// </summary>
    public IReadOnlyList<double[]> ChancePoints { get; }

    /// <summary>
    /// Each split's expected NDCG@<see cref="NdcgAt"/> of a uniformly random ranking query by query, [split][objective][query], in
    /// <see cref="Splits"/> order and each split's test data order (<see cref="ChanceNdcg.ByQuery"/>): <see cref="ChancePoints"/> are their
    /// means, and a bootstrap over test queries recomputes the chance point from the same drawn queries as the fronts.
    /// </summary>
    public IReadOnlyList<double[][]> ChanceByQuery { get; }

    private readonly Dictionary<MethodRun, double> _fromChance;

    /// <summary>
    /// The exact hypervolume of <paramref name="run"/>'s NDCG@<see cref="NdcgAt"/> points with its split's chance point
    /// (<see cref="ChancePoints"/>) as reference: only what the method does better than a random ranking on every objective counts.
    /// </summary>
    /// <param name="run">One of <see cref="Runs"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="run"/> is not one of this comparison's runs.</exception>
    public double HypervolumeFromChance(MethodRun run) => _fromChance.TryGetValue(run, out double volume) ? volume
        : throw new ArgumentException($"The run of {run.Method} on {run.Split} is not one of this comparison's runs.", nameof(run));

    /// <summary>The index of <paramref name="split"/> in <see cref="Splits"/>.</summary>
    internal int IndexOfSplit(string split)
    {
        int index = Splits.ToList().IndexOf(split);
        return index >= 0 ? index : throw new ArgumentException($"A run names split '{split}', which is not one of {string.Join(", ", Splits)}.");
    }

    /// <summary>The splits' names, in run order.</summary>
    public IReadOnlyList<string> Splits { get; }

    /// <summary>The methods' names, in report order.</summary>
    public IReadOnlyList<string> Methods { get; }

    /// <summary>The methods' keys, in <see cref="Methods"/> order.</summary>
    public IReadOnlyList<string> MethodKeys { get; }

    /// <summary>Each method on each split, at each seed (once per split for a method that draws nothing at random).</summary>
    public IReadOnlyList<MethodRun> Runs { get; }

    /// <summary>One summary per method, in <see cref="Methods"/> order.</summary>
    public IReadOnlyList<MethodSummary> Summaries { get; }

    /// <summary>The k of the NDCG@k that defines the fronts.</summary>
    public int NdcgAt { get; }

    /// <summary>Wall time of the whole comparison (data already loaded).</summary>
    public TimeSpan WallTime { get; }

    /// <summary>The summary of the method named <paramref name="method"/>.</summary>
    /// <exception cref="ArgumentException">No method has that name.</exception>
    public MethodSummary Summary(string method) => Summaries.FirstOrDefault(s => s.Method == method)
        ?? throw new ArgumentException($"No method '{method}' in this comparison; it ran {string.Join(", ", Methods)}.", nameof(method));

    /// <summary>The summary of the method whose key is <paramref name="key"/>, or null when it did not run.</summary>
    public MethodSummary? SummaryByKey(string key) => Summaries.FirstOrDefault(s => s.Key == key);

    private MethodSummary Summarise((string Key, string Name) method, ParetoProfileOptions profileOptions)
    {
        var runs = Runs.Where(r => r.Key == method.Key).ToList();
        int depth = runs[0].TestProfile.Points[0].Ndcg[0].Length;
        var mean = new List<WeightedNdcg>();
        var std = new List<WeightedNdcg>();
        for (int p = 0; p < Grid.Count; p++)
        {
            var m = new double[Objectives.Count][];
            var s = new double[Objectives.Count][];
            for (int k = 0; k < Objectives.Count; k++)
            {
                m[k] = new double[depth];
                s[k] = new double[depth];
                for (int t = 0; t < depth; t++)
                {
                    var stat = MeanStd.Of(runs.Select(r => r.TestProfile.Points[p].Ndcg[k][t]));
                    m[k][t] = stat.Mean;
                    s[k][t] = stat.Std;
                }
            }
            mean.Add(new WeightedNdcg(Grid[p], m));
            std.Add(new WeightedNdcg(Grid[p], s));
        }
        return new MethodSummary(
            method.Key,
            method.Name,
            MeanStd.Of(runs.Select(r => r.TestProfile.Hypervolume)),
            MeanStd.Of(runs.Select(HypervolumeFromChance)),
            MeanStd.Of(runs.Select(r => r.TrainingTime.TotalSeconds)),
            MeanStd.Of(runs.Select(r => r.ScoringTime.TotalSeconds)),
            runs[0].Fits,
            ParetoProfiler.FromPoints(Objectives, mean, profileOptions),
            std);
    }
}
