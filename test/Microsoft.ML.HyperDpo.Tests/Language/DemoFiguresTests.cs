using Microsoft.ML.HyperDpo.Cli.Language.Demo;
using Microsoft.ML.HyperDpo.Evaluation;
using Microsoft.ML.HyperDpo.Language.Data;
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

    [TestMethod]
    public void TheGreedyAnswersSignTestPairsEachQuestionsCornersAndCountsWinsLossesAndTies()
    {
        var objectives = new[] { "conciseness", "grounding" };
        var computed = objectives.Select(ResponseObjectives.Get).ToList();
        float[] a = { 1, 0 }, mid = { 0.5f, 0.5f }, b = { 0, 1 };
        GreedyAnswer Answer(string q, float[] w, double conciseness, double grounding) =>
            new(q, w, "text", new Dictionary<string, double> { ["conciseness"] = conciseness, ["grounding"] = grounding });
        // Question by question, the corners' answers: conciseness higher at its own corner for q1 and q2, equal for q3;
        // grounding higher at its own corner (0, 1) for q1, lower for q2 and q3. The middle weight takes no part.
        var answers = new List<GreedyAnswer>
        {
            Answer("q1", a, -3, 0.1), Answer("q1", mid, -100, 9), Answer("q1", b, -10, 0.4),
            Answer("q2", a, -5, 0.5), Answer("q2", mid, 100, -9), Answer("q2", b, -6, 0.2),
            Answer("q3", a, -7, 0.3), Answer("q3", mid, 0, 0), Answer("q3", b, -7, 0.1),
        };
        var tests = AlignmentDemo.CornerSignTests(answers, computed, objectives);
        var conciseness = tests.Single(t => t.Objective == "conciseness");
        Assert.AreEqual(("grounding", 2, 0, 1), (conciseness.OtherCorner, conciseness.Wins, conciseness.Losses, conciseness.Ties));
        Assert.AreEqual((-3 - 5 - 7) / 3.0, conciseness.MeanAtOwnCorner, 1e-12);
        Assert.AreEqual((-10 - 6 - 7) / 3.0, conciseness.MeanAtOtherCorner, 1e-12);
        // Two-sided exact sign test, 2 wins 0 losses: 2 * 0.5^2.
        Assert.AreEqual(0.5, conciseness.PValue, 1e-12);
        var grounding = tests.Single(t => t.Objective == "grounding");
        Assert.AreEqual(("conciseness", 1, 2, 0), (grounding.OtherCorner, grounding.Wins, grounding.Losses, grounding.Ties));
        // 1 win 2 losses: 2 * P(X <= 1), X ~ Bin(3, 1/2) = 2 * 4/8, capped at 1.
        Assert.AreEqual(1.0, grounding.PValue, 1e-12);
    }

    [TestMethod]
    public void HeldOutPerplexityOfAModelThatPredictsUniformlyIsTheVocabularySize()
    {
        var lists = AlignmentTests.SyntheticLists(4, 9);
        var (model, tokenizer) = AlignmentTests.TinyModel(lists);
        // Every weight zero: every logit is 0, so every next token has probability 1 / V and the perplexity is exactly V.
        using (TorchSharp.torch.no_grad())
            foreach (var p in model.parameters())
                p.zero_();
        double perplexity = LanguageModelPretrainer.Perplexity(model, tokenizer, lists.SelectMany(l => l.Responses), sequenceLength: 7);
        Assert.AreEqual(tokenizer.VocabularySize, perplexity, 1e-6 * tokenizer.VocabularySize);
        Assert.ThrowsExactly<ArgumentException>(() => LanguageModelPretrainer.Perplexity(model, tokenizer, lists.SelectMany(l => l.Responses), model.Config.ContextLength + 1));
    }

    [TestMethod]
    public void TheSeedsSummaryPairsEachMethodByNameAndGivesItsMeanAndStudentTInterval()
    {
        var front = (double hv) => new HeldOutFrontResult("m", Array.Empty<FrontPoint>(), hv, new[] { 0.5, 0.5 });
        var budget = TokenBudget.FromData(Microsoft.ML.HyperDpo.Language.Text.LanguageTokenizer.FullGpt2, AlignmentTests.SyntheticLists(2, 1), 2, 64);
        SeedRun Run(int seed, params MethodResult[] methods) => new(seed, methods, budget, 1.0);
        // The second seed lists the methods in the other order: the summary must find them by name.
        var runs = new[]
        {
            Run(0, new MethodResult("HPT", 1, 100, 10, front(0.01)), new MethodResult("DPO-LS", 5, 100, 20, front(0.04))),
            Run(1, new MethodResult("DPO-LS", 5, 100, 22, front(0.05)), new MethodResult("HPT", 1, 80, 12, front(0.02))),
            Run(2, new MethodResult("HPT", 1, 90, 14, front(0.03)), new MethodResult("DPO-LS", 5, 100, 24, front(0.06))),
        };
        var summary = AlignmentDemo.Summarize(runs);
        CollectionAssert.AreEqual(new[] { "HPT", "DPO-LS" }, summary.Select(m => m.Method).ToArray());
        // By hand: HPT 0.01, 0.02, 0.03: mean 0.02, sample sd 0.01, half-width t(0.975, 2) * 0.01 / sqrt 3, t = 4.303.
        var hpt = summary[0];
        Assert.AreEqual(0.02, hpt.Hypervolume.Mean, 1e-12);
        Assert.AreEqual(0.02 - 4.303 * 0.01 / Math.Sqrt(3), hpt.Hypervolume.Low, 1e-9);
        Assert.AreEqual(0.02 + 4.303 * 0.01 / Math.Sqrt(3), hpt.Hypervolume.High, 1e-9);
        // Times 10, 12, 14: mean 12, sd 2; steps taken 100, 80, 90.
        Assert.AreEqual(12, hpt.TrainingSeconds.Mean, 1e-12);
        Assert.AreEqual(12 + 4.303 * 2 / Math.Sqrt(3), hpt.TrainingSeconds.High, 1e-9);
        Assert.AreEqual(90, hpt.StepsTaken!.Mean, 1e-12);
        Assert.AreEqual(0.05, summary[1].Hypervolume.Mean, 1e-12);
        Assert.AreEqual(22, summary[1].TrainingSeconds.Mean, 1e-12);
        var missing = new[] { runs[0], Run(1, new MethodResult("HPT", 1, 100, 10, front(0.01))) };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => AlignmentDemo.Summarize(missing)).Message, "Seed 1 has no result for DPO-LS");
    }

    [TestMethod]
    public void TheDemosGreedyAnswersMustBeGreedy()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => (AlignmentDemoOptions.Default with { Greedy = new() { Temperature = 0.7f } }).Validate());
        StringAssert.Contains(e.Message, "Greedy");
        Assert.AreEqual(3, AlignmentDemoOptions.Default.Greedy.NoRepeatNgramSize);
    }
}
