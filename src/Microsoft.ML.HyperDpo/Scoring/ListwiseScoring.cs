using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Persistence;
using Microsoft.ML.HyperDpo.Scoring.Onnx;

namespace Microsoft.ML.HyperDpo.Scoring;

/// <summary>
/// Where a row-wise (MLP) and a listwise (transformer) model part ways at scoring time: lazy views, prediction engines, ONNX
/// export and <c>mlContext.Model.Save</c>. The MLP scores rows one by one; the transformer scores whole groups.
/// </summary>
internal static class ListwiseScoring
{
    private const string Guidance = "see docs/conditioning.md (group-aware scoring)";

    public static IDataView Transform(IDataView input, ConditionedScoringModel model, ObjectiveWeightSource weights, string scoreColumn) =>
        model.Listwise is null
            ? new ScoredDataView(input, model, weights, scoreColumn)
            : new GroupScoredDataView(input, model, weights, scoreColumn);

    /// <summary>
    /// The MLP's row mapper. A listwise model has none: a prediction engine sees one row at a time, and a document alone is
    /// not the group the model was trained to rank, so it is refused rather than scored as a group of one.
    /// </summary>
    public static IRowToRowMapper RowToRowMapper(DataViewSchema inputSchema, ConditionedScoringModel model, ObjectiveWeightSource weights, string scoreColumn) =>
        model.Listwise is null
            ? new ScoringRowMapper(inputSchema, model, weights, scoreColumn)
            : throw new NotSupportedException("A listwise (Transformer) HyperDPO model scores the documents of a query together, so it cannot score one row at a time " +
                "(prediction engines): call Transform on a data view that holds each query's rows together, or score one query's documents as one IDataView; " + Guidance + ".");

    public static void ExportToOnnx(Stream stream, ConditionedScoringModel model, ObjectiveWeightSource weights, string scoreColumn)
    {
        string? reference = model.Reference is null ? null : HyperDpoRankingTransformer.OnnxReferenceScoreInputName;
        if (model.Listwise is { } listwise)
            TransformerOnnxGraph.Write(stream, listwise.Export(), model.Objectives, model.FeatureColumnName, weights, reference, scoreColumn, model.ReferenceInputs);
        else
            OnnxScoringGraph.Write(stream, model.Parameters, model.Objectives, model.FeatureColumnName, weights, reference, scoreColumn, referenceInputs: model.ReferenceInputs);
    }

    /// <summary>
    /// Saves the MLP as stock ML.NET transformers (SavedForm). ML.NET's OnnxTransformer feeds a graph one row at a time, which
    /// would score every document of a listwise model as a group of one, so a listwise model is refused with the alternative.
    /// </summary>
    public static void Save(ModelSaveContext ctx, ConditionedScoringModel model, ObjectiveWeightSource weights, string scoreColumn)
    {
        if (model.Listwise is not null)
            throw new NotSupportedException("A listwise (Transformer) HyperDPO model cannot be saved with mlContext.Model.Save: ML.NET's stock loader would score " +
                "each document alone. Save it with HyperDpoCheckpoint.Save and read it with HyperDpoCheckpoint.Load(...).Model, or export the per-group " +
                "ONNX graph with ExportToOnnx; " + Guidance + ".");
        SavedForm.Save(ctx, model, weights, scoreColumn);
    }
}
