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
    public void ShortOverloadWithTheCommonKnobsFitsWhatTheOptionsOverloadFits()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticRanking.Load(ml, SyntheticRanking.Rows(10, 4, 8, seed: 43));
        var reference = SyntheticRanking.SmallFastTree(ml, SyntheticRanking.LabelA, 5).Fit(data);
        var references = ReferenceSource.Shared(reference);
        var viaOptions = ml.Ranking.Trainers.HyperDpo(new HyperDpoRankingTrainer.Options
        {
            LabelColumnNames = SyntheticRanking.Labels,
            Seed = 5,
            Optimiser = { NumberOfEpochs = 3, LearningRate = 0.01f, BatchSize = 4 },
            References = { Source = references },
            Runtime = { Device = TorchDevice.Cpu },
        }).Fit(data);
        var shortTrainer = new MLContext(seed: 1).Ranking.Trainers.HyperDpo(SyntheticRanking.Labels, numberOfEpochs: 3, learningRate: 0.01f, batchSize: 4, references: references);
        var o = shortTrainer.TrainerOptions;
        Assert.AreEqual(3, o.Optimiser.NumberOfEpochs);
        Assert.AreEqual(0.01f, o.Optimiser.LearningRate);
        Assert.AreEqual(4, o.Optimiser.BatchSize);
        Assert.AreSame(references, o.References.Source);
        // The seed and device are the MLContext's and the default's, as for ML.NET's other trainers: set them the same way here.
        o.Seed = 5;
        o.Runtime.Device = TorchDevice.Cpu;
        var viaShort = shortTrainer.Fit(data);
        Assert.AreEqual(3, viaShort.TrainingReport.Epochs.Count);
        Assert.IsNotNull(viaShort.ScoringModel.Reference);
        CollectionAssert.AreEqual(SyntheticRanking.Scores(viaOptions.Transform(data)), SyntheticRanking.Scores(viaShort.Transform(data)));
        // Null keeps each option's default.
        var defaults = new HyperDpoRankingTrainer.Options();
        var untouched = ml.Ranking.Trainers.HyperDpo(SyntheticRanking.Labels).TrainerOptions;
        Assert.AreEqual(defaults.Optimiser.NumberOfEpochs, untouched.Optimiser.NumberOfEpochs);
        Assert.AreEqual(defaults.Optimiser.LearningRate, untouched.Optimiser.LearningRate);
        Assert.AreEqual(defaults.Optimiser.BatchSize, untouched.Optimiser.BatchSize);
        Assert.IsNull(untouched.References.Source);
        // A bad knob is named by its option.
        Assert.AreEqual("Optimiser.LearningRate", Assert.ThrowsExactly<ArgumentException>(() => ml.Ranking.Trainers.HyperDpo(SyntheticRanking.Labels, learningRate: 0f)).ParamName);
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
