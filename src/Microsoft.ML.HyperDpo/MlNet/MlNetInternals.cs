using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Reaches what ML.NET keeps internal but a component outside its repository needs: the environment
/// behind a catalog, the GPU settings, the cancellation flag set by <c>MLContext.CancelExecution()</c>,
/// and <c>SchemaShape.Create</c> (the only way to make a <see cref="SchemaShape"/> column).
/// </summary>
/// <remarks>
/// ML.NET keeps these on internal interfaces (<c>IInternalCatalog</c>, <c>IHostEnvironmentInternal</c>,
/// <c>ICancelable</c>) that a component outside its repository cannot name, so they are read by interface
/// and property name. Each accessor fails with a clear message if a future ML.NET renames them; the tests
/// cover all of them against the referenced ML.NET version.
/// </remarks>
internal static class MlNetInternals
{
    /// <summary>The environment (the MLContext's inner one) behind a catalog such as <c>mlContext.Ranking.Trainers</c>.</summary>
    public static IHostEnvironment FromCatalog(object catalog) =>
        (IHostEnvironment)(ReadInterfaceProperty(catalog, "IInternalCatalog", "Environment")
            ?? throw new InvalidOperationException($"Could not reach the ML.NET environment behind {catalog.GetType().Name}."));

    /// <summary><c>MLContext.GpuDeviceId</c> as seen by an environment or host.</summary>
    public static int? GpuDeviceId(IHostEnvironment env) => (int?)ReadInterfaceProperty(env, "IHostEnvironmentInternal", "GpuDeviceId");

    /// <summary><c>MLContext.FallbackToCpu</c> as seen by an environment or host.</summary>
    public static bool FallbackToCpu(IHostEnvironment env) => (bool)(ReadInterfaceProperty(env, "IHostEnvironmentInternal", "FallbackToCpu") ?? true);

    /// <summary>True once <c>MLContext.CancelExecution()</c> has been called.</summary>
    public static bool IsCanceled(IHostEnvironment env) => (bool)(ReadInterfaceProperty(env, "ICancelable", "IsCanceled") ?? false);

    /// <summary>Throws <see cref="OperationCanceledException"/> once the MLContext's execution was cancelled.</summary>
    public static void ThrowIfCanceled(IHostEnvironment env)
    {
        if (IsCanceled(env))
            throw new OperationCanceledException("HyperDPO training was cancelled through MLContext.CancelExecution().");
    }

    /// <summary>
    /// Calls <c>MLContext.CancelExecution()</c>, which ML.NET 5 declares internal (users reach it through the
    /// Microsoft.ML.Experimental package's <c>MLContextExtensions.CancelExecution</c>, which calls the same method): for the
    /// command line, which maps Ctrl-C to it.
    /// </summary>
    public static void CancelExecution(MLContext mlContext)
    {
        var method = typeof(MLContext).GetMethod("CancelExecution", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, Type.EmptyTypes)
            ?? throw new InvalidOperationException("ML.NET's MLContext.CancelExecution() was not found; this ML.NET version is not supported.");
        method.Invoke(mlContext, null);
    }

