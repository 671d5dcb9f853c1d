namespace Microsoft.ML.HyperDpo.Evaluation;

/// <summary>
/// Finds the non-dominated points of a set of objective vectors, all objectives maximised.
/// </summary>
/// <remarks>
/// Point <c>a</c> dominates point <c>b</c> when <c>a[k] &gt;= b[k]</c> for every objective and
/// <c>a[k] &gt; b[k]</c> for at least one. Equal points do not dominate each other; of a group of
/// equal points only the first is kept, so that a front never lists the same trade-off twice.
/// The pairwise check costs <c>O(n² K)</c>, which is negligible for the lattice sizes evaluated here.
/// </remarks>
public static class ParetoFront
{
    /// <summary>Indices of the points that no other point dominates, in ascending order.</summary>
    /// <param name="points">Objective vectors, all of the same length (at least 1). Infinities are allowed; NaN is not.</param>
    /// <returns>Indices into <paramref name="points"/>, ascending; empty when <paramref name="points"/> is empty.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="points"/> is null.</exception>
    /// <exception cref="ArgumentException">A point is null or empty, lengths differ, or a coordinate is NaN.</exception>
    public static IReadOnlyList<int> NonDominatedIndices(IReadOnlyList<double[]> points)
    {
        ObjectiveVectors.Validate(points, nameof(points), allowInfinity: true);

        var kept = new List<int>();
        for (int i = 0; i < points.Count; i++)
        {
            if (IsKept(points, i))
            {
                kept.Add(i);
            }
        }

        return kept;
    }

    /// <summary>True when <paramref name="a"/> dominates <paramref name="b"/> (maximisation).</summary>
    internal static bool Dominates(double[] a, double[] b)
    {
        bool strictlyBetterSomewhere = false;
        for (int k = 0; k < a.Length; k++)
        {
            if (a[k] < b[k])
            {
                return false;
            }

            if (a[k] > b[k])
            {
                strictlyBetterSomewhere = true;
            }
        }

        return strictlyBetterSomewhere;
    }

    private static bool IsKept(IReadOnlyList<double[]> points, int i)
    {
        double[] candidate = points[i];
        for (int j = 0; j < points.Count; j++)
        {
            if (j == i)
            {
                continue;
            }

            if (Dominates(points[j], candidate))
            {
                return false;
            }

            if (j < i && points[j].AsSpan().SequenceEqual(candidate))
            {
                return false;
            }
        }

        return true;
    }
}
