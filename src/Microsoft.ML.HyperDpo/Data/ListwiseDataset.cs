using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo.Data;

/// <summary>
/// Ranking data held in memory as lists: the rows of each group (query) are stored next to each other,
/// whatever their order in the source, with a dense feature matrix and one label column per objective.
/// </summary>
internal sealed class ListwiseDataset
{
    /// <summary>Row-major features, <see cref="RowCount"/> x <see cref="FeatureCount"/>.</summary>
    public float[] Features { get; }
    /// <summary>Row-major labels, <see cref="RowCount"/> x objectives (empty when read without labels).</summary>
    public float[] Labels { get; }
    /// <summary>
    /// Row-major standardised reference scores, <see cref="RowCount"/> x <see cref="ReferenceWidth"/> (all zero without a reference):
    /// K per row, whose w-weighted sum is the reference for weights w, or, for a reference that reads w itself
    /// (<see cref="ReferenceGrid"/>), one per grid weight (<see cref="ReferenceAt"/>).
    /// </summary>
    public float[] ReferenceScores { get; }

    /// <summary>True when the data was read with reference scores.</summary>
    public bool HasReference { get; private init; }

    /// <summary>
    /// The weight vectors at which a reference that reads the objective weights (a conditioned reference r(x, w)) was scored, one
    /// column of <see cref="ReferenceScores"/> each; null for K per-objective scores.
    /// </summary>
    public IReadOnlyList<float[]>? ReferenceGrid { get; private init; }

    /// <summary>Reference values per row: K, or one per <see cref="ReferenceGrid"/> weight.</summary>
    public int ReferenceWidth => ReferenceGrid?.Count ?? ObjectiveCount;

    /// <summary>
    /// The reference score of every row for the weights <paramref name="w"/>: sum_k w_k r_k, or, with a <see cref="ReferenceGrid"/>,
    /// the scores taken at w, which must be one of its points.
    /// </summary>
    /// <exception cref="InvalidOperationException">A conditioned reference was not scored at <paramref name="w"/>.</exception>
    public float[] ReferenceAt(IReadOnlyList<float> w)
    {
        var result = new float[RowCount];
        if (!HasReference) return result;
        int k = ObjectiveCount, width = ReferenceWidth;
        if (ReferenceGrid is { } grid)
        {
            int at = Enumerable.Range(0, grid.Count).FirstOrDefault(p => Enumerable.Range(0, k).All(j => Math.Abs(grid[p][j] - w[j]) < 1e-6f), -1);
            if (at < 0)
                throw new InvalidOperationException($"The conditioned reference was scored at {grid.Count} grid weights only; ({string.Join(", ", w)}) is not one of them.");
            for (int r = 0; r < result.Length; r++) result[r] = ReferenceScores[r * width + at];
            return result;
        }
        for (int r = 0; r < result.Length; r++)
        {
            float sum = 0;
            for (int j = 0; j < k; j++) sum += w[j] * ReferenceScores[r * k + j];
            result[r] = sum;
        }
        return result;
    }

    /// <summary>
    /// The same lists with the reference scores of a reference that reads the weights: <paramref name="scoresAt"/>[p] holds every
    /// row's score (in this dataset's row order) at <paramref name="grid"/>[p].
    /// </summary>
    public ListwiseDataset WithReferenceGrid(IReadOnlyList<float[]> grid, IReadOnlyList<float[]> scoresAt)
    {
        if (scoresAt.Count != grid.Count || scoresAt.Any(s => s.Length != RowCount))
            throw new ArgumentException($"Expected {grid.Count} score vectors of {RowCount} rows.", nameof(scoresAt));
        var reference = new float[(long)RowCount * grid.Count];
        for (int r = 0; r < RowCount; r++)
            for (int p = 0; p < grid.Count; p++)
                reference[(long)r * grid.Count + p] = scoresAt[p][r];
        return new ListwiseDataset(Features, Labels, reference, ListStarts, FeatureCount, ObjectiveCount)
            { HasReference = true, ReferenceGrid = grid.Select(w => (float[])w.Clone()).ToArray() };
    }

