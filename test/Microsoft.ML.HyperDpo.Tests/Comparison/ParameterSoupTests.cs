using Microsoft.ML.HyperDpo.Comparison;

namespace Microsoft.ML.HyperDpo.Tests.Comparison;

[TestClass]
public class ParameterSoupTests
{
    private static (MLContext Ml, HyperDpoRankingTransformer A, HyperDpoRankingTransformer B, IDataView Test) TwoCorners(int hiddenB = 16)
    {
        var ml = new MLContext(1);
        var train = SyntheticRanking.Load(ml, SyntheticRanking.Rows(40, 8, 12, seed: 1));
        var test = SyntheticRanking.Load(ml, SyntheticRanking.Rows(20, 8, 12, seed: 2));
        HyperDpoRankingTransformer Fit(float[] weights, int hidden)
        {
            var o = SyntheticRanking.FastOptions(epochs: 4);
            o.Network.Conditioning = ConditioningKind.None;
            o.Loss.FixedObjectiveWeights = weights;
            o.Network.HiddenSizes = new[] { hidden };
            return ml.Ranking.Trainers.HyperDpo(o).Fit(train);
        }
        return (ml, Fit(new[] { 1f, 0f }, 16), Fit(new[] { 0f, 1f }, hiddenB), test);
    }

    [TestMethod]
    public void ACornerOfTheSoupIsThatModelAndTheMiddleAveragesTheParameters()
    {
        var (ml, a, b, test) = TwoCorners();

        var atA = ParameterSoup.Mix(ml, new[] { a, b }, new[] { 1f, 0f });
        var middle = ParameterSoup.Mix(ml, new[] { a, b }, new[] { 1f, 1f });

        CollectionAssert.AreEqual(SyntheticRanking.Scores(a.Transform(test)), SyntheticRanking.Scores(atA.Transform(test)));
        CollectionAssert.AreEqual(new[] { 0.5f, 0.5f }, middle.ObjectiveWeights.ToArray());
        var mixed = SyntheticRanking.Scores(middle.Transform(test));
        CollectionAssert.AreNotEqual(SyntheticRanking.Scores(a.Transform(test)), mixed);
        CollectionAssert.AreNotEqual(SyntheticRanking.Scores(b.Transform(test)), mixed);
    }

    [TestMethod]
    public void RejectsNetworksOfDifferentArchitectures()
    {
        var (ml, a, b, _) = TwoCorners(hiddenB: 8);

        var error = Assert.ThrowsExactly<ArgumentException>(() => ParameterSoup.Mix(ml, new[] { a, b }, new[] { 0.5f, 0.5f }));

        StringAssert.Contains(error.Message, "one architecture");
    }

    [TestMethod]
    public void RejectsAWeightCountThatDiffersFromTheModelCount()
    {
        var (ml, a, b, _) = TwoCorners();

        Assert.ThrowsExactly<ArgumentException>(() => ParameterSoup.Mix(ml, new[] { a, b }, new[] { 1f }));
    }
}
