using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Makes an auxiliary objective's label column from one feature: each row is graded by the rank of that
/// feature's value within its group (query), quantised to grades 0..G-1 (higher is better); optionally the
/// feature is removed from the feature vector so that a model cannot simply copy it.
/// Create it with <see cref="FeatureRankObjectiveCatalog.FeatureRankObjective"/>.
/// </summary>
/// <remarks>
/// <para><b>Input and output columns</b></para>
/// <list type="table">
/// <listheader><term>Column</term><description>Type and role</description></listheader>
/// <item><term>features (default <c>Features</c>)</term><description>Input: known-size vector of <see cref="float"/>. If <c>removeFromFeatures</c>, replaced in the output by a vector one slot shorter, without the graded slot; its slot names (if any) follow, and its <c>IsNormalized</c> flag is kept; other annotations, which describe slots, are not carried over.</description></item>
/// <item><term>row group (default <c>GroupId</c>)</term><description>Input: a key column (any key raw type). Rows of one group need not be contiguous.</description></item>
/// <item><term>output (e.g. <c>PageRankLabel</c>)</term><description>Output: scalar <see cref="float"/>, the grade 0..G-1 (added, or replacing a column of that name).</description></item>
/// </list>
/// <para>All other input columns pass through unchanged.</para>
/// <para><b>Quantisation rule.</b> For a row with value x, let <c>worse</c> and <c>better</c> be the numbers of rows
/// of its group whose value is strictly worse, respectively strictly better, than x (by <see cref="FeatureDirection"/>).
/// The grade is <c>min(G - 1, floor(G * worse / (worse + better)))</c>, and 0 if <c>worse + better = 0</c>
/// (singleton groups and groups of equal values). Tied values get the same grade; the worst value of a group
/// gets 0 and the best gets G - 1; without ties the grades spread evenly (rank / (n - 1)). A large tie is graded
/// by where it lies: on MQ2008, where most PageRank values of a query are 0, the zeros get 0 under
/// <see cref="FeatureDirection.HigherIsBetter"/> (they are the worst), and G - 1 under
/// <see cref="FeatureDirection.LowerIsBetter"/>.</para>
/// <para><b>Characteristics</b></para>
/// <list type="table">
/// <item><term>Trains?</term><description>No: <c>Fit</c> only checks the schema. Grades depend on whole groups, so the transformer's output view makes one pass over its input (at its first cursor) to grade every row, keeps one float per row, and then reads the input again lazily, adding the grade by row position.</description></item>
/// <item><term>Row order</term><description>The output view cannot shuffle and always reads its input in order, without a random source.</description></item>
/// <item><term>Errors</term><description>A NaN feature value or a row with the missing key (0) in the group column is an <see cref="InvalidOperationException"/> naming the row, column and slot, raised when the output is first read.</description></item>
/// <item><term>Saving</term><description><c>mlContext.Model.Save</c> keeps the feature removal (as ML.NET's stock slot-dropping transform), not the grade column (see <see cref="FeatureRankObjectiveTransformer"/>).</description></item>
/// </list>
/// <para>With the default <c>mlContext.Ranking.Evaluate</c> gains (0, 3, 7, 15, 31) the grades must stay within 0..4,
/// i.e. G &lt;= 5; with more grades, pass <c>RankingEvaluatorOptions.LabelGains</c>.</para>
/// </remarks>
public sealed class FeatureRankObjectiveEstimator : IEstimator<FeatureRankObjectiveTransformer>
{
    private readonly SchemaShape.Column _outputShape;

    internal FeatureRankObjectiveEstimator(string outputColumnName, int featureIndex, FeatureDirection direction, int grades,
        bool removeFromFeatures, string featuresColumnName, string rowGroupColumnName)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(featuresColumnName);
        ArgumentException.ThrowIfNullOrEmpty(rowGroupColumnName);
        if (featureIndex < 0)
            throw new ArgumentOutOfRangeException(nameof(featureIndex), featureIndex, "The feature index is a zero-based slot index and must be at least 0 (LETOR feature id N is slot N - 1).");
        if (!Enum.IsDefined(direction))
            throw new ArgumentOutOfRangeException(nameof(direction), direction, $"Expected {FeatureDirection.HigherIsBetter} or {FeatureDirection.LowerIsBetter}.");
        if (grades < 2)
            throw new ArgumentOutOfRangeException(nameof(grades), grades, "There must be at least 2 grades.");
        if (outputColumnName == featuresColumnName)
            throw new ArgumentException($"The output column '{outputColumnName}' must not be the features column '{featuresColumnName}'.", nameof(outputColumnName));
        if (outputColumnName == rowGroupColumnName)
            throw new ArgumentException($"The output column '{outputColumnName}' must not be the row group column '{rowGroupColumnName}'.", nameof(outputColumnName));
        if (featuresColumnName == rowGroupColumnName)
            throw new ArgumentException($"The features column and the row group column are both '{featuresColumnName}'.", nameof(rowGroupColumnName));

        OutputColumnName = outputColumnName;
        FeatureIndex = featureIndex;
        Direction = direction;
        Grades = grades;
        RemoveFromFeatures = removeFromFeatures;
        FeaturesColumnName = featuresColumnName;
        RowGroupColumnName = rowGroupColumnName;
        _outputShape = ScalarColumnShape.Single(outputColumnName);
    }

    /// <summary>The name of the grade column this estimator adds.</summary>
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
    /// Checks the input schema and returns the transformer; nothing is learnt from the data.
    /// </summary>
    /// <param name="input">The data whose schema is checked.</param>
    /// <returns>The transformer, with this estimator's settings.</returns>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type, or the feature index is beyond the vector.</exception>
    public FeatureRankObjectiveTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = new FeatureRankObjectiveTransformer(this);
        transformer.CheckInputSchema(input.Schema);
        return transformer;
    }

    /// <summary>
    /// Checks the input schema shape and returns the output shape: the input columns plus the scalar
    /// <see cref="float"/> grade column. Whether the feature index fits the vector cannot be checked here
    /// (a schema shape does not record vector lengths); <see cref="Fit"/> checks it.
    /// </summary>
    /// <param name="inputSchema">The input schema shape.</param>
    /// <returns>The output schema shape.</returns>
    /// <exception cref="ArgumentException">A column is missing or has the wrong kind.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var columns = inputSchema.ToDictionary(c => c.Name);

        if (!columns.TryGetValue(FeaturesColumnName, out var features))
            throw new ArgumentException($"FeatureRankObjective: the input has no features column '{FeaturesColumnName}'.", nameof(inputSchema));
        if (features.Kind != SchemaShape.Column.VectorKind.Vector || features.ItemType != NumberDataViewType.Single || features.IsKey)
            throw new ArgumentException($"FeatureRankObjective: column '{FeaturesColumnName}' is a {features.Kind} of {features.ItemType}{(features.IsKey ? " keys" : "")}; expected a known-size vector of Single.", nameof(inputSchema));
        if (!columns.TryGetValue(RowGroupColumnName, out var group))
            throw new ArgumentException($"FeatureRankObjective: the input has no row group column '{RowGroupColumnName}'.", nameof(inputSchema));
        if (!group.IsKey || group.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw new ArgumentException($"FeatureRankObjective: row group column '{RowGroupColumnName}' is a {group.Kind} of {group.ItemType} that is not a scalar key; expected a key type (e.g. from MapValueToKey).", nameof(inputSchema));

        // The shortened features vector has the same shape as the input one (shapes carry no length).
        columns[OutputColumnName] = _outputShape;
        return new SchemaShape(columns.Values);
    }
}
