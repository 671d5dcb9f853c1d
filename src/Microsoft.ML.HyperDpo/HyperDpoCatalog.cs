using Microsoft.ML.HyperDpo;

namespace Microsoft.ML;

/// <summary>
/// Extension methods that make HyperDPO available as <c>mlContext.Ranking.Trainers.HyperDpo(...)</c>.
/// </summary>
public static class HyperDpoCatalog
{
    /// <summary>
    /// A HyperDPO ranking trainer with every option given: one model for all trade-offs between the objectives
    /// named by <see cref="HyperDpoRankingTrainer.Options.LabelColumnNames"/>.
    /// </summary>
    public static HyperDpoRankingTrainer HyperDpo(this RankingCatalog.RankingTrainers catalog, HyperDpoRankingTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new HyperDpoRankingTrainer(MlNetInternals.FromCatalog(catalog), options);
    }

    /// <summary>
    /// A HyperDPO ranking trainer with default options.
    /// </summary>
    /// <param name="catalog">The ranking trainers catalog.</param>
    /// <param name="labelColumnNames">One graded label column per objective (at least two).</param>
    /// <param name="featureColumnName">The feature vector column.</param>
    /// <param name="rowGroupColumnName">The query (group) key column.</param>
    public static HyperDpoRankingTrainer HyperDpo(this RankingCatalog.RankingTrainers catalog, string[] labelColumnNames,
        string featureColumnName = "Features", string rowGroupColumnName = "GroupId") =>
        catalog.HyperDpo(new HyperDpoRankingTrainer.Options
        {
            LabelColumnNames = labelColumnNames,
            FeatureColumnName = featureColumnName,
            RowGroupColumnName = rowGroupColumnName,
        });
}
