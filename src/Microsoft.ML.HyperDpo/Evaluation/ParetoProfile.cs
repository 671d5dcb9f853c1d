namespace Microsoft.ML.HyperDpo.Evaluation;

/// <summary>
/// A ranker's trade-offs measured over a weight grid (<see cref="ParetoProfiler"/>): every objective's NDCG@1..k at every
/// weight, which weights are on the Pareto front, and the hypervolume the front dominates.
/// </summary>
public sealed class ParetoProfile
{
    internal ParetoProfile(IReadOnlyList<string> objectives, IReadOnlyList<WeightedNdcg> points, int ndcgAt, IReadOnlyList<int> frontIndices,
        double[] reference, HypervolumeEstimate hypervolume, bool hypervolumeIsExact, TimeSpan scoringTime)
    {
        Objectives = objectives;
        Points = points;
        NdcgAt = ndcgAt;
        FrontIndices = frontIndices;
        ReferencePoint = reference;
        Hypervolume = hypervolume.Value;
        HypervolumeStandardError = hypervolume.StandardError;
        HypervolumeIsExact = hypervolumeIsExact;
        ScoringTime = scoringTime;
    }

    /// <summary>The objectives (label column names), in the order of the weights and of every NDCG vector.</summary>
    public IReadOnlyList<string> Objectives { get; }

    /// <summary>Every profiled weight with its measured NDCG, in grid order.</summary>
    public IReadOnlyList<WeightedNdcg> Points { get; }

    /// <summary>The k of the NDCG@k that places a point on the front and defines the hypervolume.</summary>
    public int NdcgAt { get; }

    /// <summary>Indices into <see cref="Points"/> of the non-dominated points (NDCG@<see cref="NdcgAt"/>, all maximised), ascending; repeated points are listed once.</summary>
    public IReadOnlyList<int> FrontIndices { get; }

    /// <summary>The non-dominated points themselves.</summary>
    public IEnumerable<WeightedNdcg> Front => FrontIndices.Select(i => Points[i]);

    /// <summary>The hypervolume's reference point (the origin unless one was chosen).</summary>
    public IReadOnlyList<double> ReferencePoint { get; }

    /// <summary>The hypervolume of the NDCG@<see cref="NdcgAt"/> points with respect to <see cref="ReferencePoint"/>: exact, or a Monte-Carlo estimate.</summary>
    public double Hypervolume { get; }

    /// <summary>The standard error of <see cref="Hypervolume"/>: 0 when it is exact.</summary>
    public double HypervolumeStandardError { get; }

    /// <summary>True when <see cref="Hypervolume"/> was computed exactly; false for a Monte-Carlo estimate.</summary>
    public bool HypervolumeIsExact { get; }

    /// <summary>Wall time spent computing the Score column at every weight of the grid (reading the data and evaluating excluded).</summary>
    public TimeSpan ScoringTime { get; }

    /// <summary>NDCG@<paramref name="k"/> of every objective at every profiled weight, in grid order.</summary>
    /// <param name="k">1 to the truncation measured (at least <see cref="NdcgAt"/>).</param>
    public IReadOnlyList<double[]> VectorsAt(int k) => Points.Select(p => p.At(k)).ToList();

    /// <summary>The index of objective <paramref name="name"/> in <see cref="Objectives"/>.</summary>
    /// <exception cref="ArgumentException">No objective has that name; the message lists the objectives.</exception>
    public int ObjectiveIndex(string name)
    {
        for (int i = 0; i < Objectives.Count; i++)
            if (string.Equals(Objectives[i], name, StringComparison.Ordinal))
                return i;
        throw new ArgumentException($"'{name}' is not an objective of this profile; the objectives are {string.Join(", ", Objectives.Select(o => $"'{o}'"))}.", nameof(name));
    }
}
