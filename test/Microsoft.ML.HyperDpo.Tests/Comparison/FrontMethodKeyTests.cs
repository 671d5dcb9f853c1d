using System.Reflection;
using Microsoft.ML.HyperDpo.Comparison;

namespace Microsoft.ML.HyperDpo.Tests.Comparison;

/// <summary>The method keys (<see cref="FrontMethodKeys"/>) and the methods (<see cref="FrontMethods.All"/>) match one to one.</summary>
[TestClass]
public class FrontMethodKeyTests
{
    private static string[] Constants => typeof(FrontMethodKeys).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToArray();

    [TestMethod]
    public void EveryMethodHasItsOwnKeyConstantAndEveryConstantOneMethod()
    {
        var keys = FrontMethods.All().Select(m => m.Key).ToArray();
        Assert.AreEqual(keys.Length, keys.Distinct().Count(), string.Join(", ", keys));
        CollectionAssert.AreEquivalent(Constants, keys);
    }

    [TestMethod]
    public void EveryLambdaMartLibraryAndLabelAggregationHasAMethod()
    {
        var keys = FrontMethods.All().Select(m => m.Key).ToHashSet();
        foreach (var library in Enum.GetValues<LambdaMartLibrary>())
            Assert.Contains(new ScalarisedLambdaMart(library).Key, keys, $"scalarised {library}");
        foreach (var aggregation in Enum.GetValues<LabelAggregation>())
            Assert.Contains(new ConditionedLambdaMart(aggregation: aggregation).Key, keys, $"conditioned FastTree, {aggregation}");
    }
}
