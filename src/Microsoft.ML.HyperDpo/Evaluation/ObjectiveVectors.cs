namespace Microsoft.ML.HyperDpo.Evaluation;

/// <summary>Input checks shared by the Pareto front and hypervolume code, so both reject the same inputs with the same messages.</summary>
internal static class ObjectiveVectors
{
    /// <summary>
    /// Checks that <paramref name="points"/> is a list of non-null, non-empty vectors of one length
    /// with no NaN (and, unless <paramref name="allowInfinity"/>, no infinity). Returns that length,
    /// or 0 for an empty list.
    /// </summary>
    internal static int Validate(IReadOnlyList<double[]> points, string parameterName, bool allowInfinity)
    {
        ArgumentNullException.ThrowIfNull(points, parameterName);

        int dimension = 0;
        for (int i = 0; i < points.Count; i++)
        {
            double[] point = points[i]
                ?? throw new ArgumentException($"Point {i} is null.", parameterName);
            if (point.Length == 0)
            {
                throw new ArgumentException($"Point {i} has no coordinates; at least one objective is needed.", parameterName);
            }

            if (i == 0)
            {
                dimension = point.Length;
            }
            else if (point.Length != dimension)
            {
                throw new ArgumentException(
                    $"Point {i} has {point.Length} coordinates, but point 0 has {dimension}.", parameterName);
            }

            for (int k = 0; k < point.Length; k++)
            {
                if (double.IsNaN(point[k]))
                {
                    throw new ArgumentException($"Point {i} has NaN at coordinate {k}.", parameterName);
                }

                if (!allowInfinity && double.IsInfinity(point[k]))
                {
                    throw new ArgumentException(
                        $"Point {i} has {point[k]} at coordinate {k}; a hypervolume needs finite coordinates.", parameterName);
                }
            }
        }

        return dimension;
    }
}
