namespace Microsoft.ML.HyperDpo.Tests.Training;

[TestClass]
public class TrainingTests
{
    private static readonly List<RankingRow> TrainRows = SyntheticRanking.Rows(60, 8, 20, seed: 21);
    private static readonly List<RankingRow> TestRows = SyntheticRanking.Rows(40, 8, 20, seed: 22);

    private static float[] FitAndScore(MLContext ml, HyperDpoRankingTrainer.Options options, IDataView train, IDataView test) =>
        SyntheticRanking.Scores(ml.Ranking.Trainers.HyperDpo(options).Fit(train).Transform(test));

    [TestMethod]
    public void SameSeedGivesBitIdenticalScoresAndAnotherSeedDoesNot()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticRanking.Load(ml, TrainRows);
        var test = SyntheticRanking.Load(ml, TestRows);
        HyperDpoRankingTrainer.Options Options(int seed)
        {
            var o = SyntheticRanking.FastOptions(epochs: 3, seed: seed);
            o.Network.Dropout = 0.2f; // dropout draws random masks too
            return o;
        }

        float[] first = FitAndScore(ml, Options(7), train, test);
        float[] second = FitAndScore(ml, Options(7), train, test);
        float[] other = FitAndScore(ml, Options(8), train, test);
        CollectionAssert.AreEqual(first, second, "same seed, same data: scores must be bit-identical");
        CollectionAssert.AreNotEqual(first, other);
    }

    [TestMethod]
    public void WithoutASeedTheMlContextSeedDecides()
    {
        float[] Run(int contextSeed)
        {
            var ml = new MLContext(seed: contextSeed);
            var o = SyntheticRanking.FastOptions(epochs: 2);
            o.Seed = null;
            var model = ml.Ranking.Trainers.HyperDpo(o).Fit(SyntheticRanking.Load(ml, TrainRows));
            return SyntheticRanking.Scores(model.Transform(SyntheticRanking.Load(ml, TestRows)));
        }
        CollectionAssert.AreEqual(Run(3), Run(3));
        CollectionAssert.AreNotEqual(Run(3), Run(4));
    }

    [TestMethod]
    public void TrainingLearnsEachObjectiveAtItsCorner()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticRanking.Load(ml, TrainRows);
        var test = SyntheticRanking.Load(ml, TestRows);
        var trained = ml.Ranking.Trainers.HyperDpo(SyntheticRanking.FastOptions(epochs: 15)).Fit(train);
        // Same seed, hence the same initial network, but a step size that leaves it where it started.
        var untrainedOptions = SyntheticRanking.FastOptions(epochs: 1);
        untrainedOptions.Optimiser.LearningRate = 1e-9f;
        var untrained = ml.Ranking.Trainers.HyperDpo(untrainedOptions).Fit(train);

        double Ndcg(HyperDpoRankingTransformer model, float wA, string label) =>
            SyntheticRanking.Ndcg(ml, model.WithObjectiveWeights(wA, 1 - wA).Transform(test), label);

        double aAtA = Ndcg(trained, 1, SyntheticRanking.LabelA), aAtB = Ndcg(trained, 0, SyntheticRanking.LabelA);
        double bAtB = Ndcg(trained, 0, SyntheticRanking.LabelB), bAtA = Ndcg(trained, 1, SyntheticRanking.LabelB);
        double aUntrained = Ndcg(untrained, 1, SyntheticRanking.LabelA), bUntrained = Ndcg(untrained, 0, SyntheticRanking.LabelB);
        string figures = $"A: trained {aAtA:F3} at (1,0), {aAtB:F3} at (0,1), untrained {aUntrained:F3}; " +
                         $"B: trained {bAtB:F3} at (0,1), {bAtA:F3} at (1,0), untrained {bUntrained:F3}";
        Console.WriteLine(figures);

        // Labels are a deterministic function of one feature, so a trained corner ranks its objective almost perfectly.
        Assert.IsGreaterThan(0.9, aAtA, figures);
        Assert.IsGreaterThan(0.9, bAtB, figures);
        Assert.IsGreaterThan(aUntrained + 0.1, aAtA, figures);
        Assert.IsGreaterThan(bUntrained + 0.1, bAtB, figures);
        Assert.IsGreaterThan(aAtB + 0.1, aAtA, figures);
        Assert.IsGreaterThan(bAtA + 0.1, bAtB, figures);
        Assert.AreEqual(15, trained.TrainingReport.Epochs.Count);
        Assert.IsLessThan(trained.TrainingReport.Epochs[0].MeanLoss, trained.TrainingReport.Epochs[^1].MeanLoss, figures);
    }
}
