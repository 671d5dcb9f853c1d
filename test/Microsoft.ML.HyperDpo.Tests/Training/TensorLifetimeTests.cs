using TorchSharp;

namespace Microsoft.ML.HyperDpo.Tests.Training;

[TestClass]
public class TensorLifetimeTests
{
    /// <summary>
    /// Every step's tensors are disposed: the number of live TorchSharp tensors on the training thread is the same at
    /// the end of every epoch after the first (which creates the kept best state), so memory stays flat over epochs.
    /// </summary>
    [TestMethod]
    public void LiveTensorCountIsFlatAcrossEpochs()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticRanking.Load(ml, SyntheticRanking.Rows(40, 5, 12, seed: 5));
        var valid = SyntheticRanking.Load(ml, SyntheticRanking.Rows(10, 5, 12, seed: 6));
        var liveAtEpochEnd = new List<long>();
        var options = SyntheticRanking.FastOptions(epochs: 6);
        // Progress records arrive on the training thread.
        options.Runtime.Progress = new SynchronousProgress<TrainingProgress>(_ => liveAtEpochEnd.Add(DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount));
        options.Validation.EarlyStoppingPatience = 0;
        ml.Ranking.Trainers.HyperDpo(options).Fit(data, valid);

        Assert.AreEqual(6, liveAtEpochEnd.Count);
        var afterFirst = liveAtEpochEnd.Skip(1).ToList();
        Assert.IsTrue(afterFirst.All(n => n == afterFirst[0]), "live tensors per epoch: " + string.Join(", ", liveAtEpochEnd));
    }
}
