using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Makes the <see cref="SchemaShape.Column"/> of a new scalar <see cref="float"/> column, for estimators'
/// <c>GetOutputSchema(SchemaShape)</c>.
/// </summary>
/// <remarks>
/// <see cref="SchemaShape.Column"/>'s constructor and <c>SchemaShape.Create</c> are internal to ML.NET, so the
/// shape is taken from what ML.NET's public custom-mapping estimator reports for an output field renamed
/// to the wanted column name.
/// </remarks>
internal static class ScalarColumnShape
{
    /// <summary>The shape of a scalar, non-key <see cref="float"/> column named <paramref name="name"/>.</summary>
    public static SchemaShape.Column Single(string name)
    {
        var definition = SchemaDefinition.Create(typeof(SingleRow));
        definition[nameof(SingleRow.Value)].ColumnName = name;
        var estimator = new MLContext(seed: 0).Transforms.CustomMapping<NoColumns, SingleRow>(
            static (_, _) => { }, contractName: null, outputSchemaDefinition: definition);
        return estimator.GetOutputSchema(new SchemaShape([])).Single(c => c.Name == name);
    }

    /// <summary>An input with no column.</summary>
    private sealed class NoColumns;

    /// <summary>An output with one float column.</summary>
    private sealed class SingleRow
    {
        public float Value { get; set; }
    }
}
