namespace Microsoft.ML.HyperDpo.Tests.Training;

/// <summary>One trade-off only: <see cref="HyperDpoRankingTrainer.LossOptions.FixedObjectiveWeights"/> and <see cref="ConditioningKind.None"/> (the DPO-LS model).</summary>
[TestClass]
public class FixedWeightsTests
{
    [TestMethod]
    public void AnUnconditionedNetworkNeedsFixedWeights()
    {
        var options = SyntheticRanking.FastOptions();
        options.Network.Conditioning = ConditioningKind.None;

        var error = Assert.ThrowsExactly<ArgumentException>(() => new MLContext(1).Ranking.Trainers.HyperDpo(options));

        Assert.AreEqual("Loss.FixedObjectiveWeights", error.ParamName);
        StringAssert.Contains(error.Message, "Conditioning = None");
    }

    [TestMethod]
    public void RejectsFixedWeightsOfTheWrongCount()
    {
        var options = SyntheticRanking.FastOptions();
        options.Loss.FixedObjectiveWeights = new[] { 1f, 0f, 0f };

        var error = Assert.ThrowsExactly<ArgumentException>(() => new MLContext(1).Ranking.Trainers.HyperDpo(options));

        Assert.AreEqual("Loss.FixedObjectiveWeights", error.ParamName);
    }

    [TestMethod]
    public void TheUnconditionedNetworkIgnoresTheWeightsAndLearnsItsTradeOff()
    {
        var ml = new MLContext(1);
        var train = SyntheticRanking.Load(ml, SyntheticRanking.Rows(60, 8, 16, seed: 1));
        var test = SyntheticRanking.Load(ml, SyntheticRanking.Rows(30, 8, 16, seed: 2));
        HyperDpoRankingTransformer Fit(float[] weights)
        {
            var o = SyntheticRanking.FastOptions(epochs: 8);
            o.Network.Conditioning = ConditioningKind.None;
            o.Loss.FixedObjectiveWeights = weights;
            return ml.Ranking.Trainers.HyperDpo(o).Fit(train, test);
        }

        var onA = Fit(new[] { 1f, 0f });
        var onB = Fit(new[] { 0f, 2f });

        CollectionAssert.AreEqual(new[] { 0f, 1f }, onB.ObjectiveWeights.ToArray(), "the fixed weights, normalised, are the model's weights");
        CollectionAssert.AreEqual(SyntheticRanking.Scores(onA.Transform(test)), SyntheticRanking.Scores(onA.WithObjectiveWeights(0f, 1f).Transform(test)));
        double aOnA = SyntheticRanking.Ndcg(ml, onA.Transform(test), SyntheticRanking.LabelA);
        double aOnB = SyntheticRanking.Ndcg(ml, onB.Transform(test), SyntheticRanking.LabelA);
        Assert.IsGreaterThan(aOnB + 0.1, aOnA, $"NDCG@10 of A: {aOnA:F4} trained on A, {aOnB:F4} trained on B");
        // The validation figure is the NDCG at the fixed weights: at (1, 0), the kept epoch's figure is ML.NET's NDCG@10 of A on the
        // validation data (here the test data) for the kept model.
        var report = onA.TrainingReport!;
        Assert.AreEqual(aOnA, report.Epochs.Single(e => e.Epoch == report.BestEpoch).ValidationScore!.Value, 1e-5, "the weighted NDCG is the validation figure");
    }
}
