using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// The <see cref="SchemaShape.Column"/> of a new output column, for an estimator's <c>GetOutputSchema(SchemaShape)</c>.
/// </summary>
/// <remarks>
/// ML.NET gives <see cref="SchemaShape.Column"/> no public constructor; this is the one place the HyperDPO assemblies
/// (the library and Microsoft.ML.HyperDpo.Language's estimators) make one.
/// </remarks>
public static class ColumnShapes
{
    /// <summary>The shape of a column named <paramref name="name"/> of type <paramref name="type"/>, without metadata.</summary>
    public static SchemaShape.Column Of(string name, DataViewType type) => MlNetInternals.ShapeColumn(name, type);
}
