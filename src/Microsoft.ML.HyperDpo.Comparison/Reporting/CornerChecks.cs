using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>
/// What hypervolume hides, per method (on the mean over splits): each objective's NDCG@k at its own corner of the simplex against
/// the single-objective LambdaMART model's, and whether each objective's NDCG@k falls as its weight falls along the grid.
/// </summary>
/// <param name="Key">The method's key.</param>
/// <param name="Method">The method's name.</param>
/// <param name="CornerNdcg">NDCG@k of objective k at the corner w = e_k.</param>
/// <param name="CornerRatio">CornerNdcg divided by the single-objective baseline's at the same corner (null without a baseline).</param>
/// <param name="WorstRise">The largest rise of an objective's NDCG@k when weight moves from it to another objective between two
/// neighbouring grid points (0 when it never rises): a monotone front has none beyond noise.</param>
/// <param name="Rises">How many neighbouring pairs rise by more than <see cref="CornerChecks.Tolerance"/>.</param>
public sealed record CornerCheck(string Key, string Method, double[] CornerNdcg, double[]? CornerRatio, double WorstRise, int Rises);

/// <summary>Computes <see cref="CornerCheck"/> for every method of a comparison.</summary>
public static class CornerChecks
{
    /// <summary>A rise of an objective's NDCG@k up to this much, as its weight falls, counts as noise.</summary>
    public const double Tolerance = 0.005;

    /// <summary>
    /// The checks of every method, against <paramref name="baselineKey"/>'s corners (the FastTree score soup, whose corner e_k is
    /// the FastTree model trained on objective k alone); without that method, ratios are null.
    /// </summary>
    public static IReadOnlyList<CornerCheck> Of(ComparisonResult result, string baselineKey = "fasttree-soup")
    {
        int k = result.Objectives.Count;
        var baseline = result.SummaryByKey(baselineKey);
        double[]? baseCorners = baseline is null ? null : Corners(baseline.MeanProfile, k, result.NdcgAt);
        return result.Summaries.Select(s =>
        {
            var corners = Corners(s.MeanProfile, k, result.NdcgAt);
            var (worst, count) = Rises(s.MeanProfile.Points, k, result.NdcgAt);
            return new CornerCheck(s.Key, s.Method, corners, baseCorners?.Select((b, j) => corners[j] / b).ToArray(), worst, count);
        }).ToList();
    }

    private static double[] Corners(ParetoProfile profile, int k, int at) => Enumerable.Range(0, k)
        .Select(j => profile.Points.First(p => p.Weights[j] == 1f).At(at)[j]).ToArray();

    /// <summary>For every grid point p and objectives j != i: q = p with one lattice step of weight moved from i to j; NDCG_i(q) - NDCG_i(p).</summary>
    private static (double Worst, int Count) Rises(IReadOnlyList<WeightedNdcg> points, int k, int at)
    {
        double step = points.SelectMany(p => p.Weights).Where(w => w > 0).DefaultIfEmpty(1f).Min();
        double worst = 0;
        int count = 0;
        foreach (var p in points)
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                {
                    if (i == j || p.Weights[i] < step - 1e-6) continue;
                    var q = points.FirstOrDefault(c => Enumerable.Range(0, k).All(m =>
                        Math.Abs(c.Weights[m] - (p.Weights[m] + (m == j ? step : m == i ? -step : 0))) < 1e-4));
                    if (q is null) continue;
                    double rise = q.At(at)[i] - p.At(at)[i];
                    worst = Math.Max(worst, rise);
                    if (rise > Tolerance) count++;
                }
        return (worst, count);
    }
}
