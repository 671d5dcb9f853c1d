using Microsoft.ML.HyperDpo.Comparison;
using Microsoft.ML.HyperDpo.Evaluation;
using Microsoft.ML.HyperDpo.Tests.Scoring;

namespace Microsoft.ML.HyperDpo.Tests.Evaluation;

/// <summary>
/// Every evaluation entry point refuses data whose groups are not contiguous (ML.NET's evaluator would read each run of
/// a group as a query of its own and report wrong NDCG), with a message that names the column and says how to fix it.
/// </summary>
[TestClass]
public class ShuffledGroupsTests
{
    private static readonly MLContext Ml = new(seed: 1);

    /// <summary>Queries of 4..8 documents, dealt out one document per query in turn: every group is split into runs.</summary>
    private static IDataView Shuffled()
    {
        var rows = SyntheticRanking.Rows(12, 4, 8, seed: 50);
        var dealt = rows.Select((row, i) => (row, i))
            .GroupBy(r => r.row.QueryId)
            .SelectMany(g => g.Select((r, position) => (r.row, position)))
            .OrderBy(r => r.position).ThenBy(r => r.row.QueryId)
            .Select(r => r.row);
        return SyntheticRanking.Load(Ml, dealt);
    }

    private static HyperDpoRankingTransformer Model => ScorerVariants.Model(ConditioningKind.Input);

    private static void AssertRejected(Action evaluate, string entryPoint)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(evaluate);
        StringAssert.StartsWith(e.Message, entryPoint);
        Assert.Contains("'GroupId'", e.Message);
        Assert.Contains("must be contiguous", e.Message);
        Assert.Contains("Sort the rows by 'GroupId'", e.Message);
    }

    [TestMethod]
    public void ObjectiveNdcgMeasure() =>
        AssertRejected(() => ObjectiveNdcg.Measure(Ml, Model.Transform(Shuffled()), SyntheticRanking.Labels), "ObjectiveNdcg.Measure");

    [TestMethod]
    public void ObjectiveNdcgAlongGrid() =>
        AssertRejected(() => ObjectiveNdcg.AlongGrid(Ml, Model, Shuffled(), SimplexLattice.Points(2, 2)), "ParetoProfiler.Profile");

    [TestMethod]
    public void ParetoProfilerOfAModel() =>
        AssertRejected(() => ParetoProfiler.Profile(Ml, Model, Shuffled()), "ParetoProfiler.Profile");

    [TestMethod]
    public void ParetoProfilerOfAnyRanker() =>
        AssertRejected(() => ParetoProfiler.Profile(Ml, w => Model.WithObjectiveWeights(w), Shuffled(), SyntheticRanking.Labels), "ParetoProfiler.Profile");

    [TestMethod]
    public void TradeOffPickerPick() =>
        AssertRejected(() => TradeOffPicker.Pick(Ml, Model, Shuffled(), SyntheticRanking.LabelA, Array.Empty<NdcgConstraint>()), "ParetoProfiler.Profile");

    [TestMethod]
    public void ParetoComparisonRunChecksBeforeFitting()
    {
        var train = SyntheticRanking.Load(Ml, SyntheticRanking.Rows(12, 4, 8, seed: 51));
        var splits = new[] { new ComparisonSplit("fold", train, null, Shuffled()) };
        AssertRejected(() => ParetoComparison.Run(Ml, splits, new ParetoComparisonOptions { LabelColumnNames = SyntheticRanking.Labels }),
            "ParetoComparison.Run (test data of split 'fold')");
    }

    [TestMethod]
    public void SortedGroupsAreAccepted_AndAGroupIdReusedLaterIsNot()
    {
        var sorted = SyntheticRanking.Load(Ml, SyntheticRanking.Rows(12, 4, 8, seed: 50));
        Assert.HasCount(2, ObjectiveNdcg.Measure(Ml, Model.Transform(sorted), SyntheticRanking.Labels));
        // Two whole, contiguous runs of the same query id are still two runs of one group.
        var rows = SyntheticRanking.Rows(3, 4, 4, seed: 52);
        var repeated = SyntheticRanking.Load(Ml, rows.Concat(rows.Take(4)));
        AssertRejected(() => ObjectiveNdcg.Measure(Ml, Model.Transform(repeated), SyntheticRanking.Labels), "ObjectiveNdcg.Measure");
    }
}
