namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>
/// How sure a failed "best at its own corner" check is: the bootstrap interval of the gap by which the grid point that beats a
/// corner most (<see cref="CornerCheck.AboveCornerAt"/>) lies above that corner, on the corner's objective.
/// </summary>
/// <remarks>
/// The gap is the mean over the method's fold x seed runs of NDCG@k(best point) - NDCG@k(corner), each run's two figures on the
/// same test queries; one resample draws every fold's test queries and runs with replacement, as <see cref="BaselineRatios"/>
/// does. The best point was picked as the largest gap on the data, so the interval leans high (the winner's curse): when even it
/// reaches 0, the corner's shortfall is noise.
/// </remarks>
public static class CornerGap
{
    /// <summary>The interval of the worst corner's gap, or null when the check passes or a run lacks per-query NDCG.</summary>
    /// <param name="result">The comparison.</param>
    /// <param name="check">The method's check, from <see cref="CornerChecks.Of"/> on the same result.</param>
    /// <param name="replicates">Bootstrap resamples.</param>
    /// <param name="seed">Seed of the resampling.</param>
    public static BootstrapInterval? Of(ComparisonResult result, CornerCheck check, int replicates, int seed)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(check);
        if (check.BestAtOwnCorner) return null;
        int j = check.WorstCorner;
        int best = IndexOf(result.Grid, check.AboveCornerAt[j]);
        int corner = IndexOf(result.Grid, result.Grid.First(w => w[j] == 1f));
        var folds = result.Splits.Select(split => result.Runs.Where(r => r.Key == check.Key && r.Split == split).ToList()).Where(f => f.Count > 0).ToList();
        if (folds.Count == 0 || folds.Any(f => f.Any(r => r.Queries is null))) return null;
        var sizes = folds.SelectMany(f => new[] { f[0].Queries!.QueryCount, f.Count }).ToArray();
        double Statistic(int[][] counts)
        {
            double sum = 0;
            long n = 0;
            for (int f = 0; f < folds.Count; f++)
            {
                int[] queries = counts[2 * f], runs = counts[2 * f + 1];
                for (int i = 0; i < runs.Length; i++)
                {
                    if (runs[i] == 0) continue;
                    var q = folds[f][i].Queries!;
                    sum += runs[i] * (q.Mean(best, j, queries) - q.Mean(corner, j, queries));
                    n += runs[i];
                }
            }
            return sum / n;
        }
        return Bootstrap.Percentile(sizes, Statistic, replicates, seed);
    }

    private static int IndexOf(IReadOnlyList<float[]> grid, float[] weights)
    {
        for (int p = 0; p < grid.Count; p++)
            if (grid[p].Zip(weights).All(x => Math.Abs(x.First - x.Second) < 1e-6f)) return p;
        throw new ArgumentException($"The weights ({string.Join(", ", weights)}) are not on the comparison's grid.", nameof(weights));
    }
}
