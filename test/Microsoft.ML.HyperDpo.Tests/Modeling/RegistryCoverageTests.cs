using Microsoft.ML.HyperDpo.Losses;
using Microsoft.ML.HyperDpo.Modeling.Conditioning;
using Microsoft.ML.HyperDpo.Modeling.Transformer;

namespace Microsoft.ML.HyperDpo.Tests.Modeling;

/// <summary>
/// Every value of every enum that a registry or factory dispatches on has exactly one entry there, so that a new value
/// cannot be added without its implementation (the switches would otherwise throw only when a user picks it).
/// </summary>
[TestClass]
public class RegistryCoverageTests
{
    [TestMethod]
    public void EveryConditioningKindIsRegisteredOnceForAnArchitecture()
    {
        // The MLP's kinds (one definition each, under its own kind) and the transformer's kinds together cover the enum.
        var mlp = ConditioningRegistry.Kinds.ToArray();
        var transformer = TransformerConditioning.Kinds.ToArray();
        Assert.AreEqual(mlp.Length, mlp.Distinct().Count(), string.Join(", ", mlp));
        Assert.AreEqual(transformer.Length, transformer.Distinct().Count(), string.Join(", ", transformer));
        CollectionAssert.AreEquivalent(Enum.GetValues<ConditioningKind>(), mlp.Union(transformer).ToArray());
        foreach (var kind in mlp)
            Assert.AreEqual(kind, ConditioningRegistry.Get(kind).Kind, $"{kind} is registered under its own kind");
        foreach (var kind in Enum.GetValues<ConditioningKind>().Except(mlp))
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ConditioningRegistry.Get(kind), $"{kind} is not an MLP kind");
        foreach (var kind in transformer)
            Assert.IsTrue(TransformerConditioning.Supports(kind), $"{kind}");
    }

    [TestMethod]
    public void EveryLossKindAndTieHandlingIsBuiltOnce()
    {
        var built = ListwiseLossFactory.All().ToList();
        // One entry per loss kind, and per tie handling for the kinds that read it; names distinct.
        int expected = Enum.GetValues<ListwiseLossKind>().Sum(k => ListwiseLossFactory.Reads(k).UsesTies ? Enum.GetValues<TieHandling>().Length : 1);
        Assert.HasCount(expected, built);
        Assert.AreEqual(built.Count, built.Select(b => b.Name).Distinct().Count(), string.Join(", ", built.Select(b => b.Name)));
        foreach (var kind in Enum.GetValues<ListwiseLossKind>())
            Assert.IsTrue(built.Any(b => b.Name == kind.ToString() || b.Name.StartsWith($"{kind}/", StringComparison.Ordinal)), $"{kind} is built");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ListwiseLossFactory.Reads((ListwiseLossKind)(-1)));
    }
}
