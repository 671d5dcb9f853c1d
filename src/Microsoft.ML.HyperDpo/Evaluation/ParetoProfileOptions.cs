namespace Microsoft.ML.HyperDpo.Evaluation;

/// <summary>How the hypervolume of a profiled front is computed.</summary>
public enum HypervolumeMethod
{
    /// <summary>
    /// Exact (<see cref="Hypervolume.Compute"/>) whenever its cost bound <c>n^(K-1)</c> for <c>n</c> non-dominated points stays
    /// below <see cref="ParetoProfileOptions.ExactCostLimit"/>, which always holds for <c>K = 2</c> and lattice-sized fronts at
    /// <c>K = 3</c>; otherwise a Monte-Carlo estimate with its standard error.
    /// </summary>
    Auto,
    /// <summary>Always exact, whatever it costs.</summary>
    Exact,
    /// <summary>Always a Monte-Carlo estimate (<see cref="Hypervolume.MonteCarlo"/>), reported with its standard error.</summary>
    MonteCarlo,
}

/// <summary>Settings of <see cref="ParetoProfiler"/>: the weight grid, the NDCG truncation, and the hypervolume's reference and method.</summary>
public sealed class ParetoProfileOptions
{
    /// <summary>
    /// Step <c>1/m</c> of the simplex lattice of weights (<see cref="SimplexLattice"/>). Null: 10 for K = 2, 4 for K = 3, 2 beyond
    /// (11, 15 and 15 points for K = 2, 3, 5). Ignored when <see cref="Weights"/> is set.
    /// </summary>
    public int? GridDivisions { get; set; }

    /// <summary>An explicit list of weight vectors to profile instead of the lattice (each K values &gt;= 0, not all zero; normalised to sum 1).</summary>
    public IReadOnlyList<float[]>? Weights { get; set; }

    /// <summary>
    /// The k of NDCG@k that places each weight on the front (and that the hypervolume and the trade-off picker use).
    /// NDCG@1..k of every objective are all measured and kept. Default 10.
    /// </summary>
    public int NdcgAt { get; set; } = 10;

    /// <summary>The hypervolume's reference point, one value per objective (all objectives maximised). Null: the origin.</summary>
    public double[]? ReferencePoint { get; set; }

    /// <summary>Exact or Monte-Carlo hypervolume. Default <see cref="HypervolumeMethod.Auto"/>.</summary>
    public HypervolumeMethod HypervolumeMethod { get; set; } = HypervolumeMethod.Auto;

    /// <summary>With <see cref="HypervolumeMethod.Auto"/>: the largest <c>n^(K-1)</c> computed exactly. Default 10,000,000 (well under a second).</summary>
    public double ExactCostLimit { get; set; } = 1e7;

    /// <summary>Samples of a Monte-Carlo hypervolume estimate. Default 200,000 (a relative standard error of about 0.2% for a front that fills half its box).</summary>
    public int MonteCarloSamples { get; set; } = 200_000;

    /// <summary>Seed of the Monte-Carlo estimate, so that it can be repeated. Default 1.</summary>
    public int MonteCarloSeed { get; set; } = 1;

    /// <summary>The query (group) column of the evaluated data: a key type, with each group's rows contiguous, as ML.NET's evaluator needs. Default <c>GroupId</c>.</summary>
    public string RowGroupColumnName { get; set; } = "GroupId";

    /// <summary>The score column the models add. Default <c>Score</c>.</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>The grid for <paramref name="objectives"/> objectives: <see cref="Weights"/> (normalised) or the lattice.</summary>
    internal IReadOnlyList<float[]> Grid(int objectives)
    {
        if (Weights is not null)
        {
            if (Weights.Count == 0)
                throw new ArgumentException($"{nameof(Weights)} is empty; give at least one weight vector, or null for the lattice.", nameof(Weights));
            return Weights.Select(w => ObjectiveWeights.Normalize(w, objectives, nameof(Weights))).ToList();
        }
        return SimplexLattice.Points(objectives, GridDivisions ?? DefaultGridDivisions(objectives));
    }

    /// <summary>The default lattice step 1/m for <paramref name="objectives"/> objectives: m = 10 for K = 2, 4 for K = 3, 2 beyond, so that the
    /// lattice stays at 11-15 points and evaluating it costs about the same for any K.</summary>
    /// <param name="objectives">The number of objectives K.</param>
    public static int DefaultGridDivisions(int objectives) => objectives switch { 2 => 10, 3 => 4, _ => 2 };

    /// <summary>Checks every setting against the number of objectives and throws an <see cref="ArgumentException"/> naming the first wrong one.</summary>
    internal void Validate(int objectives)
    {
        if (GridDivisions is < 1)
            throw new ArgumentException($"{nameof(GridDivisions)} must be at least 1 or null; got {GridDivisions}.", nameof(GridDivisions));
        if (NdcgAt < 1)
            throw new ArgumentException($"{nameof(NdcgAt)} must be at least 1; got {NdcgAt}.", nameof(NdcgAt));
        if (ReferencePoint is not null && ReferencePoint.Length != objectives)
            throw new ArgumentException($"{nameof(ReferencePoint)} has {ReferencePoint.Length} values; there are {objectives} objectives.", nameof(ReferencePoint));
        if (ReferencePoint is not null && ReferencePoint.Any(r => !double.IsFinite(r)))
            throw new ArgumentException($"{nameof(ReferencePoint)} must be finite; got ({string.Join(", ", ReferencePoint)}).", nameof(ReferencePoint));
        if (MonteCarloSamples < 1)
            throw new ArgumentException($"{nameof(MonteCarloSamples)} must be at least 1; got {MonteCarloSamples}.", nameof(MonteCarloSamples));
        if (!(ExactCostLimit > 0))
            throw new ArgumentException($"{nameof(ExactCostLimit)} must be positive; got {ExactCostLimit}.", nameof(ExactCostLimit));
        if (string.IsNullOrWhiteSpace(RowGroupColumnName))
            throw new ArgumentException($"{nameof(RowGroupColumnName)} must name a column.", nameof(RowGroupColumnName));
        if (string.IsNullOrWhiteSpace(ScoreColumnName))
            throw new ArgumentException($"{nameof(ScoreColumnName)} must name a column.", nameof(ScoreColumnName));
    }
}
