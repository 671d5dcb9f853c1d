using Microsoft.ML.HyperDpo.Cli.Language.Demo;
using Microsoft.ML.HyperDpo.Language.Evaluation;
using Microsoft.ML.HyperDpo.Language.Training;

namespace Microsoft.ML.HyperDpo.Tests.Language;

/// <summary>The figures the alignment demo reports: intervals over seeds, hypervolume from chance, equal steps.</summary>
[TestClass]
public class DemoFiguresTests
{
    [TestMethod]
    public void TheSeedIntervalIsStudentTOverTheSeeds()
    {
        // 1, 2, 3: mean 2, sample sd 1, t(0.975, 2) = 4.303, half-width 4.303 / sqrt 3.
        var i = SeedInterval.Of(new[] { 1.0, 2.0, 3.0 });
        Assert.AreEqual(2.0, i.Mean, 1e-12);
        Assert.AreEqual(2 - 4.303 / Math.Sqrt(3), i.Low, 1e-9);
        Assert.AreEqual(2 + 4.303 / Math.Sqrt(3), i.High, 1e-9);
        var one = SeedInterval.Of(new[] { 0.4 });
        Assert.AreEqual(0.4, one.Mean);
        Assert.IsTrue(double.IsNaN(one.Low) && double.IsNaN(one.High), "one seed has no interval");
    }

    [TestMethod]
    public void TheHeldOutHypervolumeIsMeasuredFromChanceAgreement()
    {
        var lists = AlignmentTests.SyntheticLists(6, 41);
        var (model, tokenizer) = AlignmentTests.TinyModel(lists);
        var options = new LanguageAlignmentOptions { Objectives = new[] { "short", "yes" }, PromptLength = 2, HiddenSize = 8, MaxPromptTokens = 12, MaxResponseTokens = 16, Steps = 1, ListsPerStep = 2 };
        var aligned = LanguageAlignmentTrainer.Fit(model, tokenizer, lists, options);
        var grid = new[] { new[] { 1f, 0f }, new[] { 0f, 1f } };
        var front = HeldOutFront.Evaluate("HPT", lists, grid.Select(w => (w, aligned)));
        CollectionAssert.AreEqual(new[] { 0.5, 0.5 }, front.Reference);
        // By hand: the union of the boxes [0.5, p] of the points above chance in both objectives.
        var above = front.Points.Select(p => p.Agreement).Where(a => a.All(v => v > 0.5)).ToList();
        double expected = above.Count switch
        {
            0 => 0,
            1 => (above[0][0] - 0.5) * (above[0][1] - 0.5),
            _ => (above[0][0] - 0.5) * (above[0][1] - 0.5) + (above[1][0] - 0.5) * (above[1][1] - 0.5)
                 - (Math.Min(above[0][0], above[1][0]) - 0.5) * (Math.Min(above[0][1], above[1][1]) - 0.5),
        };
        Assert.AreEqual(expected, front.Hypervolume, 1e-12);
    }

    [TestMethod]
    public void EveryMethodGetsTheSameStepsOrTheDemoRefusesToRun()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => (AlignmentDemoOptions.Default with { StepsPerMethod = 301 }).Validate());
        StringAssert.Contains(e.Message, "StepsPerMethod");
        AlignmentDemoOptions.Default.Validate();
        AlignmentDemoOptions.Small.Validate();
    }
}