    /// <summary>List i covers rows ListStarts[i] .. ListStarts[i+1]-1.</summary>
    public int[] ListStarts { get; }
    public int FeatureCount { get; }
    public int ObjectiveCount { get; }
    public int RowCount => ListStarts[^1];
    public int ListCount => ListStarts.Length - 1;
    public int ListLength(int list) => ListStarts[list + 1] - ListStarts[list];

    private ListwiseDataset(float[] features, float[] labels, float[] reference, int[] listStarts, int featureCount, int objectives)
    {
        Features = features;
        Labels = labels;
        ReferenceScores = reference;
        ListStarts = listStarts;
        FeatureCount = featureCount;
        ObjectiveCount = objectives;
    }

    /// <summary>
    /// The same lists with each row's K reference scores appended to its features (F + K features), for a network that reads the
    /// reference scores as inputs (<see cref="ReferenceForm.ExtraInputs"/>).
    /// </summary>
    public ListwiseDataset WithReferenceInputs()
    {
        if (ReferenceGrid is not null)
            throw new InvalidOperationException("A conditioned reference (one that reads the objective weights) cannot be a network input: its score depends on w.");
        int f = FeatureCount, k = ObjectiveCount, width = f + k;
        var joined = new float[(long)RowCount * width];
        for (int r = 0; r < RowCount; r++)
        {
            Array.Copy(Features, (long)r * f, joined, (long)r * width, f);
            Array.Copy(ReferenceScores, (long)r * k, joined, (long)r * width + f, k);
        }
        return new ListwiseDataset(joined, Labels, ReferenceScores, ListStarts, width, k) { HasReference = HasReference };
    }

