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
/// <param name="AboveCorner">Per objective k: how far its NDCG@k at the best grid point lies above its NDCG@k at its own corner e_k (0 when the corner is its best point).</param>
/// <param name="AboveCornerAt">Per objective k: the weights of that best point (the corner itself when it is the best).</param>
public sealed record CornerCheck(string Key, string Method, double[] CornerNdcg, double[]? CornerRatio, double WorstRise, int Rises,
    double[] AboveCorner, float[][] AboveCornerAt)
{
    /// <summary>
    /// Whether each objective's NDCG@k is at its best at its own corner: no grid point beats any corner on the corner's objective
    /// (on the mean over the runs).
    /// </summary>
    public bool BestAtOwnCorner => AboveCorner.All(d => d <= 0);

    /// <summary>The objective (index) whose corner is beaten by the most, or -1 when every corner is its objective's best point.</summary>
    public int WorstCorner => BestAtOwnCorner ? -1 : Array.IndexOf(AboveCorner, AboveCorner.Max());
}

/// <summary>Computes <see cref="CornerCheck"/> for every method of a comparison.</summary>
public static class CornerChecks
{
    /// <summary>A rise of an objective's NDCG@k up to this much, as its weight falls, counts as noise.</summary>
    public const double Tolerance = 0.005;

    /// <summary>
    /// The checks of every method, against <paramref name="baselineKey"/>'s corners (the FastTree score soup, whose corner e_k is
    /// the FastTree model trained on objective k alone); without that method, ratios are null.
    /// </summary>
    public static IReadOnlyList<CornerCheck> Of(ComparisonResult result, string baselineKey = FrontMethodKeys.FastTreeSoup)
    {
        int k = result.Objectives.Count;
        var baseline = result.SummaryByKey(baselineKey);
        double[]? baseCorners = baseline is null ? null : Corners(baseline.MeanProfile, k, result.NdcgAt);
        return result.Summaries.Select(s =>
        {
            var corners = Corners(s.MeanProfile, k, result.NdcgAt);
            var (worst, count) = Rises(s.MeanProfile.Points, k, result.NdcgAt);
            var best = Enumerable.Range(0, k).Select(j => s.MeanProfile.Points.MaxBy(p => p.At(result.NdcgAt)[j])!).ToArray();
            return new CornerCheck(s.Key, s.Method, corners, baseCorners?.Select((b, j) => corners[j] / b).ToArray(), worst, count,
                best.Select((p, j) => Math.Max(0, p.At(result.NdcgAt)[j] - corners[j])).ToArray(),
                best.Select((p, j) => p.At(result.NdcgAt)[j] > corners[j] ? p.Weights : Corner(k, j)).ToArray());
        }).ToList();
    }

    private static float[] Corner(int k, int j) => Enumerable.Range(0, k).Select(i => i == j ? 1f : 0f).ToArray();

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
