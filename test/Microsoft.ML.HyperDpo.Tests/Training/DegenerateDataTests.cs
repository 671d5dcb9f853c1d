namespace Microsoft.ML.HyperDpo.Tests.Training;

/// <summary>
/// Data a fit would once run on without a word and return a model that learned nothing (loss 0 in every epoch) or that early
/// stopping could not measure (validation NDCG 0 in every epoch) is refused before the first epoch, with a message saying what is wrong.
/// </summary>
[TestClass]
public class DegenerateDataTests
{
    private static readonly MLContext Ml = new(seed: 1);

    /// <summary>Fits on the rows; returns the error and the number of epochs that ran before it.</summary>
    private static (InvalidOperationException Error, int Epochs) Refused(List<RankingRow> train, List<RankingRow> valid = null)
    {
        int epochs = 0;
        var options = SyntheticRanking.FastOptions(epochs: 3);
        options.Runtime.Progress = new SynchronousProgress<TrainingProgress>(_ => epochs++);
        var trainer = Ml.Ranking.Trainers.HyperDpo(options);
        var error = Assert.Throws<InvalidOperationException>(() =>
            trainer.Fit(SyntheticRanking.Load(Ml, train), valid is null ? null : SyntheticRanking.Load(Ml, valid)));
        return (error, epochs);
    }

    [TestMethod]
    public void NoGroupWithTwoDocuments()
    {
        // Every document its own query: nothing to order, so the loss was 0 in every epoch.
        var rows = SyntheticRanking.Rows(40, 1, 1, seed: 51);
        var (e, epochs) = Refused(rows);
        StringAssert.Contains(e.Message, "None of the 40 groups of the training data (column 'GroupId') has two or more documents");
        Assert.AreEqual(0, epochs);
    }

    [TestMethod]
    public void AnObjectiveWithOneGradeInEveryTrainingGroup()
    {
        var rows = SyntheticRanking.Rows(20, 4, 8, seed: 52);
        foreach (var r in rows) r.RelevanceB = r.QueryId % 3;
        var (e, epochs) = Refused(rows);
        StringAssert.Contains(e.Message, "Label column 'RelevanceB' has one grade within every group of the training data");
        Assert.AreEqual(0, epochs);
    }

    [TestMethod]
    [DataRow(0.25f)]
    [DataRow(0.5f)]
    [DataRow(2.5f)]
    public void AFractionalGrade(float value)
    {
        // Below 1, NDCG counted such grades as 0: validation NDCG was 0 in every epoch and early stopping blind.
        var train = SyntheticRanking.Rows(20, 4, 8, seed: 53);
        var valid = SyntheticRanking.Rows(8, 4, 8, seed: 54);
        foreach (var r in valid) r.RelevanceA = value * (r.Features[0] > 0.5f ? 1 : 0);
        var (e, epochs) = Refused(train, valid);
        string shown = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        StringAssert.Contains(e.Message, $"Label column 'RelevanceA' has the value {shown} at row");
        StringAssert.Contains(e.Message, "(validation data)");
        StringAssert.Contains(e.Message, "whole-number grades");
        Assert.AreEqual(0, epochs);
    }

    [TestMethod]
    public void AFractionalGradeInTheTrainingData()
    {
        var train = SyntheticRanking.Rows(20, 4, 8, seed: 55);
        train[7].RelevanceB = 1.5f;
        var (e, _) = Refused(train);
        StringAssert.Contains(e.Message, "Label column 'RelevanceB' has the value 1.5 at row 7 (training data)");
    }

    [TestMethod]
    public void ValidationDataWhereAnObjectiveHasNoRelevantDocument()
    {
        // Whole grades, but all 0 for B in the validation data: NDCG of B is 0 for any ranking.
        var train = SyntheticRanking.Rows(20, 4, 8, seed: 56);
        var valid = SyntheticRanking.Rows(8, 4, 8, seed: 57);
        foreach (var r in valid) r.RelevanceB = 0;
        var (e, epochs) = Refused(train, valid);
        StringAssert.Contains(e.Message, "Label column 'RelevanceB' has one grade within every group of the validation data (8 groups)");
        StringAssert.Contains(e.Message, "early stopping");
        Assert.AreEqual(0, epochs);
    }

    [TestMethod]
    public void UsableDataStillTrains_WithGroupsOfOneAndTiedGroupsAmongThem()
    {
        // Degenerate groups inside otherwise usable data are fine: they carry no loss, as before.
        var train = SyntheticRanking.Rows(20, 4, 8, seed: 58);
        train.AddRange(SyntheticRanking.Rows(5, 1, 1, seed: 59).Select(r => { r.QueryId += 1000; return r; }));
        var valid = SyntheticRanking.Rows(8, 4, 8, seed: 60);
        foreach (var r in valid.Where(r => r.QueryId == valid[0].QueryId)) r.RelevanceB = 0;
        var model = Ml.Ranking.Trainers.HyperDpo(SyntheticRanking.FastOptions(epochs: 2)).Fit(SyntheticRanking.Load(Ml, train), SyntheticRanking.Load(Ml, valid));
        Assert.IsTrue(model.TrainingReport!.Epochs.All(e => e.MeanLoss > 0 && e.ValidationScore > 0));
    }
}