    /// <summary>
    /// Reads and checks every row of <paramref name="data"/>. Throws <see cref="InvalidOperationException"/>
    /// naming the column, row and value for a non-finite feature, a label that is not a whole-number grade from 0 to
    /// <see cref="Evaluation.NdcgGains.MaxGrade"/>, or a missing group,
    /// and <see cref="ArgumentException"/> for missing or mistyped columns.
    /// </summary>
    public static ListwiseDataset Read(IDataView data, string featureColumn, IReadOnlyList<string> labelColumns,
        string groupColumn, string? referenceScoreColumn, string dataName, float[]? referenceByRow = null)
    {
        var schema = data.Schema;
        var featureCol = ColumnChecks.FeatureVector(schema, featureColumn);
        int featureCount = ((VectorDataViewType)featureCol.Type).Size;
        var labelCols = labelColumns.Select(n => ColumnChecks.Label(schema, n)).ToArray();
        var groupCol = ColumnChecks.GroupKey(schema, groupColumn);
        var refCol = referenceScoreColumn is null ? (DataViewSchema.Column?)null : schema[referenceScoreColumn];

        var active = new List<DataViewSchema.Column> { featureCol, groupCol };
        active.AddRange(labelCols);
        if (refCol is { } rc) active.Add(rc);

        // With a known row count the features go straight into one array of the exact size: the only full copy of
        // them that a fit holds (LibTorch's tensors share it on the CPU).
        long? knownRows = data.GetRowCount();
        if (knownRows * featureCount > Array.MaxLength)
            throw new InvalidOperationException($"The {dataName} has {knownRows} rows of {featureCount} features: more than one array of float can hold ({Array.MaxLength}); train on a sample.");
        int k = labelCols.Length;
        var features = new GrowableArray((knownRows ?? 1024) * featureCount);
        var labels = new GrowableArray((knownRows ?? 1024) * k);
        var reference = new GrowableArray((knownRows ?? 1024) * k);
        var groupOfRow = new List<ulong>((int)Math.Min(knownRows ?? 1024, int.MaxValue));

        using (var cursor = data.GetRowCursor(active))
        {
            var featureGetter = cursor.GetGetter<VBuffer<float>>(featureCol);
            var labelGetters = labelCols.Select(c => ColumnChecks.NumericGetter(cursor, c)).ToArray();
            var groupGetter = ColumnChecks.KeyGetter(cursor, groupCol);
            var refGetter = refCol is { } r ? cursor.GetGetter<VBuffer<float>>(r) : null;
            VBuffer<float> referenceBuffer = default;
            VBuffer<float> buffer = default;
            long row = 0;
            while (cursor.MoveNext())
            {
                featureGetter(ref buffer);
                if (buffer.Length != featureCount)
                    throw new InvalidOperationException($"Column '{featureColumn}' has {buffer.Length} values at row {row}; its type says {featureCount}.");
                int slot = 0;
                foreach (float v in buffer.DenseValues())
                {
                    if (!float.IsFinite(v))
                        throw new InvalidOperationException(
                            $"Column '{featureColumn}' has the value {v} at row {row}, slot {slot} ({dataName}). Features must be finite: " +
                            "replace missing values first (e.g. mlContext.Transforms.ReplaceMissingValues) or drop those rows.");
                    features.Add(v);
                    slot++;
                }
                for (int j = 0; j < k; j++)
                {
                    double y = labelGetters[j]();
                    if (double.IsNaN(y) || y < 0 || double.IsInfinity(y))
                        throw new InvalidOperationException(
                            $"Label column '{labelColumns[j]}' has the value {y} at row {row} ({dataName}). Objective labels must be finite grades >= 0 (higher is better).");
                    // NDCG, which validation and the Pareto profile measure, counts whole grades only: 0.5 would count as 0, and
                    // 2.5 as 2, while the loss ranks 2.5 above 2; a fractional grade is refused rather than measured as another.
                    if (y != Math.Floor(y))
                        throw new InvalidOperationException(
                            $"Label column '{labelColumns[j]}' has the value {y.ToString(System.Globalization.CultureInfo.InvariantCulture)} at row {row} ({dataName}). Objective labels must be whole-number grades " +
                            $"0, 1, 2, ... up to {Evaluation.NdcgGains.MaxGrade} (higher is better): NDCG counts the integer part of a grade only. Map the values to grades first (e.g. round them, or scale then round).");
                    if (Evaluation.NdcgGains.Problem(y) is string problem)
                        throw new InvalidOperationException($"Label column '{labelColumns[j]}' has the grade {y.ToString(System.Globalization.CultureInfo.InvariantCulture)} at row {row} ({dataName}); {problem}.");
                    labels.Add((float)y);
                }
                ulong g = groupGetter();
                if (g == 0)
                    throw new InvalidOperationException($"Group column '{groupColumn}' has a missing key at row {row} ({dataName}); every row needs a group.");
                groupOfRow.Add(g);
                if (refGetter is not null)
                {
                    refGetter(ref referenceBuffer);
                    int j = 0;
                    foreach (float s in referenceBuffer.DenseValues())
                    {
                        if (!float.IsFinite(s))
                            throw new InvalidOperationException($"The reference model of objective '{labelColumns[j]}' scores {s} at row {row} ({dataName}); reference scores must be finite.");
                        reference.Add(s);
                        j++;
                    }
                }
                else
                {
                    for (int j = 0; j < k; j++) reference.Add(referenceByRow is null ? 0f : referenceByRow[row * k + j]);
                }
                row++;
            }
        }
        if (groupOfRow.Count == 0)
            throw new InvalidOperationException($"The {dataName} has no rows.");

        // Groups in order of first appearance; rows of a group keep their relative order. When every group's rows are
        // already contiguous (ML.NET's own rule for ranking data) the arrays are used as read, without a second copy.
        var starts = new List<int> { 0 };
        var seen = new HashSet<ulong> { groupOfRow[0] };
        bool contiguous = true;
        for (int i = 1; i < groupOfRow.Count && contiguous; i++)
        {
            if (groupOfRow[i] == groupOfRow[i - 1]) continue;
            contiguous = seen.Add(groupOfRow[i]);
            starts.Add(i);
        }
        if (contiguous)
        {
            starts.Add(groupOfRow.Count);
            return new ListwiseDataset(features.ToExactArray(), labels.ToExactArray(), reference.ToExactArray(), starts.ToArray(), featureCount, k)
                { HasReference = refCol is not null || referenceByRow is not null };
        }

        var order = Enumerable.Range(0, groupOfRow.Count)
            .GroupBy(i => groupOfRow[i])
            .ToList();
        var groupStarts = new int[order.Count + 1];
        var f = new float[features.Count];
        var l = new float[labels.Count];
        var rf = new float[reference.Count];
        int dst = 0;
        for (int gi = 0; gi < order.Count; gi++)
        {
            groupStarts[gi] = dst;
            foreach (int src in order[gi])
            {
                features.CopyTo(src * featureCount, f, dst * featureCount, featureCount);
                labels.CopyTo(src * k, l, dst * k, k);
                reference.CopyTo(src * k, rf, dst * k, k);
                dst++;
            }
        }
        groupStarts[^1] = dst;
        return new ListwiseDataset(f, l, rf, groupStarts, featureCount, k) { HasReference = refCol is not null || referenceByRow is not null };
    }

