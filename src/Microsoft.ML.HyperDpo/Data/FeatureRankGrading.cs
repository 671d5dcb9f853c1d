namespace Microsoft.ML.HyperDpo;

/// <summary>
/// The quantisation rule of <see cref="FeatureRankObjectiveEstimator"/>: grades the values of one group by
/// their rank among the group's distinct values.
/// </summary>
/// <remarks>
/// For a row with value x in a group, let <c>worse</c> be the number of rows of the group whose value is
/// strictly worse than x and <c>better</c> the number strictly better. Then
/// <c>grade = min(G - 1, floor(G * worse / (worse + better)))</c>, and <c>grade = 0</c> when
/// <c>worse + better = 0</c> (a singleton group, or a group whose values are all equal: nothing to prefer).
/// Integer arithmetic, so no rounding question arises.
/// <list type="bullet">
/// <item><description>Tied values get the same grade (both counts exclude ties).</description></item>
/// <item><description>The worst value of a group always gets 0 and, if the group has two or more distinct values, the best always gets G - 1.</description></item>
/// <item><description>Grades rise strictly with worse / (worse + better), which rises strictly from one distinct value to the next better one, so a better value never gets a lower grade.</description></item>
/// <item><description>Reversing the direction maps worse / (worse + better) to 1 minus it, so both directions treat a large tie the same way: on MQ2008, where most PageRank values of a query are 0, all those zeros get 0 under HigherIsBetter, and G - 1 under LowerIsBetter. A rule based on the mid-rank or on worse / n would instead grade a big tie at the bottom in the middle, or a big tie at the top low.</description></item>
/// <item><description>Without ties, worse / (worse + better) = rank / (n - 1), so grades spread evenly over 0..G-1.</description></item>
/// </list>
/// </remarks>
internal static class FeatureRankGrading
{
    /// <summary>
    /// Grades <paramref name="values"/> (one group, no NaN) into <paramref name="grades"/> levels, writing
    /// grade i for values[i] into <paramref name="output"/>.
    /// </summary>
    public static void GradeGroup(ReadOnlySpan<float> values, FeatureDirection direction, int grades, Span<int> output)
    {
        int n = values.Length;
        var order = new int[n];
        for (int i = 0; i < n; i++)
            order[i] = i;
        var keys = values.ToArray();
        Array.Sort(keys, order);

        for (int start = 0; start < n;)
        {
            int end = start + 1;
            while (end < n && keys[end] == keys[start])
                end++;
            long below = start, above = n - end;
            long worse = direction == FeatureDirection.HigherIsBetter ? below : above;
            long differing = below + above;
            int grade = differing == 0 ? 0 : (int)Math.Min(grades - 1, grades * worse / differing);
            for (int k = start; k < end; k++)
                output[order[k]] = grade;
            start = end;
        }
    }
}
