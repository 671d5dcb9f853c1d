using Microsoft.ML.HyperDpo.Data;
using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// The output of <see cref="FeatureRankObjectiveTransformer.Transform"/>: the input, read in order, plus a grade
/// per row computed in one pass over the whole input at the first cursor, plus (optionally) the features
/// vector without the graded slot.
/// </summary>
internal sealed class FeatureRankObjectiveDataView : IDataView
{
    // Annotation kinds as ML.NET names them (its AnnotationUtils.Kinds is internal).
    private const string SlotNamesKind = "SlotNames";
    private const string IsNormalizedKind = "IsNormalized";

    private readonly IDataView _input;
    private readonly FeatureRankObjectiveTransformer _settings;
    private readonly int _inputFeatures;
    private readonly int _inputGroup;
    private readonly int _labelIndex;
    private readonly int _featuresIndex;
    private readonly Lazy<float[]> _grades;

    public FeatureRankObjectiveDataView(IDataView input, FeatureRankObjectiveTransformer settings)
    {
        _input = input;
        _settings = settings;
        _inputFeatures = input.Schema[settings.FeaturesColumnName].Index;
        _inputGroup = input.Schema[settings.RowGroupColumnName].Index;
        Schema = BuildSchema(input.Schema, settings);
        _labelIndex = input.Schema.Count;
        _featuresIndex = settings.RemoveFromFeatures ? input.Schema.Count + 1 : -1;
        _grades = new Lazy<float[]>(ComputeGrades, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public DataViewSchema Schema { get; }

    /// <summary>False: grades are attached by row position, so the input is always read in its own order.</summary>
    public bool CanShuffle => false;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var inputNeeded = needed.Where(i => i < _labelIndex).Select(i => _input.Schema[i]).ToList();
        if (needed.Contains(_featuresIndex) && !needed.Contains(_inputFeatures))
            inputNeeded.Add(_input.Schema[_inputFeatures]);
        float[]? grades = needed.Contains(_labelIndex) ? _grades.Value : null;
        return new Cursor(this, _input.GetRowCursor(inputNeeded), needed, grades);
    }

    /// <summary>One cursor whatever <paramref name="n"/> is: the grades are attached by position in one ordered pass.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];

    /// <summary>The input columns (hidden ones too), then the grade column, then the shortened features if removing.</summary>
    internal static DataViewSchema BuildSchema(DataViewSchema input, FeatureRankObjectiveTransformer settings)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        builder.AddColumn(settings.OutputColumnName, NumberDataViewType.Single);
        if (settings.RemoveFromFeatures)
        {
            var features = input[settings.FeaturesColumnName];
            int size = ((VectorDataViewType)features.Type).Size;
            var annotations = new DataViewSchema.Annotations.Builder();
            if (features.HasSlotNames())
            {
                VBuffer<ReadOnlyMemory<char>> names = default;
                features.GetSlotNames(ref names);
                var kept = RemoveSlot(names, settings.FeatureIndex);
                annotations.Add(SlotNamesKind, new VectorDataViewType(TextDataViewType.Instance, size - 1),
                    (ref VBuffer<ReadOnlyMemory<char>> value) => kept.CopyTo(ref value));
            }
            if (features.IsNormalized())
                annotations.Add(IsNormalizedKind, BooleanDataViewType.Instance, (ref bool value) => value = true);
            builder.AddColumn(settings.FeaturesColumnName, new VectorDataViewType(NumberDataViewType.Single, size - 1), annotations.ToAnnotations());
        }
        return builder.ToSchema();
    }

    private static VBuffer<T> RemoveSlot<T>(VBuffer<T> source, int slot)
    {
        var values = new T[source.Length - 1];
        int k = 0;
        foreach (var (value, i) in source.DenseValues().Select((v, i) => (v, i)))
        {
            if (i != slot)
                values[k++] = value;
        }
        return new VBuffer<T>(values.Length, values);
    }

