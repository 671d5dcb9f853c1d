using Microsoft.ML.HyperDpo.Data;
using Microsoft.ML.HyperDpo.Evaluation;
using Microsoft.ML.HyperDpo.Modeling;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Microsoft.ML.HyperDpo.Tests.Training;

/// <summary>
/// The variance-reduction options: a weight average of fits from one start (<see cref="HyperDpoRankingTrainer.OptimiserOptions.EnsembleSize"/>),
/// early stopping on several grids (<see cref="HyperDpoRankingTrainer.ValidationOptions.Grids"/>) and a refit on the training and
/// validation lists (<see cref="HyperDpoRankingTrainer.ValidationOptions.RefitOnValidationData"/>).
/// </summary>
[TestClass]
public class VarianceReductionTests
{
    private static readonly MLContext Ml = new(seed: 1);
    private static readonly List<RankingRow> TrainRows = SyntheticRanking.Rows(40, 5, 12, seed: 31);
    // Query ids apart from the training rows', so that the two can be joined into one data view.
    private static readonly List<RankingRow> ValidRows = SyntheticRanking.Rows(20, 5, 12, seed: 32).Select(r => { r.QueryId += 1000; return r; }).ToList();
    private static readonly IDataView Train = SyntheticRanking.Load(Ml, TrainRows);
    private static readonly IDataView Valid = SyntheticRanking.Load(Ml, ValidRows);
    private static readonly IDataView Test = SyntheticRanking.Load(Ml, SyntheticRanking.Rows(15, 5, 12, seed: 33));

    [TestMethod]
    public void AnEnsembleIsTheMeanOfItsMembersParametersFromOneStart()
    {
        var options = SyntheticRanking.FastOptions(epochs: 3);
        options.Optimiser.EnsembleSize = 3;
        var model = Ml.Ranking.Trainers.HyperDpo(options).Fit(Train);

        // The members, trained independently of the trainer's ensemble code: the seed's initial parameters, member i's own list
        // order and weights (seed + 1000 i).
        var plain = SyntheticRanking.FastOptions(epochs: 3);
        var host = ((IHostEnvironment)Ml).Register("test");
        using var channel = host.Start("test");
        var data = ListwiseDataset.Read(Train, plain.FeatureColumnName, plain.LabelColumnNames, plain.RowGroupColumnName, null, "training data");
        IRankingNetwork Create()
        {
            var (mean, scale) = FeatureStandardizer.Fit(data);
            return RankingNetworks.Create(plain, data.FeatureCount, data.ObjectiveCount, mean, scale);
        }
        var members = Enumerable.Range(0, 3).Select(i => new TrainingLoop(plain, host, channel)
            .Run(data, null, torch.CPU, 1 + 1000 * i, Create, null, initSeed: 1).Model.Module.named_parameters()
            .ToDictionary(p => p.name, p => p.parameter.data<float>().ToArray())).ToArray();

        var averaged = model.ScoringModel.Network.Module.named_parameters().ToList();
        Assert.IsNotEmpty(averaged);
        double spread = 0;
        foreach (var (name, parameter) in averaged)
        {
            float[] actual = parameter.data<float>().ToArray();
            for (int j = 0; j < actual.Length; j++)
            {
                double mean = members.Average(m => (double)m[name][j]);
                Assert.AreEqual(mean, actual[j], 1e-5, $"{name}[{j}]");
                spread = Math.Max(spread, Math.Abs(members[1][name][j] - members[0][name][j]));
            }
        }
        Assert.IsGreaterThan(1e-3, spread, "the members differ, so the average is not one of them");
        Assert.IsNull(model.TrainingReport!.KeptValidationScore, "no validation data, no validation figure");
    }

