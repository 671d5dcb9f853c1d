using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Adds an auxiliary objective's grade column, made from one feature's rank within each group, and
/// optionally removes that feature from the features vector. Made by <see cref="FeatureRankObjectiveEstimator"/>,
/// whose remarks define the columns and the quantisation rule.
/// </summary>
/// <remarks>
/// <c>mlContext.Model.Save</c> writes what a served model needs of it, as a stock ML.NET transformer: the removal of the
/// graded slot from the features vector (ML.NET's slot-dropping transform), or nothing (an empty chain) when the feature
/// is kept. The grade column is not part of the saved form: a grade depends on the other rows of the group, and it is a
/// label, which scoring does not read. A loaded pipeline therefore scores raw rows, with the full features vector,
/// without this library; to evaluate the loaded model on the objective, apply <c>FeatureRankObjective</c> (without
/// removal) to the scored data.
/// </remarks>
public sealed class FeatureRankObjectiveTransformer : ITransformer
{
    internal FeatureRankObjectiveTransformer(FeatureRankObjectiveEstimator settings)
    {
        OutputColumnName = settings.OutputColumnName;
        FeatureIndex = settings.FeatureIndex;
        Direction = settings.Direction;
        Grades = settings.Grades;
        RemoveFromFeatures = settings.RemoveFromFeatures;
        FeaturesColumnName = settings.FeaturesColumnName;
        RowGroupColumnName = settings.RowGroupColumnName;
    }

    /// <summary>The name of the grade column this transformer adds.</summary>
    public string OutputColumnName { get; }

    /// <summary>The zero-based slot of the graded feature in the features vector (LETOR feature id N is slot N - 1).</summary>
    public int FeatureIndex { get; }

    /// <summary>Which values of the feature are better.</summary>
    public FeatureDirection Direction { get; }

    /// <summary>The number of grades G; grades run from 0 (worst) to G - 1 (best).</summary>
    public int Grades { get; }

    /// <summary>Whether the graded slot is removed from the features vector.</summary>
    public bool RemoveFromFeatures { get; }

    /// <summary>The name of the features vector column.</summary>
    public string FeaturesColumnName { get; }

    /// <summary>The name of the key column that defines the groups (queries).</summary>
    public string RowGroupColumnName { get; }

    /// <summary>
    /// False: a grade depends on the other rows of its group, so rows cannot be mapped one at a time
    /// (and a prediction engine cannot be built on this transformer).
    /// </summary>
    public bool IsRowToRowMapper => false;

    /// <summary>
    /// The schema <see cref="Transform"/> produces from <paramref name="inputSchema"/>: the input columns,
    /// then the grade column and, if the feature is removed, the shortened features column (hiding the input
    /// columns of the same names).
    /// </summary>
    /// <param name="inputSchema">The input schema.</param>
    /// <returns>The output schema.</returns>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type, or the feature index is beyond the vector.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckInputSchema(inputSchema);
        return FeatureRankObjectiveDataView.BuildSchema(inputSchema, this);
    }

    /// <summary>Not supported: a grade depends on the other rows of its group (see <see cref="IsRowToRowMapper"/>).</summary>
    /// <param name="inputSchema">Ignored.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
        => throw new NotSupportedException("FeatureRankObjective grades a row by the other rows of its group, so it cannot map rows one at a time.");

    /// <summary>
    /// Returns a view of <paramref name="input"/> with the grade column added (and the features shortened if
    /// asked). Nothing is read here: the first cursor on the result reads the features and groups of all rows
    /// once to grade them, then every cursor reads the input in order and adds the grades by row position.
    /// </summary>
    /// <param name="input">The data to grade; it must give the same rows in the same order each time it is read.</param>
    /// <returns>The lazily graded view.</returns>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type, or the feature index is beyond the vector.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInputSchema(input.Schema);
        return new FeatureRankObjectiveDataView(input, this);
    }

    /// <summary>Saves the scoring part of this transformer as stock ML.NET transformers (see the remarks).</summary>
    /// <param name="ctx">The save context that <c>mlContext.Model.Save</c> passes.</param>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)SavedForm()).Save(ctx);

    /// <summary>The stock transformer this one is saved as: the slot removal, or an empty chain.</summary>
    private ITransformer SavedForm()
    {
        var env = (IHostEnvironment)new MLContext();
        return RemoveFromFeatures ? MlNetInternals.DropSlot(env, FeaturesColumnName, FeatureIndex) : new TransformerChain<ITransformer>();
    }

    /// <summary>Checks that the features, group and slot exist and have the right types; throws naming the column otherwise.</summary>
    internal void CheckInputSchema(DataViewSchema schema)
    {
        var features = schema.GetColumnOrNull(FeaturesColumnName)
            ?? throw new ArgumentException($"FeatureRankObjective: the input has no features column '{FeaturesColumnName}'.", nameof(schema));
        if (features.Type is not VectorDataViewType { IsKnownSize: true } vector || vector.ItemType != NumberDataViewType.Single)
            throw new ArgumentException($"FeatureRankObjective: column '{FeaturesColumnName}' is {features.Type}; expected a known-size vector of Single.", nameof(schema));
        if (FeatureIndex >= vector.Size)
            throw new ArgumentException($"FeatureRankObjective: feature index {FeatureIndex} (LETOR feature id {FeatureIndex + 1}) is beyond column '{FeaturesColumnName}', which has {vector.Size} slots (valid indices 0..{vector.Size - 1}, feature ids 1..{vector.Size}).", nameof(schema));
        if (RemoveFromFeatures && vector.Size < 2)
            throw new ArgumentException($"FeatureRankObjective: column '{FeaturesColumnName}' has only {vector.Size} slot, so removing slot {FeatureIndex} would leave an empty vector.", nameof(schema));
        var group = schema.GetColumnOrNull(RowGroupColumnName)
            ?? throw new ArgumentException($"FeatureRankObjective: the input has no row group column '{RowGroupColumnName}'.", nameof(schema));
        if (group.Type is not KeyDataViewType)
            throw new ArgumentException($"FeatureRankObjective: row group column '{RowGroupColumnName}' is {group.Type}; expected a key type (e.g. from MapValueToKey).", nameof(schema));
    }
}
