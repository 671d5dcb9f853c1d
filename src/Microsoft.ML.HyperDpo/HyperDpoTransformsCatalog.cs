using Microsoft.ML.HyperDpo;

namespace Microsoft.ML;

/// <summary>
/// Extension methods that make HyperDPO's scoring transforms available as <c>mlContext.Transforms.WeightedScore(...)</c>
/// and <c>mlContext.Transforms.ConstantObjectiveWeights(...)</c>.
/// </summary>
public static class HyperDpoTransformsCatalog
{
    /// <summary>
    /// Scores every row with <paramref name="model"/> at the objective weights in that row's
    /// <paramref name="objectiveWeightsColumnName"/> column (a known-size vector of K Single values).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="model">A fitted HyperDPO model.</param>
    /// <param name="objectiveWeightsColumnName">The weights column.</param>
    /// <param name="outputColumnName">The Single score column to add.</param>
    /// <param name="temperatureColumnName">For a model trained with a temperature range: a Single column with each row's temperature
    /// (within <see cref="HyperDpoRankingTransformer.TrainedTemperatureRange"/>). Null: every row at the model's
    /// <see cref="HyperDpoRankingTransformer.Temperature"/>.</param>
    public static WeightedScoreEstimator WeightedScore(this TransformsCatalog catalog, HyperDpoRankingTransformer model,
        string objectiveWeightsColumnName = "ObjectiveWeights", string outputColumnName = "Score", string? temperatureColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new WeightedScoreEstimator(model, objectiveWeightsColumnName, outputColumnName, temperatureColumnName);
    }

    /// <summary>
    /// Adds a column holding <paramref name="weights"/> on every row: a fixed trade-off for
    /// <see cref="WeightedScore"/> that is saved and loaded with the pipeline.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="weights">One finite weight &gt;= 0 per objective, not all zero (WeightedScore normalises them).</param>
    /// <param name="outputColumnName">The vector column to add.</param>
    /// <exception cref="ArgumentException">A weight is negative, NaN or infinite, or all are zero.</exception>
    public static ConstantObjectiveWeightsEstimator ConstantObjectiveWeights(this TransformsCatalog catalog, float[] weights,
        string outputColumnName = "ObjectiveWeights")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ConstantObjectiveWeightsEstimator(weights, outputColumnName);
    }
}
