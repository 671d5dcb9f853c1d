using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo.Data;

/// <summary>
/// Finds the columns HyperDPO reads and checks their types, with errors that name the column, the type found
/// and the type expected. Shared by schema propagation (<c>GetOutputSchema</c>) and by the data readers.
/// </summary>
internal static class ColumnChecks
{
    public static DataViewSchema.Column Find(DataViewSchema schema, string name, string role)
    {
        var column = schema.GetColumnOrNull(name);
        if (column is null)
            throw new ArgumentException($"The {role} column '{name}' is not in the data. Columns present: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.", name);
        return column.Value;
    }

    public static DataViewSchema.Column FeatureVector(DataViewSchema schema, string name)
    {
        var column = Find(schema, name, "feature");
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType n, IsKnownSize: true } || n.RawType != typeof(float))
            throw new ArgumentException($"The feature column '{name}' has type {column.Type}; HyperDPO needs a known-size vector of Single (e.g. from mlContext.Transforms.Concatenate).", name);
        return column;
    }

    public static DataViewSchema.Column Label(DataViewSchema schema, string name)
    {
        var column = Find(schema, name, "label");
        if (!IsNumericScalar(column.Type))
            throw new ArgumentException($"The label column '{name}' has type {column.Type}; an objective label must be a numeric scalar (Single, Double or an integer type).", name);
        return column;
    }

    public static DataViewSchema.Column GroupKey(DataViewSchema schema, string name)
    {
        var column = Find(schema, name, "row group");
        if (column.Type is not KeyDataViewType)
            throw new ArgumentException($"The row group column '{name}' has type {column.Type}; it must be a key type, as for FastTree. Convert it with mlContext.Transforms.Conversion.MapValueToKey(\"{name}\").", name);
        return column;
    }

    /// <summary>
    /// Copies one row's vector of <paramref name="column"/> into <paramref name="destination"/>, whose length is the one the
    /// model expects; throws naming the column, the row and both lengths when the row's vector has another length. A schema
    /// declares a vector's size, but ML.NET's <c>LoadFromEnumerable</c> and prediction engines hand a row's array through
    /// without checking it against that size: a shorter array would leave the previous row's values in the missing slots.
    /// </summary>
    public static void CopyVector(in VBuffer<float> buffer, string column, Span<float> destination, long position)
    {
        if (buffer.Length != destination.Length)
            throw new InvalidOperationException($"Column '{column}' has {buffer.Length} values at row {position}; the model expects {destination.Length}, " +
                "the size its type declares. Give every row the whole vector.");
        buffer.CopyTo(destination);
    }

    private static bool IsNumericScalar(DataViewType type) =>
        type is NumberDataViewType && type.RawType != typeof(string);

    /// <summary>A getter that reads any numeric scalar column as <see cref="double"/>.</summary>
    public static Func<double> NumericGetter(DataViewRow row, DataViewSchema.Column column)
    {
        Type t = column.Type.RawType;
        if (t == typeof(float)) { var g = row.GetGetter<float>(column); float v = 0; return () => { g(ref v); return v; }; }
        if (t == typeof(double)) { var g = row.GetGetter<double>(column); double v = 0; return () => { g(ref v); return v; }; }
        if (t == typeof(int)) { var g = row.GetGetter<int>(column); int v = 0; return () => { g(ref v); return v; }; }
        if (t == typeof(long)) { var g = row.GetGetter<long>(column); long v = 0; return () => { g(ref v); return v; }; }
        if (t == typeof(short)) { var g = row.GetGetter<short>(column); short v = 0; return () => { g(ref v); return v; }; }
        if (t == typeof(sbyte)) { var g = row.GetGetter<sbyte>(column); sbyte v = 0; return () => { g(ref v); return v; }; }
        if (t == typeof(uint)) { var g = row.GetGetter<uint>(column); uint v = 0; return () => { g(ref v); return v; }; }
        if (t == typeof(ulong)) { var g = row.GetGetter<ulong>(column); ulong v = 0; return () => { g(ref v); return v; }; }
        if (t == typeof(ushort)) { var g = row.GetGetter<ushort>(column); ushort v = 0; return () => { g(ref v); return v; }; }
        if (t == typeof(byte)) { var g = row.GetGetter<byte>(column); byte v = 0; return () => { g(ref v); return v; }; }
        throw new ArgumentException($"Column '{column.Name}' has type {column.Type}, which is not numeric.", column.Name);
    }

    /// <summary>A getter that reads a key column of any width as <see cref="ulong"/> (0 = missing).</summary>
    public static Func<ulong> KeyGetter(DataViewRow row, DataViewSchema.Column column)
    {
        Type t = column.Type.RawType;
        if (t == typeof(uint)) { var g = row.GetGetter<uint>(column); uint v = 0; return () => { g(ref v); return v; }; }
        if (t == typeof(ulong)) { var g = row.GetGetter<ulong>(column); ulong v = 0; return () => { g(ref v); return v; }; }
        if (t == typeof(ushort)) { var g = row.GetGetter<ushort>(column); ushort v = 0; return () => { g(ref v); return v; }; }
        if (t == typeof(byte)) { var g = row.GetGetter<byte>(column); byte v = 0; return () => { g(ref v); return v; }; }
        throw new ArgumentException($"Key column '{column.Name}' has raw type {t.Name}, which is not supported.", column.Name);
    }
}
