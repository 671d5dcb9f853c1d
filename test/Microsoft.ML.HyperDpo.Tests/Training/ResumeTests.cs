using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Tests.Training;

/// <summary>Periodic checkpoints (<see cref="HyperDpoRankingTrainer.CheckpointingOptions.Path"/>) and resuming a fit that was killed hard.</summary>
[TestClass]
public class ResumeTests
{
    private const int Epochs = 12, Seed = 3;

    [TestMethod]
    public void AFitKilledMidEpochResumesFromItsLastCheckpointToTheSameValidationFront()
    {
        using var temporary = new TemporaryFolder("hyperdpo-resume");
        string folder = temporary.Path;
        string checkpointPath = Path.Combine(folder, "fit.ckpt");
        // The same data as 'hyperdpo train' on its embedded default (RankingDataSets.Synthetic).
        var ml = new MLContext(Seed);
        var splits = SyntheticRankingData.GenerateSplits(ml, new SyntheticRankingDataOptions { Seed = Seed });
        int lists = splits.Train.GetColumn<uint>("GroupId").Distinct().Count();
        int stepsPerEpoch = (lists + 15) / 16;
        var (killedAfter, stepsInto) = TrainInAChildAndKillIt(checkpointPath, killOnceEpochs: 4, stepsPerEpoch);
        string[] objectives = ["Relevance", "Quality"];

        var checkpoint = HyperDpoCheckpoint.Load(ml, checkpointPath);
        Assert.AreEqual(killedAfter, checkpoint.EpochsCompleted);
        Assert.AreEqual(stepsInto, checkpoint.StepsIntoEpoch);
        var resume = checkpoint.ResumeOptions;
        Assert.AreEqual(Epochs - killedAfter, resume.Optimiser.NumberOfEpochs, "the epochs the killed fit had still to run, the one it was in the middle of included");
        Assert.AreEqual(checkpointPath, resume.Checkpointing.Path, "the resumed fit keeps checkpointing");
        var resumed = ml.Ranking.Trainers.HyperDpo(resume).Fit(splits.Train, splits.Validation);
        Assert.AreEqual(Epochs, HyperDpoCheckpoint.Load(ml, checkpointPath).EpochsCompleted, "the last checkpoint is the finished fit's");

        var options = new HyperDpoRankingTrainer.Options { LabelColumnNames = objectives, Seed = Seed, Optimiser = { NumberOfEpochs = Epochs } };
        var uninterrupted = new MLContext(Seed).Ranking.Trainers.HyperDpo(options).Fit(splits.Train, splits.Validation);

        double Front(HyperDpoRankingTransformer model) =>
            Hypervolume.Compute(ObjectiveNdcg.AlongGrid(ml, model, splits.Validation, SimplexLattice.Points(2, 4)).Select(r => r.At(10)).ToList());
        double full = Front(uninterrupted), again = Front(resumed);
        Console.WriteLine($"Validation hypervolume: uninterrupted {full:F4}, killed {stepsInto} steps into epoch {killedAfter + 1} and resumed {again:F4}.");
        Assert.AreEqual(full, again, 0.005, "killed and resumed, the fit reaches the uninterrupted run's validation front");
    }

    [TestMethod]
    [DataRow(2, 0.0, DisplayName = "every 2 steps")]
    [DataRow(0, 1e-9, DisplayName = "every step, by time")]
    public void CheckpointsInTheMiddleOfEpochsRecordTheStepsRun(int stepInterval, double seconds)
    {
        using var temporary = new TemporaryFolder("hyperdpo-midepoch");
        string path = Path.Combine(temporary.Path, "fit.ckpt");
        var ml = new MLContext(1);
        // 30 lists of 8 per step: 4 steps per epoch.
        var data = SyntheticRanking.Load(ml, SyntheticRanking.Rows(30, 5, 12, seed: 4));
        var options = SyntheticRanking.FastOptions(epochs: 2);
        options.Checkpointing.Path = path;
        options.Checkpointing.Interval = 100;
        options.Checkpointing.StepInterval = stepInterval;
        options.Checkpointing.Seconds = seconds;
        // After an epoch's last step and before its end-of-epoch checkpoint, the file holds the last one written mid-epoch.
        var seen = new List<(int Epochs, int Steps)>();
        options.Runtime.Progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            var c = HyperDpoCheckpoint.Load(ml, path);
            seen.Add((c.EpochsCompleted, c.StepsIntoEpoch));
        });
        ml.Ranking.Trainers.HyperDpo(options).Fit(data);
        // Every 2 steps: after steps 2 of epoch 1, then 1 and 3 of epoch 2 (the count goes on over the epoch's end, where a
        // checkpoint would be an end-of-epoch one). Every step: after steps 1-3 of each epoch.
        var expected = stepInterval == 2 ? new[] { (0, 2), (1, 3) } : new[] { (0, 3), (1, 3) };
        CollectionAssert.AreEqual(expected, seen);
        var final = HyperDpoCheckpoint.Load(ml, path);
        Assert.AreEqual((2, 0), (final.EpochsCompleted, final.StepsIntoEpoch), "the last checkpoint is the finished fit's, at an epoch's end");
    }

    /// <summary>
    /// Runs 'hyperdpo train --checkpoint --checkpoint-steps 1' on the embedded data and kills it (the whole process tree, no
    /// chance to clean up) as soon as a checkpoint written in the first half of an epoch after <paramref name="killOnceEpochs"/>
    /// epochs is on disk, that is in the middle of that epoch (half an epoch of steps, each writing a checkpoint, is the margin
    /// for the kill to land before the epoch ends). Returns the epochs and steps of the checkpoint left behind, which must itself
    /// be one written in the middle of an epoch.
    /// </summary>
    private static (int Epochs, int Steps) TrainInAChildAndKillIt(string checkpointPath, int killOnceEpochs, int stepsPerEpoch)
    {
        string cli = Cli.HyperdpoProcess.Tool;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { cli, "train", "--epochs", Epochs.ToString(), "--seed", Seed.ToString(), "--checkpoint", checkpointPath, "--checkpoint-steps", "1" }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var ml = new MLContext(1);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(3))
        {
            Assert.IsFalse(process.HasExited, "the training process ended before it could be killed");
            if (File.Exists(checkpointPath) && HyperDpoCheckpoint.Load(ml, checkpointPath) is { EpochsCompleted: var done, StepsIntoEpoch: var steps }
                && done >= killOnceEpochs && steps > 0 && steps <= stepsPerEpoch / 2)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                // A kill during a checkpoint write leaves the previous file whole (atomic rename): it must still load.
                var left = HyperDpoCheckpoint.Load(ml, checkpointPath);
                Assert.IsLessThan(Epochs, left.EpochsCompleted, "killed before the fit finished");
                Assert.IsGreaterThan(0, left.StepsIntoEpoch, "killed in the middle of an epoch, after a checkpoint written there");
                return (left.EpochsCompleted, left.StepsIntoEpoch);
            }
            Thread.Sleep(10);
        }
        process.Kill(entireProcessTree: true);
        Assert.Fail("No checkpoint appeared within three minutes.");
        return default;
    }
}
