using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Tests.Scoring;

namespace Microsoft.ML.HyperDpo.Tests.Persistence;

/// <summary>
/// <see cref="HyperDpoModelParts"/>: the one place that takes a loaded model apart into preparation and ranker, for
/// <c>hyperdpo score</c> and samples/RankingService (which used to do it twice, and disagreed on WeightedScore models).
/// </summary>
[TestClass]
public class ModelPartsTests
{
    private static HyperDpoRankingTransformer Ranker => ScorerVariants.Model(ConditioningKind.FiLM);

    private static (MLContext Ml, IDataView Data, ITransformer Preparation) Preparation()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(SaveLoadTests.WeightedRows(20, seed: 70));
        return (ml, data, ml.Transforms.CopyColumns("FeaturesCopy", "Features").Fit(data));
    }

    [TestMethod]
    public void ARankerAloneHasNoPreparation()
    {
        var parts = HyperDpoModelParts.Of(Ranker);
        Assert.AreSame(Ranker, parts.Ranker);
        Assert.IsNull(parts.Preparation);
        Assert.IsNull(parts.ObjectiveWeightsColumnName);
        var other = Ranker.WithObjectiveWeights(0.9f, 0.1f);
        Assert.AreSame(other, parts.WithRanker(other));
    }

    [TestMethod]
    public void AChainIsSplitAtItsLastStepAndRebuiltWithAnotherRanker()
    {
        var (ml, data, preparation) = Preparation();
        var chain = new TransformerChain<ITransformer>(preparation, Ranker);
        var parts = HyperDpoModelParts.Of(chain);
        Assert.AreSame(Ranker, parts.Ranker);
        CollectionAssert.AreEqual(new[] { preparation }, ((TransformerChain<ITransformer>)parts.Preparation!).ToArray());

        // The rebuilt chain scores as preparation-then-ranker at the new weights, computed here by hand.
        var other = Ranker.WithObjectiveWeights(0.9f, 0.1f);
        var rebuilt = parts.WithRanker(other);
        float[] expected = SyntheticRanking.Scores(other.Transform(preparation.Transform(data)));
        var scored = rebuilt.Transform(data);
        Assert.IsNotNull(scored.Schema.GetColumnOrNull("FeaturesCopy"), "the preparation ran");
        CollectionAssert.AreEqual(expected, SyntheticRanking.Scores(scored));
    }

    [TestMethod]
    public void AWeightedScoreModelGivesItsRankerAndItsWeightsColumn()
    {
        var (ml, data, preparation) = Preparation();
        var weighted = ml.Transforms.WeightedScore(Ranker).Fit(data);
        foreach (var model in new ITransformer[] { weighted, new TransformerChain<ITransformer>(preparation, weighted) })
        {
            var parts = HyperDpoModelParts.Of(model);
            Assert.AreSame(weighted.Model, parts.Ranker);
            Assert.AreEqual("ObjectiveWeights", parts.ObjectiveWeightsColumnName);
        }
    }

    [TestMethod]
    public void AModelWithoutAHyperDpoRankerAtTheEndIsRefusedByName()
    {
        var (_, _, preparation) = Preparation();
        var alone = Assert.ThrowsExactly<InvalidDataException>(() => HyperDpoModelParts.Of(preparation, "m.zip"));
        StringAssert.StartsWith(alone.Message, $"'m.zip' holds a {preparation.GetType().Name}, not a HyperDPO ranker");
        var first = Assert.ThrowsExactly<InvalidDataException>(() => HyperDpoModelParts.Of(new TransformerChain<ITransformer>(Ranker, preparation)));
        StringAssert.StartsWith(first.Message, $"The model holds a {preparation.GetType().Name} at the end of its chain");
        var empty = Assert.ThrowsExactly<InvalidDataException>(() => HyperDpoModelParts.Of(new TransformerChain<ITransformer>()));
        StringAssert.StartsWith(empty.Message, "The model holds an empty chain");
    }
}
