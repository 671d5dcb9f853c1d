using Microsoft.ML.HyperDpo.Data;

namespace Microsoft.ML.HyperDpo.Tests.Training;

/// <summary>The settings a fit switches to on large training data (<see cref="HyperDpoRankingTrainer.LargeDataOptions.Rows"/>).</summary>
[TestClass]
public class LargeDataSettingsTests
{
    // 40 queries of 5..15 documents: about 400 rows.
    private static readonly ListwiseDataset Data = ListwiseDataset.Read(
        SyntheticRanking.Load(new MLContext(1), SyntheticRanking.Rows(40, 5, 15, seed: 2)), "Features", SyntheticRanking.Labels, "GroupId", null, "test data");

    [TestMethod]
    public void BelowTheSizeTheOptionsAndValidationListsAreUsedAsGiven()
    {
        var o = new HyperDpoRankingTrainer.Options { LabelColumnNames = SyntheticRanking.Labels, LargeData = { Rows = Data.RowCount + 1, RowsPerStep = 100, ValidationLists = 3 } };
        Assert.AreSame(o, LargeDataSettings.Training(o, Data));
        Assert.AreSame(Data, LargeDataSettings.Validation(o, Data, Data, seed: 1));
    }

    [TestMethod]
    public void AboveItStepsHoldAboutTheAskedRowsAndTheLearningRateGrowsWithTheirSquareRoot()
    {
        var o = new HyperDpoRankingTrainer.Options { LabelColumnNames = SyntheticRanking.Labels, LargeData = { Rows = Data.RowCount, RowsPerStep = 100 }, Optimiser = { BatchSize = 2, LearningRate = 0.01f } };
        double meanLength = (double)Data.RowCount / Data.ListCount;   // every list is shorter than MaxListLength
        int lists = (int)Math.Round(100 / meanLength);
        var scaled = LargeDataSettings.Training(o, Data);
        Assert.AreEqual(lists, scaled.Optimiser.BatchSize);
        Assert.AreEqual(0.01 * Math.Sqrt(lists / 2.0), scaled.Optimiser.LearningRate, 1e-6);
        Assert.AreEqual(2, o.Optimiser.BatchSize, "the caller's options are not changed");

        o.Optimiser.BatchSize = lists + 1;
        Assert.AreSame(o, LargeDataSettings.Training(o, Data), "never fewer lists per step than BatchSize");
    }

    [TestMethod]
    public void AboveItEarlyStoppingMeasuresAFixedSampleOfWholeValidationLists()
    {
        var o = new HyperDpoRankingTrainer.Options { LabelColumnNames = SyntheticRanking.Labels, LargeData = { Rows = 1, ValidationLists = 7 } };
        var sample = LargeDataSettings.Validation(o, Data, Data, seed: 3);
        var again = LargeDataSettings.Validation(o, Data, Data, seed: 3);
        Assert.AreEqual(7, sample.ListCount);
        CollectionAssert.AreEqual(sample.Features, again.Features, "the same sample for the same seed");
        // Each sampled list is one of the data's lists, whole: the same features and labels, row for row.
        var used = new HashSet<int>();
        for (int l = 0; l < sample.ListCount; l++)
        {
            int source = Enumerable.Range(0, Data.ListCount).Single(s => Data.ListLength(s) == sample.ListLength(l)
                && Data.Features.AsSpan(Data.ListStarts[s] * Data.FeatureCount, Data.ListLength(s) * Data.FeatureCount)
                    .SequenceEqual(sample.Features.AsSpan(sample.ListStarts[l] * Data.FeatureCount, sample.ListLength(l) * Data.FeatureCount)));
            Assert.IsTrue(used.Add(source), "no list twice");
            for (int r = 0; r < sample.ListLength(l); r++)
                for (int k = 0; k < Data.ObjectiveCount; k++)
                    Assert.AreEqual(Data.Label(Data.ListStarts[source] + r, k), sample.Label(sample.ListStarts[l] + r, k));
        }
    }
}
