using Microsoft.ML.HyperDpo.Comparison;
using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Tests.Comparison;

/// <summary>What benchmark-conditioning sums over a baseline's fits: every fit's trainer report, carried by the fitted front.</summary>
[TestClass]
public class FittedFrontReportsTests
{
    [TestMethod]
    public void DpoLsAndDpoSoupCarryOneTrainerReportPerFitAndFastTreeNone()
    {
        // 40 lists in batches of 8: 5 optimiser steps an epoch; 2 epochs per fit, early stopping off, so 10 steps a fit.
        var ml = new MLContext(seed: 1);
        var train = SyntheticRanking.Load(ml, SyntheticRanking.Rows(40, 5, 12, seed: 21));
        var valid = SyntheticRanking.Load(ml, SyntheticRanking.Rows(15, 5, 12, seed: 22));
        HyperDpoRankingTrainer.Options Options()
        {
            var o = SyntheticRanking.FastOptions(epochs: 2);
            o.Validation.EarlyStoppingPatience = 0;
            return o;
        }
        var grid = SimplexLattice.Points(2, 2);
        var context = new FrontFitContext(ml, new ComparisonSplit("synthetic", train, valid, valid), SyntheticRanking.Labels, "Features", "GroupId", grid, 1, null);

        var ls = new DpoLinearScalarization(Options).Fit(context);
        var soup = new DpoSoup(Options).Fit(context);
        var trees = new LambdaMartScoreSoup().Fit(context);

        Assert.HasCount(3, ls.Reports, "one fit per grid weight");
        Assert.HasCount(2, soup.Reports, "one fit per objective");
        Assert.IsEmpty(trees.Reports, "FastTree fits have no HyperDPO trainer report");
        foreach (var report in ls.Reports.Concat(soup.Reports))
        {
            Assert.AreEqual(2, report.Epochs.Count);
            Assert.AreEqual(2 * 5L, report.OptimiserSteps);
        }
        Assert.AreEqual(ls.Fits, ls.Reports.Count);
        Assert.AreEqual(soup.Fits, soup.Reports.Count);
    }
}
