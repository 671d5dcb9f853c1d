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
    public void ASoupOfTransformersIsTheCornerAtACornerAndAveragesEveryParameterInTheMiddle()
    {
        // benchmark-conditioning's Transformer:DpoSoup mixes K unconditioned transformers fitted at the corners from one seed.
        var ml = new MLContext(1);
        var train = SyntheticRanking.Load(ml, SyntheticRanking.Rows(40, 8, 12, seed: 1));
        var test = SyntheticRanking.Load(ml, SyntheticRanking.Rows(20, 8, 12, seed: 2));
        HyperDpoRankingTransformer Fit(float[] weights)
        {
            var o = SyntheticRanking.FastOptions(epochs: 3);
            o.Network.Architecture = RankerArchitecture.Transformer;
            o.Network.Conditioning = ConditioningKind.None;
            o.Network.TransformerWidth = 8;
            o.Network.AttentionHeads = 2;
            o.Loss.FixedObjectiveWeights = weights;
            return ml.Ranking.Trainers.HyperDpo(o).Fit(train);
        }
        var a = Fit(new[] { 1f, 0f });
        var b = Fit(new[] { 0f, 1f });

        CollectionAssert.AreEqual(SyntheticRanking.Scores(a.Transform(test)), SyntheticRanking.Scores(ParameterSoup.Mix(ml, new[] { a, b }, new[] { 1f, 0f }).Transform(test)));
        var middle = ParameterSoup.Mix(ml, new[] { a, b }, new[] { 0.5f, 0.5f });
        var (sa, sb, sm) = (a.ScoringModel.Network.Module.state_dict(), b.ScoringModel.Network.Module.state_dict(), middle.ScoringModel.Network.Module.state_dict());
        Assert.IsTrue(sm.Count > 0);
        foreach (var (name, mixed) in sm)
        {
            // float64 mean of the two corners' values, element by element.
            double[] x = sa[name].to_type(TorchSharp.torch.ScalarType.Float64).data<double>().ToArray();
            double[] y = sb[name].to_type(TorchSharp.torch.ScalarType.Float64).data<double>().ToArray();
            double[] m = mixed.to_type(TorchSharp.torch.ScalarType.Float64).data<double>().ToArray();
            for (int i = 0; i < m.Length; i++)
                Assert.AreEqual((x[i] + y[i]) / 2, m[i], 1e-6, $"{name}[{i}]");
        }
        CollectionAssert.AreNotEqual(SyntheticRanking.Scores(a.Transform(test)), SyntheticRanking.Scores(middle.Transform(test)));
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
