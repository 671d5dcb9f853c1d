using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// The weight grids early stopping measures (<see cref="HyperDpoRankingTrainer.ValidationOptions.Grids"/>): the simplex lattice, then
/// grids of as many points holding the K corners and uniform random points of the simplex. The grids are laid end to end in
/// <see cref="Points"/>, so that one validation pass measures them all.
/// </summary>
internal sealed class ValidationGridSet
{
    /// <summary>Seed of the first random grid; grid g (g >= 1) uses this plus g, so every fit measures the same grids.</summary>
    internal const int FirstRandomGridSeed = 7919;

    public ValidationGridSet(int objectives, int divisions, int grids)
    {
        var lattice = SimplexLattice.Points(objectives, divisions);
        GridSize = lattice.Count;
        var points = new List<float[]>(lattice);
        for (int g = 1; g < grids; g++)
            points.AddRange(RandomGrid(objectives, GridSize, FirstRandomGridSeed + g));
        Points = points;
        Count = grids;
    }

    /// <summary>Every grid's points, grid after grid.</summary>
    public IReadOnlyList<float[]> Points { get; }

    /// <summary>Points per grid.</summary>
    public int GridSize { get; }

    /// <summary>Number of grids.</summary>
    public int Count { get; }

    /// <summary>The mean over the grids of <paramref name="summarize"/> applied to each grid's [point][objective] rows of <paramref name="ndcg"/>.</summary>
    public double Mean(double[][] ndcg, Func<double[][], double> summarize) =>
        Enumerable.Range(0, Count).Average(g => summarize(ndcg.Skip(g * GridSize).Take(GridSize).ToArray()));

    /// <summary>
    /// The K corners, then <paramref name="size"/> - K points uniform on the simplex (normalised exponential draws), so that each
    /// grid spans the whole front as the lattice does.
    /// </summary>
    internal static IEnumerable<float[]> RandomGrid(int objectives, int size, int seed)
    {
        var random = new Random(seed);
        for (int k = 0; k < objectives; k++)
        {
            var corner = new float[objectives];
            corner[k] = 1f;
            yield return corner;
        }
        for (int p = objectives; p < size; p++)
        {
            var e = new double[objectives];
            for (int k = 0; k < objectives; k++) e[k] = -Math.Log(1.0 - random.NextDouble());
            double sum = e.Sum();
            yield return e.Select(v => (float)(v / sum)).ToArray();
        }
    }
}
