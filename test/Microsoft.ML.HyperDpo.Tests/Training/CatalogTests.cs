namespace Microsoft.ML.HyperDpo.Tests.Training;

[TestClass]
public class CatalogTests
{
    [TestMethod]
    public void OptionsOverloadTrainsAWorkingRanker()
    {
        var ml = new MLContext(seed: 1);
        var options = SyntheticRanking.FastOptions(epochs: 2);
        options.InitialObjectiveWeights = new[] { 3f, 1f };
        var trainer = ml.Ranking.Trainers.HyperDpo(options);
        Assert.AreSame(options, trainer.TrainerOptions);
        var data = SyntheticRanking.Load(ml, SyntheticRanking.Rows(10, 4, 8, seed: 41));
        var model = trainer.Fit(data);
        CollectionAssert.AreEqual(new[] { 0.75f, 0.25f }, model.ObjectiveWeights.ToArray());
        CollectionAssert.AreEqual(SyntheticRanking.Labels, model.Objectives.ToArray());
        Assert.AreEqual(2, model.TrainingReport.Epochs.Count);
        Assert.AreEqual(1, model.TrainingReport.Seed);
        Assert.IsTrue(SyntheticRanking.Scores(model.Transform(data)).All(float.IsFinite));
    }

    [TestMethod]
    public void ShortOverloadUsesTheGivenColumnsAndDefaults()
    {
        var ml = new MLContext(seed: 1);
        var rows = SyntheticRanking.Rows(8, 4, 8, seed: 42);
        var view = ml.Data.LoadFromEnumerable(rows);
        view = ml.Transforms.Conversion.MapValueToKey("Query", nameof(RankingRow.QueryId)).Fit(view).Transform(view);
        view = ml.Transforms.CopyColumns("X", "Features").Fit(view).Transform(view);

        var trainer = ml.Ranking.Trainers.HyperDpo(new[] { SyntheticRanking.LabelB, SyntheticRanking.LabelA }, featureColumnName: "X", rowGroupColumnName: "Query");
        var o = trainer.TrainerOptions;
        CollectionAssert.AreEqual(new[] { SyntheticRanking.LabelB, SyntheticRanking.LabelA }, o.LabelColumnNames);
        Assert.AreEqual("X", o.FeatureColumnName);
        Assert.AreEqual("Query", o.RowGroupColumnName);
        var defaults = new HyperDpoRankingTrainer.Options();
        Assert.AreEqual(defaults.Optimiser.NumberOfEpochs, o.Optimiser.NumberOfEpochs);
        CollectionAssert.AreEqual(defaults.Network.HiddenSizes, o.Network.HiddenSizes);

        var model = trainer.Fit(view);
        Assert.AreEqual("X", model.FeatureColumnName);
        CollectionAssert.AreEqual(new[] { SyntheticRanking.LabelB, SyntheticRanking.LabelA }, model.Objectives.ToArray());
        Assert.AreEqual(defaults.Optimiser.NumberOfEpochs, model.TrainingReport.Epochs.Count);
        Assert.IsTrue(SyntheticRanking.Scores(model.Transform(view)).All(float.IsFinite));
    }

    [TestMethod]
    public void NullArgumentsAreRejected()
    {
        var ml = new MLContext(seed: 1);
        Assert.ThrowsExactly<ArgumentNullException>(() => ml.Ranking.Trainers.HyperDpo((HyperDpoRankingTrainer.Options)null));
        Assert.ThrowsExactly<ArgumentNullException>(() => HyperDpoCatalog.HyperDpo(null, SyntheticRanking.FastOptions()));
        Assert.ThrowsExactly<ArgumentNullException>(() => new HyperDpoRankingTrainer(null, SyntheticRanking.FastOptions()));
        Assert.ThrowsExactly<ArgumentNullException>(() => ml.Ranking.Trainers.HyperDpo(SyntheticRanking.FastOptions()).Fit(null));
    }
}
