namespace Microsoft.ML.HyperDpo.Evaluation;

/// <summary>
/// The simplex lattice: every weight vector with <c>K</c> non-negative components that are
/// multiples of <c>1/m</c> and sum to one. It is the grid of objective weights on which a
/// weight-conditioned ranker is evaluated to trace its Pareto front.
/// </summary>
/// <remarks>
/// <para>
/// The lattice has <c>C(m + K - 1, K - 1)</c> points: <c>m + 1</c> for two objectives,
/// <c>(m + 1)(m + 2) / 2</c> for three.
/// </para>
/// <para>
/// Order: lexicographically descending in the integer numerators, so the first weight falls
/// slowest and the last weight rises fastest. For <c>K = 2, m = 10</c> that is
/// <c>(1, 0), (0.9, 0.1), ..., (0, 1)</c>; for <c>K = 3, m = 2</c> it is
/// <c>(1, 0, 0), (0.5, 0.5, 0), (0.5, 0, 0.5), (0, 1, 0), (0, 0.5, 0.5), (0, 0, 1)</c>.
/// </para>
/// </remarks>
public static class SimplexLattice
{
    /// <summary>Number of points on the lattice: <c>C(divisions + objectives - 1, objectives - 1)</c>.</summary>
    /// <param name="objectives">Number of objectives <c>K</c>, at least 1.</param>
    /// <param name="divisions">Number of steps <c>m</c> along each edge, at least 1.</param>
    /// <returns>The point count.</returns>
    /// <exception cref="ArgumentException">An argument is out of range, or the count does not fit in a <see cref="long"/>.</exception>
    public static long Count(int objectives, int divisions)
    {
        Validate(objectives, divisions);
        return Binomial((long)divisions + objectives - 1, objectives - 1, objectives, divisions);
    }

    /// <summary>
    /// All weight vectors on the simplex with step <c>1/divisions</c>, in the order described on
    /// <see cref="SimplexLattice"/>. Each component is computed as <c>(float)numerator / divisions</c>
    /// from integer numerators that sum to <c>divisions</c>, so the sum is one up to float rounding
    /// of the individual components.
    /// </summary>
    /// <param name="objectives">Number of objectives <c>K</c>, at least 1.</param>
    /// <param name="divisions">Number of steps <c>m</c> along each edge, at least 1.</param>
    /// <returns>A new list of new arrays, each of length <paramref name="objectives"/>.</returns>
    /// <exception cref="ArgumentException">An argument is out of range, or the lattice has more points than a list can hold.</exception>
    public static IReadOnlyList<float[]> Points(int objectives, int divisions)
    {
        long count = Count(objectives, divisions);
        if (count > Array.MaxLength)
        {
            throw new ArgumentException(
                $"The lattice with objectives = {objectives} and divisions = {divisions} has {count} points, more than a list can hold ({Array.MaxLength}).",
                nameof(divisions));
        }

        var points = new List<float[]>((int)count);
        var numerators = new int[objectives];
        Fill(points, numerators, 0, divisions, divisions);
        return points;
    }

    private static void Fill(List<float[]> points, int[] numerators, int position, int remaining, int divisions)
    {
        // The last component takes whatever is left, which is what keeps the integers summing to m.
        if (position == numerators.Length - 1)
        {
            numerators[position] = remaining;
            var point = new float[numerators.Length];
            for (int k = 0; k < point.Length; k++)
            {
                point[k] = (float)numerators[k] / divisions;
            }

            points.Add(point);
            return;
        }

        for (int n = remaining; n >= 0; n--)
        {
            numerators[position] = n;
            Fill(points, numerators, position + 1, remaining - n, divisions);
        }
    }

    private static void Validate(int objectives, int divisions)
    {
        if (objectives < 1)
        {
            throw new ArgumentException($"The number of objectives must be at least 1, but was {objectives}.", nameof(objectives));
        }

        if (divisions < 1)
        {
            throw new ArgumentException($"The number of divisions must be at least 1, but was {divisions}.", nameof(divisions));
        }
    }

    private static long Binomial(long n, int k, int objectives, int divisions)
    {
        // C(n, k) built as C(n-k+1, 1), C(n-k+2, 2), ...: every intermediate is itself a binomial
        // coefficient, so the division is exact and only a genuine overflow can throw.
        long result = 1;
        try
        {
            for (int i = 1; i <= k; i++)
            {
                result = checked(result * (n - k + i)) / i;
            }
        }
        catch (OverflowException)
        {
            throw new ArgumentException(
                $"The lattice with objectives = {objectives} and divisions = {divisions} has too many points to count.",
                nameof(divisions));
        }

        return result;
    }
}
