using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo.Data;

/// <summary>
/// A cursor that walks an inner cursor row for row and adds or replaces columns: position, batch, row ids and
/// disposal are the inner cursor's. Shared by the lazy views of this library (scores, objective grades, dense reads).
/// </summary>
internal abstract class PassThroughCursor : DataViewRowCursor
{
    protected PassThroughCursor(DataViewRowCursor input) => Input = input;

    /// <summary>The cursor whose rows this one passes through.</summary>
    protected DataViewRowCursor Input { get; }

    public override long Position => Input.Position;
    public override long Batch => Input.Batch;
    public override bool MoveNext() => Input.MoveNext();
    public override ValueGetter<DataViewRowId> GetIdGetter() => Input.GetIdGetter();

    /// <summary>
    /// <paramref name="getter"/> as the getter type the caller asked for, or an error naming the column when it asked for another type.
    /// </summary>
    protected static ValueGetter<TValue> As<TValue, TColumn>(DataViewSchema.Column column, ValueGetter<TColumn> getter)
    {
        RequireType<TValue, TColumn>(column);
        return (ValueGetter<TValue>)(Delegate)getter;
    }

    /// <summary>An error naming the column when a getter of <typeparamref name="TValue"/> is asked of a <typeparamref name="TColumn"/> column.</summary>
    protected static void RequireType<TValue, TColumn>(DataViewSchema.Column column)
    {
        if (typeof(TValue) != typeof(TColumn))
            throw new InvalidOperationException($"Column '{column.Name}' holds {typeof(TColumn).Name}, not {typeof(TValue).Name}.");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            Input.Dispose();
        base.Dispose(disposing);
    }
}
