namespace Microsoft.ML.HyperDpo.Tests.Training;

/// <summary><c>MLContext.CancelExecution()</c> from another thread, in the middle of an epoch, with checkpoints being written.</summary>
[TestClass]
public class CancellationTests
{
    [TestMethod]
    public void CancelExecutionFromAnotherThreadStopsWithinOneStep_LeavingOnlyACompleteCheckpoint()
    {
        using var folder = new TemporaryFolder("hyperdpo-cancel");
        string checkpoint = folder.File("fit.ckpt");
        var ml = new MLContext(seed: 1);
        // One long epoch of one list per step, with a checkpoint after every step: the checkpoint's step count is the fit's.
        var data = SyntheticRanking.Load(ml, SyntheticRanking.Rows(3000, 3, 5, seed: 61));
        var options = SyntheticRanking.FastOptions(epochs: 1);
        options.Optimiser.BatchSize = 1;
        options.Checkpointing.Path = checkpoint;
        options.Checkpointing.StepInterval = 1;

        int stepsAtCancel = -1;
        Exception cancellerError = null;
        var canceller = new Thread(() =>
        {
            try
            {
                var reader = new MLContext(seed: 2);
                var deadline = DateTime.UtcNow.AddMinutes(5);
                while (StepsOf(reader, checkpoint) < 3 && DateTime.UtcNow < deadline) Thread.Sleep(20);
                LoggingAndCancellationTests.CancelExecution(ml);
                // Read after the cancellation: at least the steps run when it was asked.
                stepsAtCancel = StepsOf(reader, checkpoint);
            }
            catch (Exception error)
            {
                cancellerError = error;
                LoggingAndCancellationTests.CancelExecution(ml);
            }
        });
        canceller.Start();
        var e = Assert.Throws<OperationCanceledException>(() => ml.Ranking.Trainers.HyperDpo(options).Fit(data));
        canceller.Join();
        Assert.IsNull(cancellerError, cancellerError?.ToString());
        Assert.IsGreaterThanOrEqualTo(3, stepsAtCancel);

        StringAssert.Contains(e.Message, "cancelled through MLContext.CancelExecution()");
        var last = HyperDpoCheckpoint.Load(new MLContext(seed: 3), checkpoint);
        Assert.AreEqual(0, last.EpochsCompleted);
        // The step under way when the cancellation came may finish (and write its checkpoint); no further step runs.
        Assert.IsLessThanOrEqualTo(stepsAtCancel + 1, last.StepsIntoEpoch, $"cancelled at step {stepsAtCancel}, stopped after step {last.StepsIntoEpoch}");
        Assert.IsLessThan(3000 / 2, last.StepsIntoEpoch);
        // Nothing half-written: the folder holds the one checkpoint, which loaded above.
        CollectionAssert.AreEqual(new[] { "fit.ckpt" }, Directory.GetFiles(folder.Path).Select(Path.GetFileName).ToArray());
    }

    /// <summary>The steps recorded in the checkpoint at <paramref name="path"/>, or -1 before the first is written.</summary>
    private static int StepsOf(MLContext ml, string path) =>
        File.Exists(path) ? HyperDpoCheckpoint.Load(ml, path).StepsIntoEpoch : -1;
}
