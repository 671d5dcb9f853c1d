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
    private static void CancelExecution(MLContext ml) =>
        typeof(MLContext).GetMethod("CancelExecution", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, Type.EmptyTypes)!
            .Invoke(ml, null);

    [TestMethod]
    public void CancelExecutionFromTheLogStopsFitAfterTheFirstEpoch()
    {
        var ml = new MLContext(seed: 1);
        var data = Data(ml);
        int epochsLogged = 0;
        ml.Log += (_, e) =>
        {
            if (e.RawMessage.Contains("HyperDPO epoch", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref epochsLogged);
                CancelExecution(ml);
            }
        };
        var trainer = ml.Ranking.Trainers.HyperDpo(SyntheticRanking.FastOptions(epochs: 100000));
        var clock = Stopwatch.StartNew();
        Assert.Throws<OperationCanceledException>(() => trainer.Fit(data));
        Assert.AreEqual(1, epochsLogged, "training must stop within the next epoch, at its first step");
        Assert.IsLessThan(TimeSpan.FromSeconds(30), clock.Elapsed);
    }
}
