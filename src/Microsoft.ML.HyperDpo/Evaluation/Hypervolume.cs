namespace Microsoft.ML.HyperDpo.Evaluation;

/// <summary>
/// The hypervolume indicator: the volume of the region that a set of objective vectors dominates
/// and that itself dominates a reference point, all objectives maximised. A larger value means a
/// front that is better, wider, or both.
/// </summary>
/// <remarks>
/// <para>
/// The region is the union of the boxes <c>[reference, p]</c> over the points <c>p</c>. A point
/// that is not strictly better than the reference in every coordinate spans an empty box and adds
/// nothing; dominated and repeated points add nothing either, and are removed before the volume
/// is computed.
/// </para>
/// <para>
/// <see cref="Compute"/> is exact for every number of objectives <c>K</c>: a sweep for <c>K = 2</c>,
/// and for <c>K &gt;= 3</c> "hypervolume by slicing objectives" (HSO; While et al., 2006), which cuts
/// the region into slabs along the last objective and recurses on each slab's <c>(K-1)</c>-dimensional
/// cross-section down to the two-dimensional sweep. Its cost is <c>O(n^(K-1) log n)</c> for <c>n</c>
/// non-dominated points: about a second for a thousand points at <c>K = 3</c> or a few hundred at
/// <c>K = 4</c>, and growing quickly beyond. <see cref="MonteCarlo"/> trades exactness for a cost linear
/// in the number of samples.
/// </para>
/// </remarks>
public static class Hypervolume
{
    /// <summary>Computes the exact hypervolume that <paramref name="points"/> dominate with respect to <paramref name="reference"/>.</summary>
    /// <param name="points">Objective vectors, all of the same length <c>K &gt;= 1</c>, finite.</param>
    /// <param name="reference">The reference point, of length <c>K</c> and finite; <c>null</c> means the origin.</param>
    /// <returns>The hypervolume; 0 when no point is strictly better than the reference in every coordinate, or when <paramref name="points"/> is empty.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="points"/> is null.</exception>
    /// <exception cref="ArgumentException">A point is null or empty, lengths differ, or a coordinate is NaN or infinite.</exception>
    public static double Compute(IReadOnlyList<double[]> points, double[]? reference = null)
    {
        double[][] shifted = Prepare(points, reference);
        if (shifted.Length == 0)
        {
            return 0.0;
        }

        int dimensions = shifted[0].Length;
        var buffers = new double[dimensions][][];
        for (int level = 2; level < dimensions; level++)
        {
            buffers[level] = new double[shifted.Length][];
        }

        var byCoordinateDescending = new IComparer<double[]>[dimensions];
        for (int k = 0; k < dimensions; k++)
        {
            int coordinate = k;
            byCoordinateDescending[k] = Comparer<double[]>.Create((a, b) => b[coordinate].CompareTo(a[coordinate]));
        }

        return Volume(shifted, shifted.Length, dimensions, buffers, byCoordinateDescending);
    }

    /// <summary>
    /// Estimates the hypervolume by uniform sampling in the box from <paramref name="reference"/> to the
    /// per-coordinate maximum of the points that are strictly better than the reference.
    /// </summary>
    /// <param name="points">Objective vectors, all of the same length <c>K &gt;= 1</c>, finite.</param>
    /// <param name="reference">The reference point, of length <c>K</c> and finite; <c>null</c> means the origin.</param>
    /// <param name="samples">Number of uniform samples, at least 1.</param>
    /// <param name="seed">Seed of the random number generator, so that an estimate can be repeated.</param>
    /// <returns>The estimate and its standard error; both 0 when no point is strictly better than the reference in every coordinate.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="points"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// A point is null or empty, lengths differ, a coordinate is NaN or infinite, or <paramref name="samples"/> is below 1.
    /// </exception>
    public static HypervolumeEstimate MonteCarlo(IReadOnlyList<double[]> points, double[]? reference, int samples, int seed)
    {
        if (samples < 1)
        {
            throw new ArgumentException($"The number of samples must be at least 1, but was {samples}.", nameof(samples));
        }

        double[][] shifted = Prepare(points, reference);
        if (shifted.Length == 0)
        {
            return new HypervolumeEstimate(0.0, 0.0);
        }

        int dimensions = shifted[0].Length;

        // After the shift the reference is the origin, so the box is [0, upper].
        var upper = new double[dimensions];
        foreach (double[] point in shifted)
        {
            for (int k = 0; k < dimensions; k++)
            {
                upper[k] = Math.Max(upper[k], point[k]);
            }
        }

        double boxVolume = 1.0;
        foreach (double side in upper)
        {
            boxVolume *= side;
        }

        var random = new Random(seed);
        var sample = new double[dimensions];
        long dominated = 0;
        for (int s = 0; s < samples; s++)
        {
            for (int k = 0; k < dimensions; k++)
            {
                sample[k] = random.NextDouble() * upper[k];
            }

            if (IsDominatedByAny(shifted, sample))
            {
                dominated++;
            }
        }

        double fraction = (double)dominated / samples;
        double standardError = boxVolume * Math.Sqrt(fraction * (1.0 - fraction) / samples);
        return new HypervolumeEstimate(fraction * boxVolume, standardError);
    }

