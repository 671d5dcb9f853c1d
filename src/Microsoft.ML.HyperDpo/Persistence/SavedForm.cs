using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.HyperDpo.Scoring;
using Microsoft.ML.HyperDpo.Scoring.Onnx;
using Microsoft.ML.Transforms.Onnx;

namespace Microsoft.ML.HyperDpo.Persistence;

/// <summary>
/// The stock ML.NET transformer a HyperDPO transformer saves itself as: ML.NET keeps its save and load machinery
/// internal (docs/persistence.md), so <c>Save</c> hands the model zip to an <see cref="OnnxTransformer"/> over the
/// exported graph, and that is what <c>mlContext.Model.Load</c> gives back.
/// </summary>
/// <remarks>
/// The saved form is a <c>TransformerChain</c> of stock transformers:
/// <list type="number">
/// <item><description>with a reference: its chain of stock transformers (<see cref="ReferenceScores"/>: the reference models and the
/// standardisation of their scores), whose vector of K reference scores is read by the graph;</description></item>
/// <item><description>the OnnxTransformer: inputs the feature column, the weights column (for a <see cref="WeightedScoreTransformer"/>)
/// and the reference copy; output <see cref="RawScoreColumn"/>, a vector of one Single (OnnxTransformer writes only vectors);</description></item>
/// <item><description>a linear regression model with weight 1 and bias 0 that turns it into the Single <c>Score</c> column
/// (<see cref="MlNetInternals.ScalarScore"/>), then a copy to the output column when that is not <c>Score</c>;</description></item>
/// <item><description>a drop of the temporary columns.</description></item>
/// </list>
/// </remarks>
internal static class SavedForm
{
    /// <summary>The temporary one-value vector column the graph writes.</summary>
    public const string RawScoreColumn = "HyperDpo.RawScore";

    public static void Save(ModelSaveContext ctx, ConditionedScoringModel model, ObjectiveWeightSource weights, string outputColumn)
    {
        var form = Build(model, weights, outputColumn);
        try
        {
            ((ICanSaveModel)form).Save(ctx);
        }
        finally
        {
            (form as IDisposable)?.Dispose();
        }
    }

    /// <summary>Builds the stock transformer (see the remarks).</summary>
    public static ITransformer Build(ConditionedScoringModel model, ObjectiveWeightSource weights, string outputColumn)
    {
        var ml = new MLContext();
        string? reference = model.Reference is null ? null : model.ReferenceScoreColumnName;
        using var graph = new MemoryStream();
        OnnxScoringGraph.Write(graph, model.Parameters, model.Objectives, model.FeatureColumnName, weights, reference, RawScoreColumn);
        graph.Position = 0;

        var columns = new List<(string Name, DataViewType Type)> { (model.FeatureColumnName, new VectorDataViewType(NumberDataViewType.Single, model.FeatureCount)) };
        if (weights.ColumnName is { } w) columns.Add((w, new VectorDataViewType(NumberDataViewType.Single, model.Objectives.Count)));
        var referenceType = new VectorDataViewType(NumberDataViewType.Single, model.Objectives.Count);
        if (reference is not null) columns.Add((reference, referenceType));
        var chain = new List<ITransformer>();
        if (model.Reference is not null)
            chain.Add(model.Reference);
        chain.Add(ml.Transforms.ApplyOnnxModel(new[] { RawScoreColumn }, columns.Select(c => c.Name).ToArray(), graph).Fit(EmptyDataView.With(columns.ToArray())));
        chain.Add(MlNetInternals.ScalarScore((IHostEnvironment)ml, RawScoreColumn));
        if (outputColumn != "Score")
            chain.Add(ml.Transforms.CopyColumns(outputColumn, "Score").Fit(EmptyDataView.With(("Score", NumberDataViewType.Single))));
        var temporary = reference is null ? new[] { (RawScoreColumn, (DataViewType)NumberDataViewType.Single) }
            : new[] { (RawScoreColumn, (DataViewType)NumberDataViewType.Single), (reference, referenceType) };
        chain.Add(ml.Transforms.DropColumns(temporary.Select(c => c.Item1).ToArray()).Fit(EmptyDataView.With(temporary)));
        return new TransformerChain<ITransformer>(chain.ToArray());
    }
}
