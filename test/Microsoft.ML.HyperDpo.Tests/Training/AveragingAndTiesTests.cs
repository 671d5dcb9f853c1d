namespace Microsoft.ML.HyperDpo.Tests.Training;

/// <summary>Training with parameter averaging (<see cref="HyperDpoRankingTrainer.OptimiserOptions.ParameterAveragingDecay"/>) and with grouped ties.</summary>
[TestClass]
public class AveragingAndTiesTests
{
    private static (MLContext Ml, IDataView Train, IDataView Test) Data()
    {
        var ml = new MLContext(1);
        return (ml, SyntheticRanking.Load(ml, SyntheticRanking.Rows(60, 8, 16, seed: 1)), SyntheticRanking.Load(ml, SyntheticRanking.Rows(30, 8, 16, seed: 2)));
    }

    private static double CornerNdcg(MLContext ml, HyperDpoRankingTransformer model, IDataView test) =>
        SyntheticRanking.Ndcg(ml, model.WithObjectiveWeights(1f, 0f).Transform(test), SyntheticRanking.LabelA);

    [TestMethod]
    public void AveragedParametersAreWhatTheFitReturnsAndTheyStillLearn()
    {
        var (ml, train, test) = Data();
        var plain = SyntheticRanking.FastOptions(epochs: 8);
        var averaged = SyntheticRanking.FastOptions(epochs: 8);
        averaged.Optimiser.ParameterAveragingDecay = 0.9f;
        var untrained = SyntheticRanking.FastOptions(epochs: 1);
        untrained.Optimiser.LearningRate = 1e-9f;

        var plainModel = ml.Ranking.Trainers.HyperDpo(plain).Fit(train);
        var averagedModel = ml.Ranking.Trainers.HyperDpo(averaged).Fit(train, test);

        CollectionAssert.AreNotEqual(SyntheticRanking.Scores(plainModel.Transform(test)), SyntheticRanking.Scores(averagedModel.Transform(test)),
            "the same steps, but the fit returns their average");
        double before = CornerNdcg(ml, ml.Ranking.Trainers.HyperDpo(untrained).Fit(train), test);
        Assert.IsGreaterThan(before + 0.05, CornerNdcg(ml, averagedModel, test));
        Assert.IsTrue(averagedModel.TrainingReport!.Epochs.All(e => e.ValidationScore > 0), "validation measured the averaged network");
    }

    [TestMethod]
    public void RejectsADecayOfOneOrMore()
    {
        var options = SyntheticRanking.FastOptions();
        options.Optimiser.ParameterAveragingDecay = 1f;

        var error = Assert.ThrowsExactly<ArgumentException>(() => new MLContext(1).Ranking.Trainers.HyperDpo(options));

        Assert.AreEqual("Optimiser.ParameterAveragingDecay", error.ParamName);
    }

    [TestMethod]
    public void GroupedTiesTrainAndDifferFromRandomOrder()
    {
        var (ml, train, test) = Data();
        var grouped = SyntheticRanking.FastOptions(epochs: 8);
        grouped.Loss.Ties = TieHandling.Grouped;

        var groupedModel = ml.Ranking.Trainers.HyperDpo(grouped).Fit(train);
        var random = SyntheticRanking.FastOptions(epochs: 8);
        random.Loss.Ties = TieHandling.RandomOrder;
        var randomModel = ml.Ranking.Trainers.HyperDpo(random).Fit(train);

        CollectionAssert.AreNotEqual(SyntheticRanking.Scores(randomModel.Transform(test)), SyntheticRanking.Scores(groupedModel.Transform(test)));
        Assert.IsGreaterThan(0.8, CornerNdcg(ml, groupedModel, test), "objective A is learnt at its corner");
    }
}
