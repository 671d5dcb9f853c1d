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
    /// A HyperDPO ranking trainer with the settings most fits change; every other option keeps its default
    /// (<see cref="HyperDpoRankingTrainer.Options"/>). A null argument keeps the option's default too.
    /// </summary>
    /// <param name="catalog">The ranking trainers catalog.</param>
    /// <param name="labelColumnNames">One graded label column per objective (at least two), in the order of the objective weights.</param>
    /// <param name="featureColumnName">The feature vector column.</param>
    /// <param name="rowGroupColumnName">The query (group) key column.</param>
    /// <param name="numberOfEpochs">Passes over the training lists (<see cref="HyperDpoRankingTrainer.OptimiserOptions.NumberOfEpochs"/>).</param>
    /// <param name="learningRate">AdamW learning rate (<see cref="HyperDpoRankingTrainer.OptimiserOptions.LearningRate"/>).</param>
    /// <param name="batchSize">Lists (queries) per optimisation step (<see cref="HyperDpoRankingTrainer.OptimiserOptions.BatchSize"/>).</param>
    /// <param name="references">The reference rankers to start from and stay close to (<see cref="HyperDpoRankingTrainer.ReferenceOptions.Source"/>).</param>
    public static HyperDpoRankingTrainer HyperDpo(this RankingCatalog.RankingTrainers catalog, string[] labelColumnNames,
        string featureColumnName = "Features", string rowGroupColumnName = "GroupId",
        int? numberOfEpochs = null, float? learningRate = null, int? batchSize = null, ReferenceSource? references = null)
    {
        var options = new HyperDpoRankingTrainer.Options
        {
            LabelColumnNames = labelColumnNames,
            FeatureColumnName = featureColumnName,
            RowGroupColumnName = rowGroupColumnName,
            References = { Source = references },
        };
        if (numberOfEpochs is int epochs) options.Optimiser.NumberOfEpochs = epochs;
        if (learningRate is float rate) options.Optimiser.LearningRate = rate;
        if (batchSize is int size) options.Optimiser.BatchSize = size;
        return catalog.HyperDpo(options);
    }
}
