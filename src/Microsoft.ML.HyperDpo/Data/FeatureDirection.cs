namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Which values of a feature are better, when a feature is turned into an objective's grades
/// (see <see cref="FeatureRankObjectiveEstimator"/>).
/// </summary>
public enum FeatureDirection
{
    /// <summary>Larger values are better (e.g. PageRank, inlink count).</summary>
    HigherIsBetter = 0,

    /// <summary>Smaller values are better (e.g. URL length, number of slashes in the URL).</summary>
    LowerIsBetter = 1,
}
