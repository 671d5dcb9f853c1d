namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Catalog entry for <see cref="FeatureRankObjectiveEstimator"/> on <c>mlContext.Transforms</c>.
/// </summary>
public static class FeatureRankObjectiveCatalog
{
    /// <summary>
    /// Makes an auxiliary objective's label column from one feature: each row's grade (0..grades-1, higher is
    /// better) is the rank of <c>Features[featureIndex]</c> within the row's group, quantised as described on
    /// <see cref="FeatureRankObjectiveEstimator"/> (tied values share a grade; a group with no two differing
    /// values gets 0).
    /// </summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="outputColumnName">The grade column to add (scalar <see cref="float"/>).</param>
    /// <param name="featureIndex">The ZERO-based slot of the feature in the features vector: LETOR / SVMlight feature id N is slot N - 1 (MQ2008 PageRank, feature 41, is slot 40).</param>
    /// <param name="direction">Whether higher or lower feature values are better.</param>
    /// <param name="grades">The number of grades G (at least 2). Keep G &lt;= 5 for <c>mlContext.Ranking.Evaluate</c>'s default gains.</param>
    /// <param name="removeFromFeatures">Whether to replace the features column by one without this slot (one slot shorter), so a model cannot read the objective off its input.</param>
    /// <param name="featuresColumnName">The features column: a known-size vector of <see cref="float"/>.</param>
    /// <param name="rowGroupColumnName">The group (query) column: a key type; rows of a group need not be contiguous.</param>
    /// <returns>The estimator.</returns>
    /// <exception cref="ArgumentException">A name is empty, two roles share a column name, <paramref name="featureIndex"/> is negative or <paramref name="grades"/> is below 2.</exception>
    public static FeatureRankObjectiveEstimator FeatureRankObjective(this TransformsCatalog catalog, string outputColumnName, int featureIndex,
        FeatureDirection direction = FeatureDirection.HigherIsBetter, int grades = 5, bool removeFromFeatures = false,
        string featuresColumnName = "Features", string rowGroupColumnName = "GroupId")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new FeatureRankObjectiveEstimator(outputColumnName, featureIndex, direction, grades, removeFromFeatures, featuresColumnName, rowGroupColumnName);
    }
}
