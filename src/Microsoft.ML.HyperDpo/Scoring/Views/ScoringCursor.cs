using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Data;

namespace Microsoft.ML.HyperDpo.Scoring;

/// <summary>
/// The scorers' own cursor over the columns a HyperDPO model reads: the features, the group key (listwise models only), the
/// weights and temperature columns when the weights come per row, and the K reference scores when the model has a reference
/// (the input then runs through the reference chain first). Opened once per scorer, ahead of the pass-through cursor.
/// </summary>
internal sealed record ScoringCursor(
    DataViewRowCursor Cursor,
    ValueGetter<VBuffer<float>> Features,
    Func<ulong>? Group,
    ValueGetter<VBuffer<float>>? Reference,
    ValueGetter<VBuffer<float>>? Weights,
    ValueGetter<float>? Temperature)
{
    /// <summary>Checks the columns of <paramref name="input"/> (after the reference chain) and opens a cursor over them.</summary>
    public static ScoringCursor Open(IDataView input, ConditionedScoringModel model, ObjectiveWeightSource weights, bool groups)
    {
        var source = model.ReferenceFor(weights)?.Transform(input) ?? input;
        var featureColumn = model.CheckFeatures(source.Schema);
        var groupColumn = groups ? ColumnChecks.GroupKey(source.Schema, model.GroupColumnName) : (DataViewSchema.Column?)null;
        var weightColumn = weights.Check(source.Schema, model.Objectives);
        var temperatureColumn = weights.CheckTemperature(source.Schema);
        var referenceColumn = model.Reference is null ? (DataViewSchema.Column?)null : source.Schema[model.ReferenceScoreColumnName];
        var active = new[] { featureColumn, groupColumn, weightColumn, temperatureColumn, referenceColumn }.OfType<DataViewSchema.Column>();
        var cursor = source.GetRowCursor(active);
        return new ScoringCursor(
            cursor,
            cursor.GetGetter<VBuffer<float>>(featureColumn),
            groupColumn is { } gc ? ColumnChecks.KeyGetter(cursor, gc) : null,
            referenceColumn is { } rc ? cursor.GetGetter<VBuffer<float>>(rc) : null,
            weightColumn is { } wc ? cursor.GetGetter<VBuffer<float>>(wc) : null,
            temperatureColumn is { } tc ? cursor.GetGetter<float>(tc) : null);
    }
}
