using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Data;
using Microsoft.ML.HyperDpo.Persistence;
using Microsoft.ML.HyperDpo.Scoring;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// A conditioned reference r(x, w) (<see cref="HyperDpoRankingTrainer.ReferenceOptions.ConditionedModel"/>): one ranker for every
/// trade-off, which reads the features followed by the normalised weights. Its reference chain reads the weights from
/// <see cref="WeightsColumn"/> and fills all K entries of <see cref="ReferenceScores.ColumnName"/> with its one standardised score, so
/// that the w-weighted sum every scorer and the ONNX graph take (the weights sum to 1) is that score. A scorer puts
/// <see cref="Weights"/> before the chain: the constant weights of a fixed trade-off, or each row's weights from its column.
/// </summary>
internal static class ConditionedReference
{
    /// <summary>The column of the normalised objective weights the conditioned reference reads.</summary>
    public const string WeightsColumn = "HyperDpo.ReferenceWeights";

    /// <summary>
    /// The reference chain over the options' conditioned model, standardised on the training rows scored at equal weights (the
    /// middle of the simplex: one mean and one standard deviation for every w).
    /// </summary>
    public static (ITransformer Chain, float[]? TrainingScores) Prepare(HyperDpoRankingTrainer.Options o, IDataView train)
    {
        var ml = new MLContext();
        int k = o.LabelColumnNames.Length;
        string column = o.References.ConditionedFeatureColumnName!;
        var features = ColumnChecks.FeatureVector(train.Schema, o.FeatureColumnName);
        var withWeights = Weights(Equal(k), o.FeatureColumnName, ((VectorDataViewType)features.Type).Size, k).Transform(train);
        var join = ml.Transforms.Concatenate(column, o.FeatureColumnName, WeightsColumn).Fit(withWeights);
        var scored = o.References.ConditionedModel!.Transform(join.Transform(withWeights));
        var score = scored.Schema.GetColumnOrNull(o.References.ScoreColumnName);
        if (score is null || score.Value.Type != NumberDataViewType.Single)
            throw new ArgumentException(
                $"The conditioned reference model adds no Single column '{o.References.ScoreColumnName}' (the reference score column) when it reads '{column}' " +
                $"(the features followed by the {k} objective weights); it must be a fitted ranker such as FastTree's, or set {nameof(HyperDpoRankingTrainer.ReferenceOptions.ScoreColumnName)}.",
                nameof(HyperDpoRankingTrainer.ReferenceOptions.ConditionedModel));
        var drop = ml.Transforms.DropColumns(column, WeightsColumn).Fit(scored);
        var conditioned = new TransformerChain<ITransformer>(join, o.References.ConditionedModel, drop);
        return ReferenceScores.Build(Enumerable.Repeat<ITransformer>(conditioned, k).ToArray(), o.References.ScoreColumnName, o.LabelColumnNames, withWeights, null);
    }

    /// <summary>Equal weights for <paramref name="objectives"/> objectives.</summary>
    public static ObjectiveWeightSource Equal(int objectives) => ObjectiveWeightSource.Fixed(Enumerable.Repeat(1f / objectives, objectives).ToArray());

    /// <summary>
    /// The transformer that writes the normalised weights into <see cref="WeightsColumn"/>: a constant for fixed weights
    /// (<see cref="ConstantObjectiveWeightsEstimator"/>), each row's weights divided by their sum for a weights column. Both are
    /// stock ML.NET transformers, so the chain saves and loads.
    /// </summary>
    public static ITransformer Weights(ObjectiveWeightSource weights, string featureColumn, int featureCount, int objectives)
    {
        if (weights.FixedWeights is { } w)
            return new ConstantObjectiveWeightsEstimator(w, WeightsColumn)
                .Fit(EmptyDataView.With((featureColumn, new VectorDataViewType(NumberDataViewType.Single, featureCount))));
        return new MLContext().Transforms.NormalizeLpNorm(WeightsColumn, weights.ColumnName, LpNormNormalizingEstimatorBase.NormFunction.L1)
            .Fit(EmptyDataView.With((weights.ColumnName!, new VectorDataViewType(NumberDataViewType.Single, objectives))));
    }

    /// <summary>
    /// Every row's standardised conditioned reference score at each of <paramref name="grid"/>'s weights, in the row order of
    /// <paramref name="data"/> read as lists (the order the trainer reads it in).
    /// </summary>
    public static float[][] ScoresAt(IDataView data, ITransformer chain, IReadOnlyList<float[]> grid, HyperDpoRankingTrainer.Options o, int featureCount, string dataName)
    {
        int k = o.LabelColumnNames.Length;
        return grid.Select(w =>
        {
            var scored = new TransformerChain<ITransformer>(Weights(ObjectiveWeightSource.Fixed(w), o.FeatureColumnName, featureCount, k), chain).Transform(data);
            // Read as the lists are read, so that the rows come in the same order; every entry holds the one score.
            var read = ListwiseDataset.Read(scored, o.FeatureColumnName, o.LabelColumnNames, o.RowGroupColumnName, ReferenceScores.ColumnName, dataName);
            return Enumerable.Range(0, read.RowCount).Select(r => read.ReferenceScores[r * k]).ToArray();
        }).ToArray();
    }
}
