using Microsoft.ML.HyperDpo.Data;
using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// A view over another view that reads it through exactly one cursor and hands out one float vector
/// column in dense form.
/// </summary>
/// <remarks>
/// Built for ML.NET's SVMlight loader, whose feature-vector builder is one object shared by all threads:
/// an ordinary <c>GetRowCursor</c> on it makes a parallel (split and consolidated) cursor and corrupts or
/// crashes. Asking the inner view for a cursor set of size one goes down its whole transform chain without
/// splitting, so the inner code runs on the thread that calls <c>MoveNext</c>. The shared builder belongs
/// to the inner view, not to a cursor, so two cursors of this view used on two threads could still race:
/// every <c>MoveNext</c> and getter call of every cursor of this view therefore holds one lock. Consumers
/// that want parallelism can still split the cursor this view returns; that only parallelises their own work.
/// </remarks>
internal sealed class SingleCursorDenseView : IDataView
{
    private readonly IDataView _inner;
    private readonly int _denseColumn;
    private readonly long? _rowCount;
    private readonly object _gate = new();

    /// <summary>Wraps <paramref name="inner"/>; <paramref name="denseColumnName"/> must be a known-size float vector.</summary>
    public SingleCursorDenseView(IDataView inner, string denseColumnName, long? rowCount)
    {
        _inner = inner;
        var column = inner.Schema.GetColumnOrNull(denseColumnName)
            ?? throw new ArgumentException($"The view has no column '{denseColumnName}'.", nameof(denseColumnName));
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType, IsKnownSize: true } vector || vector.ItemType != NumberDataViewType.Single)
            throw new ArgumentException($"Column '{denseColumnName}' is {column.Type}, not a known-size vector of Single.", nameof(denseColumnName));
        _denseColumn = column.Index;
        _rowCount = rowCount;
    }

    /// <inheritdoc/>
    public bool CanShuffle => false;

    /// <inheritdoc/>
    public DataViewSchema Schema => _inner.Schema;

    /// <inheritdoc/>
    public long? GetRowCount() => _rowCount ?? _inner.GetRowCount();

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var set = _inner.GetRowCursorSet(columnsNeeded, 1, null);
        if (set.Length != 1)
        {
            foreach (var c in set)
                c.Dispose();
            throw new InvalidOperationException($"The inner view returned {set.Length} cursors when asked for one; it cannot be read on a single thread.");
        }
        return new Cursor(set[0], _denseColumn, _gate);
    }

    /// <inheritdoc/>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(DataViewRowCursor inner, int denseColumn, object gate) : PassThroughCursor(inner)
    {
        public override DataViewSchema Schema => Input.Schema;

        public override bool MoveNext()
        {
            lock (gate)
                return base.MoveNext();
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => Input.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index != denseColumn)
            {
                var getter = Input.GetGetter<TValue>(column);
                return (ref TValue value) =>
                {
                    lock (gate)
                        getter(ref value);
                };
            }
            RequireType<TValue, VBuffer<float>>(column);
            var source = Input.GetGetter<VBuffer<float>>(column);
            VBuffer<float> scratch = default;
            ValueGetter<VBuffer<float>> dense = (ref VBuffer<float> value) =>
            {
                lock (gate)
                {
                    source(ref scratch);
                    var editor = VBufferEditor.Create(ref value, scratch.Length);
                    scratch.CopyTo(editor.Values);
                    value = editor.Commit();
                }
            };
            return As<TValue, VBuffer<float>>(column, dense);
        }
    }
}