    /// <summary>A copy holding only <paramref name="lists"/> (indices of this dataset's lists), in that order.</summary>
    public ListwiseDataset Lists(IReadOnlyList<int> lists)
    {
        int f = FeatureCount, k = ObjectiveCount;
        var starts = new int[lists.Count + 1];
        for (int i = 0; i < lists.Count; i++) starts[i + 1] = starts[i] + ListLength(lists[i]);
        var features = new float[(long)starts[^1] * f];
        var labels = new float[starts[^1] * k];
        int width = ReferenceWidth;
        var reference = new float[starts[^1] * width];
        for (int i = 0; i < lists.Count; i++)
        {
            int from = ListStarts[lists[i]], rows = ListLength(lists[i]);
            Array.Copy(Features, (long)from * f, features, (long)starts[i] * f, (long)rows * f);
            Array.Copy(Labels, from * k, labels, starts[i] * k, rows * k);
            Array.Copy(ReferenceScores, from * width, reference, starts[i] * width, rows * width);
        }
        return new ListwiseDataset(features, labels, reference, starts, f, k) { HasReference = HasReference, ReferenceGrid = ReferenceGrid };
    }

    /// <summary>This dataset's lists followed by <paramref name="other"/>'s (same features and objectives; reference scores kept when both have them).</summary>
    public ListwiseDataset Concat(ListwiseDataset other)
    {
        if (other.FeatureCount != FeatureCount || other.ObjectiveCount != ObjectiveCount)
            throw new ArgumentException($"Cannot join lists of {other.FeatureCount} features and {other.ObjectiveCount} objectives to lists of {FeatureCount} and {ObjectiveCount}.", nameof(other));
        var starts = new int[ListCount + other.ListCount + 1];
        Array.Copy(ListStarts, starts, ListStarts.Length);
        for (int i = 1; i <= other.ListCount; i++) starts[ListCount + i] = RowCount + other.ListStarts[i];
        return new ListwiseDataset([.. Features, .. other.Features], [.. Labels, .. other.Labels], [.. ReferenceScores, .. other.ReferenceScores],
            starts, FeatureCount, ObjectiveCount) { HasReference = HasReference && other.HasReference };
    }

    /// <summary>A float array filled in order, of a given initial capacity, doubled when it is exceeded.</summary>
    private sealed class GrowableArray(long capacity)
    {
        private float[] _values = new float[Math.Max(1, capacity)];

        public int Count { get; private set; }

        public float this[int index] => _values[index];

        public void Add(float value)
        {
            if (Count == _values.Length)
                Array.Resize(ref _values, (int)Math.Min(Array.MaxLength, 2L * _values.Length));
            _values[Count++] = value;
        }

        public void CopyTo(int start, float[] target, int targetStart, int count) => Array.Copy(_values, start, target, targetStart, count);

        /// <summary>The values, without a copy when the capacity was exact.</summary>
        public float[] ToExactArray() => _values.Length == Count ? _values : _values[..Count];
    }

    /// <summary>The label of <paramref name="row"/> for objective <paramref name="objective"/>.</summary>
    public float Label(int row, int objective) => Labels[row * ObjectiveCount + objective];
}