    [TestMethod]
    public void AnEnsembleWithAReferenceStopsEachMemberOnValidationAndNeverEndsBelowTheReferenceThere()
    {
        var references = SyntheticRanking.Labels.Select(label => SyntheticRanking.SmallFastTree(Ml, label, 10).Fit(Train)).ToArray();
        var options = SyntheticRanking.FastOptions(epochs: 4);
        options.References.Source = ReferenceSource.PerObjective(references);
        options.Optimiser.EnsembleSize = 2;
        var progress = new List<TrainingProgress>();
        options.Runtime.Progress = new SynchronousProgress<TrainingProgress>(progress.Add);

        var model = Ml.Ranking.Trainers.HyperDpo(options).Fit(Train, Valid);

        var report = model.TrainingReport!;
        Assert.HasCount(2, report.MemberBestEpochs);
        Assert.HasCount(8, progress, "two members of four epochs, each reporting its epochs");
        Assert.IsNotNull(report.KeptValidationScore);
        // The reference alone, measured by the same figure: a fit whose learning rate moves nothing keeps epoch 0 and reports it.
        var still = SyntheticRanking.FastOptions(epochs: 1);
        still.References.Source = ReferenceSource.PerObjective(references);
        still.Optimiser.LearningRate = 1e-12f;
        still.Optimiser.EnsembleSize = 2;
        double soup = Ml.Ranking.Trainers.HyperDpo(still).Fit(Train, Valid).TrainingReport!.KeptValidationScore!.Value;
        Assert.IsGreaterThanOrEqualTo(soup - 1e-9, report.KeptValidationScore!.Value);
        Assert.IsLessThanOrEqualTo(1.0, report.KeptValidationScore!.Value);
    }

    [TestMethod]
    public void RandomGridsHoldTheCornersAndPointsOfTheSimplexAndAreTheSameForEveryFit()
    {
        var set = new ValidationGridSet(objectives: 3, divisions: 4, grids: 3);
        var lattice = SimplexLattice.Points(3, 4);

        Assert.AreEqual(lattice.Count, set.GridSize);
        Assert.HasCount(3 * lattice.Count, set.Points);
        for (int p = 0; p < lattice.Count; p++) CollectionAssert.AreEqual(lattice[p], set.Points[p], "the first grid is the lattice");
        for (int g = 1; g < 3; g++)
        {
            var grid = set.Points.Skip(g * set.GridSize).Take(set.GridSize).ToList();
            for (int k = 0; k < 3; k++) Assert.AreEqual(1f, grid[k][k], $"grid {g} starts with corner {k}");
            Assert.IsTrue(grid.All(w => w.All(x => x >= 0) && Math.Abs(w.Sum() - 1) < 1e-5), $"grid {g}: weights on the simplex");
            Assert.IsFalse(grid.Skip(3).Any(w => lattice.Any(l => l.Zip(w).All(p => Math.Abs(p.First - p.Second) < 1e-6))), $"grid {g}'s other points are off the lattice");
        }
        CollectionAssert.AreNotEqual(set.Points[set.GridSize + 3], set.Points[2 * set.GridSize + 3], "the random grids differ");
        var again = new ValidationGridSet(3, 4, 3);
        for (int p = 0; p < set.Points.Count; p++) CollectionAssert.AreEqual(set.Points[p], again.Points[p]);
    }

    [TestMethod]
    public void TheFigureIsTheMeanOverTheGridsOfEachGridsHypervolume()
    {
        // K = 2, one division: each grid is the two corners, so grid size 2.
        var set = new ValidationGridSet(objectives: 2, divisions: 1, grids: 2);
        double[][] ndcg = { new[] { 0.5, 0.2 }, new[] { 0.1, 0.8 }, new[] { 0.4, 0.4 }, new[] { 0.4, 0.4 } };

        double figure = set.Mean(ndcg, points => Hypervolume.Compute(points));

        // By hand: grid 1's front is (0.5, 0.2) and (0.1, 0.8): 0.5 * 0.2 + 0.1 * (0.8 - 0.2) = 0.16; grid 2's is the box 0.4 x 0.4 = 0.16.
        // The mean figure is therefore (0.16 + 0.16) / 2.
        Assert.AreEqual(0.16, figure, 1e-12);
        double[][] other = { new[] { 0.5, 0.2 }, new[] { 0.1, 0.8 }, new[] { 0.2, 0.2 }, new[] { 0.2, 0.2 } };
        Assert.AreEqual((0.16 + 0.04) / 2, set.Mean(other, points => Hypervolume.Compute(points)), 1e-12);
    }