    /// <summary>The one pass: reads every row's group key and feature value, then grades each group.</summary>
    private float[] ComputeGrades()
    {
        var featuresColumn = _input.Schema[_inputFeatures];
        var groupColumn = _input.Schema[_inputGroup];
        var keys = new List<ulong>();
        var values = new List<float>();
        using (var cursor = _input.GetRowCursor([featuresColumn, groupColumn]))
        {
            var getFeatures = cursor.GetGetter<VBuffer<float>>(featuresColumn);
            var getKey = KeyGetter(cursor, groupColumn);
            VBuffer<float> features = default;
            while (cursor.MoveNext())
            {
                getFeatures(ref features);
                float value = features.GetItemOrDefault(_settings.FeatureIndex);
                ulong key = getKey();
                if (key == 0)
                    throw new InvalidOperationException($"FeatureRankObjective: row {cursor.Position} has the missing key (0) in row group column '{groupColumn.Name}'; every row must belong to a group.");
                if (float.IsNaN(value))
                    throw new InvalidOperationException($"FeatureRankObjective: row {cursor.Position} (group key {key}) has NaN in slot {_settings.FeatureIndex} of column '{featuresColumn.Name}'; a NaN cannot be ranked.");
                keys.Add(key);
                values.Add(value);
            }
        }

        // Groups may be scattered over the input, so collect each group's row positions first.
        var rowsByGroup = new Dictionary<ulong, List<int>>();
        for (int row = 0; row < keys.Count; row++)
        {
            if (!rowsByGroup.TryGetValue(keys[row], out var rows))
                rowsByGroup[keys[row]] = rows = [];
            rows.Add(row);
        }

        var grades = new float[keys.Count];
        foreach (var rows in rowsByGroup.Values)
        {
            var groupValues = rows.Select(r => values[r]).ToArray();
            var groupGrades = new int[rows.Count];
            FeatureRankGrading.GradeGroup(groupValues, _settings.Direction, _settings.Grades, groupGrades);
            for (int k = 0; k < rows.Count; k++)
                grades[rows[k]] = groupGrades[k];
        }
        return grades;
    }

    /// <summary>Reads a key column of any raw type as <see cref="ulong"/> (0 is the missing key).</summary>
    private static Func<ulong> KeyGetter(DataViewRow row, DataViewSchema.Column column)
    {
        switch (((KeyDataViewType)column.Type).RawType)
        {
            case var t when t == typeof(byte):
                { var g = row.GetGetter<byte>(column); byte v = 0; return () => { g(ref v); return v; }; }
            case var t when t == typeof(ushort):
                { var g = row.GetGetter<ushort>(column); ushort v = 0; return () => { g(ref v); return v; }; }
            case var t when t == typeof(uint):
                { var g = row.GetGetter<uint>(column); uint v = 0; return () => { g(ref v); return v; }; }
            case var t when t == typeof(ulong):
                { var g = row.GetGetter<ulong>(column); ulong v = 0; return () => { g(ref v); return v; }; }
            default:
                throw new InvalidOperationException($"Row group column '{column.Name}' has key raw type {((KeyDataViewType)column.Type).RawType.Name}, which ML.NET does not define.");
        }
    }

    private sealed class Cursor : PassThroughCursor
    {
        private readonly FeatureRankObjectiveDataView _parent;
        private readonly HashSet<int> _active;
        private readonly float[]? _grades;
        private long _rows;

        public Cursor(FeatureRankObjectiveDataView parent, DataViewRowCursor input, HashSet<int> active, float[]? grades) : base(input)
        {
            _parent = parent;
            _active = active;
            _grades = grades;
        }

        public override DataViewSchema Schema => _parent.Schema;

        public override bool MoveNext()
        {
            bool more = base.MoveNext();
            if (more)
                _rows++;
            // The grades come from an earlier pass; an input that changes between reads would misalign them.
            if (_grades is not null && (more ? _rows > _grades.Length : _rows != _grades.Length))
                throw new InvalidOperationException($"FeatureRankObjective: the input gave {_grades.Length} rows when graded but {(more ? "more" : _rows.ToString())} now; the input must give the same rows in the same order on every read.");
            return more;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active.Contains(column.Index))
                throw new InvalidOperationException($"Column '{column.Name}' (index {column.Index}) was not requested when this cursor was made.");
            if (column.Index < _parent._labelIndex)
                return Input.GetGetter<TValue>(Input.Schema[column.Index]);
            if (column.Index == _parent._labelIndex)
            {
                var grades = _grades!;
                return As<TValue, float>(column, (ref float value) => value = grades[checked((int)Input.Position)]);
            }
            RequireType<TValue, VBuffer<float>>(column);
            var source = Input.GetGetter<VBuffer<float>>(Input.Schema[_parent._inputFeatures]);
            int slot = _parent._settings.FeatureIndex;
            VBuffer<float> scratch = default;
            ValueGetter<VBuffer<float>> features = (ref VBuffer<float> value) =>
            {
                source(ref scratch);
                var editor = VBufferEditor.Create(ref value, scratch.Length - 1);
                int k = 0;
                foreach (float v in scratch.DenseValues())
                {
                    if (k != slot)
                        editor.Values[k < slot ? k : k - 1] = v;
                    k++;
                }
                value = editor.Commit();
            };
            return As<TValue, VBuffer<float>>(column, features);
        }
    }
}
