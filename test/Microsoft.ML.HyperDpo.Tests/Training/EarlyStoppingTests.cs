using Microsoft.ML.HyperDpo.Data;
using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Tests.Training;

[TestClass]
public class EarlyStoppingTests
{
    [TestMethod]
    public void TheKeptModelIsTheBestValidationEpochAndTrainingStopsAfterThePatience()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticRanking.Load(ml, SyntheticRanking.Rows(40, 5, 12, seed: 21));
        var valid = SyntheticRanking.Load(ml, SyntheticRanking.Rows(15, 5, 12, seed: 22));
        var options = SyntheticRanking.FastOptions(epochs: 40);
        options.Validation.EarlyStoppingPatience = 3;
        options.Optimiser.LearningRate = 0.05f;   // large steps, so that the validation figure goes up and down
        var model = ml.Ranking.Trainers.HyperDpo(options).Fit(train, valid);
        var report = model.TrainingReport!;

        var scores = report.Epochs.Select(e => e.ValidationScore!.Value).ToList();
        int best = scores.IndexOf(scores.Max()) + 1;
        Assert.AreEqual(best, report.BestEpoch);
        Assert.IsTrue(report.Epochs.Count < options.Optimiser.NumberOfEpochs, "this setting stops early: " + string.Join(", ", scores.Select(s => s.ToString("F4"))));
        Assert.AreEqual(best + options.Validation.EarlyStoppingPatience, report.Epochs.Count, "stops exactly `patience` epochs after the best");

        // Measure the returned model on the validation data independently: the hypervolume of its per-objective
        // NDCG@10 (ML.NET's evaluator) over the same lattice equals the best epoch's recorded figure.
        var front = ObjectiveNdcg.AlongGrid(ml, model, valid, SimplexLattice.Points(2, options.ValidationDivisions)).Select(p => p.At(10)).ToList();
        Assert.AreEqual(scores.Max(), Hypervolume.Compute(front), 1e-5);
    }

    [TestMethod]
    public void OptimiserStepsCountEveryBatchSoKindsWithoutEarlyStoppingGetEqualBudgets()
    {
        // 40 lists in batches of 8: 5 steps an epoch. Without early stopping (patience 0) every kind runs all epochs, so the same
        // steps; with it, the steps follow the epochs that ran.
        var ml = new MLContext(seed: 1);
        var train = SyntheticRanking.Load(ml, SyntheticRanking.Rows(40, 5, 12, seed: 21));
        var valid = SyntheticRanking.Load(ml, SyntheticRanking.Rows(15, 5, 12, seed: 22));
        long StepsOf(ConditioningKind kind, int patience, out int epochs)
        {
            var options = SyntheticRanking.FastOptions(epochs: 6);
            options.Network.Conditioning = kind;
            options.Validation.EarlyStoppingPatience = patience;
            var report = ml.Ranking.Trainers.HyperDpo(options).Fit(train, valid).TrainingReport!;
            epochs = report.Epochs.Count;
            return report.OptimiserSteps;
        }

        Assert.AreEqual(6 * 5, StepsOf(ConditioningKind.Hypernetwork, 0, out _));
        Assert.AreEqual(6 * 5, StepsOf(ConditioningKind.FiLM, 0, out _));
        long stopped = StepsOf(ConditioningKind.FiLM, 1, out int ran);
        Assert.AreEqual(ran * 5L, stopped);
    }

    [TestMethod]
    public void BaselinesWithTheEpochsSplitOverTheirFitsTakeTheStepsOfOneHyperPromptFit()
    {
        // benchmark-conditioning's Transformer:DpoLs gives each of its G fits (one per grid weight, unconditioned, fixed weights)
        // 1/G of the epochs, and Transformer:DpoSoup each of its K corner fits 1/K, so that with --equal-steps they match one
        // Transformer:HyperPrompt fit. That holds only if a fixed-weight
        // unconditioned fit runs the same batches an epoch as a conditioned one: 40 lists in batches of 8, 5 steps an epoch.
        var ml = new MLContext(seed: 1);
        var train = SyntheticRanking.Load(ml, SyntheticRanking.Rows(40, 5, 12, seed: 21));
        var valid = SyntheticRanking.Load(ml, SyntheticRanking.Rows(15, 5, 12, seed: 22));
        HyperDpoRankingTrainer.Options Transformer(ConditioningKind kind, int epochs)
        {
            var o = SyntheticRanking.FastOptions(epochs);
            o.Network.Architecture = RankerArchitecture.Transformer;
            o.Network.Conditioning = kind;
            o.Network.TransformerWidth = 8;
            o.Network.AttentionHeads = 2;
            o.Network.PromptCount = 2;
            o.Validation.EarlyStoppingPatience = 0;
            return o;
        }

        var grid = SimplexLattice.Points(2, 2);   // (1, 0), (0.5, 0.5), (0, 1)
        long hyperPrompt = ml.Ranking.Trainers.HyperDpo(Transformer(ConditioningKind.HyperPrompt, 6)).Fit(train, valid).TrainingReport!.OptimiserSteps;
        long dpoLs = grid.Sum(w =>
        {
            var o = Transformer(ConditioningKind.None, 6 / grid.Count);
            o.Loss.FixedObjectiveWeights = w;
            return ml.Ranking.Trainers.HyperDpo(o).Fit(train, valid).TrainingReport!.OptimiserSteps;
        });
        // Transformer:DpoSoup: the K = 2 corners with 1/K of the epochs each.
        long soup = new[] { new[] { 1f, 0f }, new[] { 0f, 1f } }.Sum(w =>
        {
            var o = Transformer(ConditioningKind.None, 6 / 2);
            o.Loss.FixedObjectiveWeights = w;
            return ml.Ranking.Trainers.HyperDpo(o).Fit(train, valid).TrainingReport!.OptimiserSteps;
        });
        Assert.AreEqual(6 * 5, hyperPrompt);
        Assert.AreEqual(3 * (2 * 5), dpoLs);
        Assert.AreEqual(2 * (3 * 5), soup);
    }

    [TestMethod]
    public void CosmosPenaltyIsSubtractedAndBoundedByLambda()
    {
        // With a vanishing learning rate both fits follow the same path, so the logged losses differ by exactly
        // lambda * mean cos(w, L), which lies in (0, lambda] because weights and losses are non-negative.
        var ml = new MLContext(seed: 1);
        var train = SyntheticRanking.Load(ml, SyntheticRanking.Rows(30, 5, 12, seed: 23));
        double LossWith(float lambda)
        {
            var options = SyntheticRanking.FastOptions(epochs: 1);
            options.Optimiser.LearningRate = 1e-12f;
            options.Loss.CosmosPenalty = lambda;
            return ml.Ranking.Trainers.HyperDpo(options).Fit(train).TrainingReport!.Epochs[0].MeanLoss;
        }
        double difference = LossWith(0f) - LossWith(0.5f);
        Assert.IsTrue(difference > 0 && difference <= 0.5 + 1e-6, $"loss without - loss with the penalty = {difference}");
    }
}
