using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Tests.Training;

[TestClass]
public class ReferenceModelTests
{
    private static (MLContext Ml, IDataView Train, IDataView Test, ITransformer Reference) Setup()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticRanking.Load(ml, SyntheticRanking.Rows(40, 5, 12, seed: 11));
        var test = SyntheticRanking.Load(ml, SyntheticRanking.Rows(15, 5, 12, seed: 12));
        // A LambdaMART model of objective A: the production ranker being fine-tuned.
        var reference = ml.Ranking.Trainers.FastTree(labelColumnName: SyntheticRanking.LabelA, numberOfTrees: 20).Fit(train);
        return (ml, train, test, reference);
    }

    [TestMethod]
    public void ScoreIsTheStandardisedReferenceScorePlusTheConditionedNetwork()
    {
        var (ml, train, test, reference) = Setup();
        var options = SyntheticRanking.FastOptions(epochs: 3);
        options.References.Source = ReferenceSource.Shared(reference);
        var model = ml.Ranking.Trainers.HyperDpo(options).Fit(train).WithObjectiveWeights(0.3f, 0.7f);

        float[] scores = SyntheticRanking.Scores(model.Transform(test));
        // The reference is standardised with its mean and standard deviation on the training rows (computed here in float64).
        float[] referenceScores = SyntheticRanking.Scores(reference.Transform(test));
        double[] trainScores = SyntheticRanking.Scores(reference.Transform(train)).Select(s => (double)s).ToArray();
        double mean = trainScores.Average();
        double sd = Math.Sqrt(trainScores.Sum(s => (s - mean) * (s - mean)) / trainScores.Length);
        float[][] features = test.GetColumn<float[]>("Features").ToArray();
        using var x = tensor(features.SelectMany(f => f).ToArray(), new long[] { features.Length, SyntheticRanking.FeatureCount });
        using var w = tensor(new[] { 0.3f, 0.7f }, new long[] { 1, 2 });
        float[] g;
        using (no_grad())
        using (var s = ((Microsoft.ML.HyperDpo.Modeling.ConditionedScorer)model.ScoringModel.Network).forward(x, w))
            g = s.data<float>().ToArray();
        for (int i = 0; i < scores.Length; i++)
            Assert.AreEqual((referenceScores[i] - mean) / sd + g[i], scores[i], 1e-3, $"row {i}");
    }

    [TestMethod]
    public void PredictionEngineAgreesWithTransformWithAReference()
    {
        var (ml, train, test, reference) = Setup();
        var options = SyntheticRanking.FastOptions(epochs: 2);
        options.References.Source = ReferenceSource.Shared(reference);
        var model = ml.Ranking.Trainers.HyperDpo(options).Fit(train);
        float[] batch = SyntheticRanking.Scores(model.Transform(test));
        var engine = ml.Model.CreatePredictionEngine<RankingRow, ScoreRow>(model);
        var rows = ml.Data.CreateEnumerable<RankingRow>(test, reuseRowObject: false).ToList();
        for (int i = 0; i < rows.Count; i++)
            Assert.AreEqual(batch[i], engine.Predict(rows[i]).Score, 1e-5, $"row {i}");
    }

    [TestMethod]
    public void LargerBetaKeepsTheRankingCloserToTheReference()
    {
        // In DPO's implicit-reward form g is trained on z = beta * g, so its scale shrinks as 1/beta: with a large beta the
        // fine-tuned ranking agrees with the reference ranking on objective A more than with a small beta.
        var (ml, train, test, reference) = Setup();
        double referenceB = SyntheticRanking.Ndcg(ml, reference.Transform(test), SyntheticRanking.LabelB);
        double NdcgB(float beta)
        {
            var options = SyntheticRanking.FastOptions(epochs: 15);
            options.References.Source = ReferenceSource.Shared(reference);
            options.References.Form = ReferenceForm.ImplicitReward;
            options.References.Beta = beta;
            var model = ml.Ranking.Trainers.HyperDpo(options).Fit(train).WithObjectiveWeights(0f, 1f);
            return SyntheticRanking.Ndcg(ml, model.Transform(test), SyntheticRanking.LabelB);
        }
        double small = NdcgB(0.5f), large = NdcgB(200f);
        Assert.IsTrue(small > large + 0.05, $"objective B NDCG@10: beta 0.5 -> {small:F4}, beta 200 -> {large:F4}, reference {referenceB:F4}");
        Assert.AreEqual(referenceB, large, 0.05, "with beta = 200 the ranking stays near the reference's");
    }

    [TestMethod]
    public void AReferenceWithoutTheScoreColumnIsAClearError()
    {
        var (ml, train, _, _) = Setup();
        var options = SyntheticRanking.FastOptions(epochs: 1);
        options.References.Source = ReferenceSource.Shared(ml.Transforms.CopyColumns("Other", "Features").Fit(train));
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Ranking.Trainers.HyperDpo(options).Fit(train));
        StringAssert.Contains(error.Message, "'Score'");
    }
}
