using Microsoft.ML.HyperDpo.Comparison;

namespace Microsoft.ML.HyperDpo.Benchmarks;

/// <summary>The keys of the <see cref="FrontMethods"/> the benchmark reports single out, read from the methods themselves.</summary>
internal static class MethodKeys
{
    public static readonly string HyperDpo = new HyperDpoFront().Key;
    public static readonly string HyperDpoOnLambdaMart = new Comparison.HyperDpoOnLambdaMart().Key;
    public static readonly string DpoLinearScalarization = new Comparison.DpoLinearScalarization().Key;
    public static readonly string FastTreeScalarised = new ScalarisedLambdaMart(LambdaMartLibrary.FastTree).Key;
    public static readonly string FastTreeScoreSoup = new LambdaMartScoreSoup(LambdaMartLibrary.FastTree).Key;
}