    private static readonly System.Reflection.MethodInfo SchemaShapeCreate =
        typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public, new[] { typeof(DataViewSchema) })
        ?? throw new InvalidOperationException("ML.NET's SchemaShape.Create(DataViewSchema) was not found; this ML.NET version is not supported.");

    /// <summary>The <see cref="SchemaShape"/> of a schema, as ML.NET's own estimators make it.</summary>
    public static SchemaShape ShapeOf(DataViewSchema schema) => (SchemaShape)SchemaShapeCreate.Invoke(null, new object[] { schema })!;

    /// <summary>A <see cref="SchemaShape"/> column for a new output column (SchemaShape.Column has no public constructor).</summary>
    public static SchemaShape.Column ShapeColumn(string name, DataViewType type)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(name, type);
        return ShapeOf(builder.ToSchema()).Single();
    }

    /// <summary>
    /// A stock <c>RegressionPredictionTransformer</c> over a linear model with weight 1 and bias 0 that reads the
    /// one-value vector column <paramref name="vectorColumn"/> and writes it, unchanged (1 x v + 0 is exact), to a Single
    /// <c>Score</c> column. OnnxTransformer only writes vector columns, and this is the one stock, saveable transformer
    /// that turns a vector into the scalar Score that ML.NET's evaluators and prediction engines expect; its constructor
    /// is internal, hence reflection.
    /// </summary>
    public static ITransformer ScalarScore(IHostEnvironment env, string vectorColumn)
    {
        const System.Reflection.BindingFlags Any = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public;
        var weights = new VBuffer<float>(1, new[] { 1f });
        var modelConstructor = typeof(Microsoft.ML.Trainers.LinearRegressionModelParameters).GetConstructor(Any,
                new[] { typeof(IHostEnvironment), typeof(VBuffer<float>).MakeByRefType(), typeof(float) })
            ?? throw new InvalidOperationException("ML.NET's LinearRegressionModelParameters(env, weights, bias) constructor was not found; this ML.NET version is not supported.");
        var model = modelConstructor.Invoke(new object[] { env, weights, 0f });
        var type = typeof(RegressionPredictionTransformer<Microsoft.ML.Trainers.LinearRegressionModelParameters>);
        var constructor = type.GetConstructor(Any,
                new[] { typeof(IHostEnvironment), typeof(Microsoft.ML.Trainers.LinearRegressionModelParameters), typeof(DataViewSchema), typeof(string) })
            ?? throw new InvalidOperationException("ML.NET's RegressionPredictionTransformer(env, model, schema, featureColumn) constructor was not found; this ML.NET version is not supported.");
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(vectorColumn, new VectorDataViewType(NumberDataViewType.Single, 1));
        return (ITransformer)constructor.Invoke(new object[] { env, model, builder.ToSchema(), vectorColumn });
    }

    /// <summary>
    /// ML.NET's stock <c>SlotsDroppingTransformer</c> that removes slot <paramref name="slot"/> from the vector column
    /// <paramref name="column"/> (in place, keeping the other slots' names). It is what a saved FeatureRankObjective becomes;
    /// ML.NET builds it only for its feature-selection estimators (its constructor is internal), hence reflection.
    /// </summary>
    public static ITransformer DropSlot(IHostEnvironment env, string column, int slot)
    {
        const System.Reflection.BindingFlags Any = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public;
        var type = typeof(Microsoft.ML.Transforms.ColumnCopyingTransformer).Assembly.GetType("Microsoft.ML.Transforms.SlotsDroppingTransformer")
            ?? throw new InvalidOperationException("ML.NET's SlotsDroppingTransformer was not found; this ML.NET version is not supported.");
        var constructor = type.GetConstructor(Any, new[] { typeof(IHostEnvironment), typeof(string), typeof(string), typeof(int), typeof(int?) })
            ?? throw new InvalidOperationException("ML.NET's SlotsDroppingTransformer(env, output, input, min, max) constructor was not found; this ML.NET version is not supported.");
        // The range is inclusive at both ends: (slot, slot) drops exactly one slot.
        return (ITransformer)constructor.Invoke(new object?[] { env, column, column, slot, (int?)slot });
    }

    private static object? ReadInterfaceProperty(object target, string interfaceName, string property)
    {
        var iface = target.GetType().GetInterfaces().FirstOrDefault(i => i.Name == interfaceName)
            ?? throw new InvalidOperationException($"{target.GetType().FullName} does not implement ML.NET's {interfaceName}; this ML.NET version is not supported.");
        var prop = iface.GetProperty(property)
            ?? throw new InvalidOperationException($"ML.NET's {interfaceName} has no property {property}; this ML.NET version is not supported.");
        return prop.GetValue(target);
    }
}
