using Microsoft.ML;
using Microsoft.ML.Data;

namespace RankingService;

/// <summary>
/// One request's documents as an <see cref="IDataView"/> with a single feature-vector column. Built directly rather
/// than with <c>mlContext.Data.LoadFromEnumerable</c>, which generates code for its getters on every call: that cost
/// dominated a 100-document request.
/// </summary>
internal sealed class FeatureRowsView : IDataView
{
    private readonly IReadOnlyList<float[]> _rows;

    public FeatureRowsView(DataViewSchema schema, IReadOnlyList<float[]> rows)
    {
        Schema = schema;
        _rows = rows;
    }

    /// <summary>The schema of a view over vectors of <paramref name="size"/> Single values in column <paramref name="name"/>.</summary>
    public static DataViewSchema SchemaFor(string name, int size)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(name, new VectorDataViewType(NumberDataViewType.Single, size));
        return builder.ToSchema();
    }

    public bool CanShuffle => false;
    public DataViewSchema Schema { get; }
    public long? GetRowCount() => _rows.Count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly FeatureRowsView _view;
        private long _position = -1;

        public Cursor(FeatureRowsView view) => _view = view;

        public override DataViewSchema Schema => _view.Schema;
        public override long Position => _position;
        public override long Batch => 0;

        public override bool MoveNext() => ++_position < _view._rows.Count;

        public override bool IsColumnActive(DataViewSchema.Column column) => column.Index == 0;

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index != 0 || typeof(TValue) != typeof(VBuffer<float>))
                throw new InvalidOperationException($"The view has one column of type VBuffer<Single>; asked for column {column.Index} as {typeof(TValue).Name}.");
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                var row = _view._rows[(int)_position];
                var editor = VBufferEditor.Create(ref value, row.Length);
                row.CopyTo(editor.Values);
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(object)getter;
        }
    }
}
