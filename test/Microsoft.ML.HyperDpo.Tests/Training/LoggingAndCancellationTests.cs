using System.Collections.Concurrent;
using System.Diagnostics;

namespace Microsoft.ML.HyperDpo.Tests.Training;

[TestClass]
public class LoggingAndCancellationTests
{
    private static IDataView Data(MLContext ml) => SyntheticRanking.Load(ml, SyntheticRanking.Rows(30, 5, 10, seed: 31));

    [TestMethod]
    public void EveryEpochIsLoggedThroughMlContextLog()
    {
        var ml = new MLContext(seed: 1);
        var messages = new ConcurrentQueue<string>();
        ml.Log += (_, e) => messages.Enqueue(e.RawMessage);
        ml.Ranking.Trainers.HyperDpo(SyntheticRanking.FastOptions(epochs: 3)).Fit(Data(ml));

        var epochMessages = messages.Where(m => m.Contains("epoch", StringComparison.Ordinal)).ToList();
        for (int epoch = 1; epoch <= 3; epoch++)
            Assert.AreEqual(1, epochMessages.Count(m => m.Contains($"epoch {epoch}/3", StringComparison.Ordinal)),
                $"epoch {epoch}; messages seen: {string.Join(" | ", epochMessages)}");
        Assert.IsTrue(epochMessages.All(m => m.Contains("loss", StringComparison.Ordinal)));
    }

    /// <summary>
    /// <c>mlContext.CancelExecution()</c>. ML.NET 5.0.1 declares it internal ([BestFriend]); users reach it through
    /// <c>MLContextExtensions.CancelExecution</c> of the Microsoft.ML.Experimental package, which calls this same method.
    /// </summary>
    internal static void CancelExecution(MLContext ml) =>
        typeof(MLContext).GetMethod("CancelExecution", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, Type.EmptyTypes)!
            .Invoke(ml, null);

    [TestMethod]
    public void EveryEpochIsReportedAsAProgressRecordInOrder()
    {
        var ml = new MLContext(seed: 1);
        var records = new List<TrainingProgress>();
        var options = SyntheticRanking.FastOptions(epochs: 40);
        options.Validation.EarlyStoppingPatience = 2;
        options.Optimiser.LearningRate = 0.05f;
        options.Runtime.Progress = new SynchronousProgress<TrainingProgress>(records.Add);
        var valid = SyntheticRanking.Load(ml, SyntheticRanking.Rows(10, 5, 10, seed: 32));
        var report = ml.Ranking.Trainers.HyperDpo(options).Fit(Data(ml), valid).TrainingReport!;

        // The records are the report's epochs, in order, with the running best and the early stop on the last one only.
        CollectionAssert.AreEqual(report.Epochs.ToList(), records.Select(r => r.Epoch).ToList());
        Assert.IsTrue(records.All(r => r.NumberOfEpochs == 40 && r.ValidationMetric == nameof(EarlyStoppingMetric.Hypervolume)));
        for (int i = 0; i < records.Count; i++)
        {
            var best = records.Take(i + 1).MaxBy(r => r.Epoch.ValidationScore!.Value)!;
            Assert.AreEqual(best.Epoch.Epoch, records[i].BestEpoch, $"epoch {i + 1}");
            Assert.AreEqual(best == records[i], records[i].IsBestSoFar, $"epoch {i + 1}");
            Assert.AreEqual(i == records.Count - 1 && records.Count < 40, records[i].StoppingEarly, $"epoch {i + 1}");
        }
        Assert.AreEqual(report.BestEpoch, records[^1].BestEpoch);
    }

    [TestMethod]
    public void CancelExecutionFromAProgressRecordStopsFitAfterTheFirstEpoch()
    {
        var ml = new MLContext(seed: 1);
        var data = Data(ml);
        int epochsReported = 0;
        var options = SyntheticRanking.FastOptions(epochs: 100000);
        options.Runtime.Progress = new SynchronousProgress<TrainingProgress>(_ =>
        {
            epochsReported++;
            CancelExecution(ml);
        });
        var trainer = ml.Ranking.Trainers.HyperDpo(options);
        var clock = Stopwatch.StartNew();
        Assert.Throws<OperationCanceledException>(() => trainer.Fit(data));
        Assert.AreEqual(1, epochsReported, "training must stop within the next epoch, at its first step");
        Assert.IsLessThan(TimeSpan.FromSeconds(30), clock.Elapsed);
    }
}