    [TestMethod]
    public void EarlyStoppingOnSeveralGridsSaysSoAndMovesTheFigure()
    {
        var one = SyntheticRanking.FastOptions(epochs: 3);
        var several = SyntheticRanking.FastOptions(epochs: 3);
        several.Validation.Grids = 4;
        var progress = new List<TrainingProgress>();
        several.Runtime.Progress = new SynchronousProgress<TrainingProgress>(progress.Add);

        var single = Ml.Ranking.Trainers.HyperDpo(one).Fit(Train, Valid).TrainingReport!;
        var averaged = Ml.Ranking.Trainers.HyperDpo(several).Fit(Train, Valid).TrainingReport!;

        Assert.AreEqual("Hypervolume, mean of 4 grids", progress[0].ValidationMetric);
        // The same steps (the grids change only what is measured), measured on more grids.
        CollectionAssert.AreEqual(single.Epochs.Select(e => e.MeanLoss).ToArray(), averaged.Epochs.Select(e => e.MeanLoss).ToArray());
        Assert.AreNotEqual(single.Epochs[0].ValidationScore, averaged.Epochs[0].ValidationScore);
    }

    [TestMethod]
    public void TheRefitIsAFitOnTrainingAndValidationListsForTheChosenEpochs()
    {
        var options = SyntheticRanking.FastOptions(epochs: 6);
        options.Validation.RefitOnValidationData = true;
        options.Validation.EarlyStoppingPatience = 0;
        var refitted = Ml.Ranking.Trainers.HyperDpo(options).Fit(Train, Valid);
        int chosen = refitted.TrainingReport!.BestEpoch;
        Assert.IsGreaterThan(0, chosen);
        Assert.AreEqual(chosen, refitted.TrainingReport.RefitEpochs);

        // What a user would do by hand: the same options (a constant learning rate, so the schedule's length does not matter), on one
        // data view holding the training and then the validation rows, for the chosen epochs, without validation.
        var byHand = SyntheticRanking.FastOptions(epochs: chosen);
        var joined = Ml.Ranking.Trainers.HyperDpo(byHand).Fit(SyntheticRanking.Load(Ml, TrainRows.Concat(ValidRows)));

        CollectionAssert.AreEqual(SyntheticRanking.Scores(joined.Transform(Test)), SyntheticRanking.Scores(refitted.Transform(Test)));
        var plain = Ml.Ranking.Trainers.HyperDpo(SyntheticRanking.FastOptions(epochs: 6)).Fit(Train, Valid);
        CollectionAssert.AreNotEqual(SyntheticRanking.Scores(plain.Transform(Test)), SyntheticRanking.Scores(refitted.Transform(Test)));
    }

    [TestMethod]
    public void TheOptionsAreCheckedAndNameThemselves()
    {
        foreach (var (set, name) in new (Action<HyperDpoRankingTrainer.Options>, string)[]
        {
            (o => o.Optimiser.EnsembleSize = 0, "Optimiser.EnsembleSize"),
            (o => o.Validation.Grids = 0, "Validation.Grids"),
            (o => { o.Optimiser.EnsembleSize = 2; o.Checkpointing.Path = "model.ckpt"; }, "Optimiser.EnsembleSize"),
            (o => { o.Validation.RefitOnValidationData = true; o.Checkpointing.Path = "model.ckpt"; }, "Validation.RefitOnValidationData"),
        })
        {
            var options = SyntheticRanking.FastOptions();
            set(options);
            var error = Assert.ThrowsExactly<ArgumentException>(options.Validate);
            Assert.AreEqual(name, error.ParamName);
        }
    }
}