    /// <summary>
    /// Validates the input and returns the non-dominated points that span a non-empty box, shifted so
    /// the reference is the origin (every coordinate then strictly positive).
    /// </summary>
    private static double[][] Prepare(IReadOnlyList<double[]> points, double[]? reference)
    {
        int dimensions = ObjectiveVectors.Validate(points, nameof(points), allowInfinity: false);
        if (reference is not null)
        {
            if (points.Count > 0 && reference.Length != dimensions)
            {
                throw new ArgumentException(
                    $"The reference has {reference.Length} coordinates, but the points have {dimensions}.", nameof(reference));
            }

            for (int k = 0; k < reference.Length; k++)
            {
                if (!double.IsFinite(reference[k]))
                {
                    throw new ArgumentException($"The reference has {reference[k]} at coordinate {k}; it must be finite.", nameof(reference));
                }
            }
        }

        var shifted = new List<double[]>(points.Count);
        foreach (double[] point in points)
        {
            var relative = new double[dimensions];
            bool spansBox = true;
            for (int k = 0; k < dimensions && spansBox; k++)
            {
                relative[k] = point[k] - (reference?[k] ?? 0.0);
                spansBox = relative[k] > 0.0;
            }

            if (spansBox)
            {
                shifted.Add(relative);
            }
        }

        // Dominated and repeated points add no volume but would multiply the slicing work.
        IReadOnlyList<int> front = ParetoFront.NonDominatedIndices(shifted);
        var result = new double[front.Count][];
        for (int i = 0; i < front.Count; i++)
        {
            result[i] = shifted[front[i]];
        }

        return result;
    }

    /// <summary>
    /// Volume of the union of boxes <c>[0, p]</c> over the first <paramref name="count"/> points,
    /// looking only at their first <paramref name="dimensions"/> coordinates. Reorders that prefix of
    /// <paramref name="points"/>; <paramref name="buffers"/>[d] is scratch space owned by level d.
    /// </summary>
    private static double Volume(
        double[][] points, int count, int dimensions, double[][][] buffers, IComparer<double[]>[] byCoordinateDescending)
    {
        if (dimensions == 1)
        {
            double longest = 0.0;
            for (int i = 0; i < count; i++)
            {
                longest = Math.Max(longest, points[i][0]);
            }

            return longest;
        }

        Array.Sort(points, 0, count, byCoordinateDescending[dimensions - 1]);

        if (dimensions == 2)
        {
            // Walking down the second coordinate, each point adds the strip of first-coordinate
            // length beyond the widest point seen so far; a point that adds none is dominated here.
            double area = 0.0;
            double widest = 0.0;
            for (int i = 0; i < count; i++)
            {
                double[] point = points[i];
                if (point[0] > widest)
                {
                    area += (point[0] - widest) * point[1];
                    widest = point[0];
                }
            }

            return area;
        }

        // Slab i lies between the i-th and (i+1)-th largest last coordinates; its cross-section is the
        // union of the boxes of the first i+1 points, since only they reach that high.
        double[][] crossSection = buffers[dimensions - 1];
        double volume = 0.0;
        for (int i = 0; i < count; i++)
        {
            // The recursive call only permutes crossSection's prefix, so appending keeps it the set of the first i+1 points.
            crossSection[i] = points[i];
            double top = points[i][dimensions - 1];
            double bottom = i + 1 < count ? points[i + 1][dimensions - 1] : 0.0;
            if (top > bottom)
            {
                volume += (top - bottom) * Volume(crossSection, i + 1, dimensions - 1, buffers, byCoordinateDescending);
            }
        }

        return volume;
    }

    private static bool IsDominatedByAny(double[][] points, double[] sample)
    {
        foreach (double[] point in points)
        {
            bool covers = true;
            for (int k = 0; k < sample.Length && covers; k++)
            {
                covers = sample[k] <= point[k];
            }

            if (covers)
            {
                return true;
            }
        }

        return false;
    }
}
