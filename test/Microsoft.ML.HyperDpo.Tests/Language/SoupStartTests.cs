using Microsoft.ML.HyperDpo.Language.Data;
using Microsoft.ML.HyperDpo.Language.Modeling;
using Microsoft.ML.HyperDpo.Language.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Tests.Language;

/// <summary>HPT started at the prompt soup (issue 18, part 2), and early stopping on a validation split.</summary>
[TestClass]
public class SoupStartTests
{
    private static readonly float[][] Weights = { new[] { 1f, 0f }, new[] { 0f, 1f }, new[] { 0.3f, 0.7f }, new[] { 0.55f, 0.45f }, new[] { 0.9f, 0.1f } };

    /// <summary>sum_k w_k P_k in float64, from the per-objective prompts' values.</summary>
    private static double[] SoupInFloat64(IReadOnlyList<FixedSoftPrompt> parts, float[] w) =>
        SoupInFloat64(parts.Select(p => p.Prompt.detach().cpu().to(ScalarType.Float64).data<double>().ToArray()).ToList(), w);

    private static double[] SoupInFloat64(Tensor stacked, float[] w) =>
        SoupInFloat64(Enumerable.Range(0, (int)stacked.shape[0]).Select(k => stacked[k].detach().cpu().to(ScalarType.Float64).data<double>().ToArray()).ToList(), w);

    private static double[] SoupInFloat64(IReadOnlyList<double[]> values, float[] w)
    {
        return Enumerable.Range(0, values[0].Length).Select(i => values.Select((v, k) => w[k] * v[i]).Sum()).ToArray();
    }

    private static double[] PromptAt(SoftPromptSource source, float[] w)
    {
        using var _ = torch.no_grad();
        return source.Prompts(torch.tensor(w).unsqueeze(0)).to(ScalarType.Float64).data<double>().ToArray();
    }

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, what);
        for (int i = 0; i < expected.Length; i++)
            // float32's rounding, relative to the value's size.
            Assert.AreEqual(expected[i], actual[i], 1e-6 * Math.Max(1, Math.Abs(expected[i])), $"{what}, element {i}");
    }

    [TestMethod]
    public void AtInitialisationTheHyperPromptIsThePromptSoupAtEveryWeight()
    {
        var lists = AlignmentTests.SyntheticLists(4, 3);
        var (model, _) = AlignmentTests.TinyModel(lists);
        // Two distinct per-objective prompts (real token embeddings, different seeds), as the soup's fits start.
        var parts = new List<FixedSoftPrompt> { new(model, 3, 11), new(model, 3, 12) };
        var generator = new HyperPromptGenerator(model, 2, 3, 16, seed: 5, soupObjectives: 2);
        generator.StartAt(parts);
        var soup = new PromptSoup(parts);
        foreach (var w in Weights)
        {
            var expected = SoupInFloat64(parts, w);
            Assert.IsTrue(expected.Any(v => Math.Abs(v) > 1e-3), "the prompts are not all zero");
            AssertClose(expected, PromptAt(generator, w), $"HPT at w = ({string.Join(", ", w)})");
            AssertClose(expected, PromptAt(soup, w), $"soup at w = ({string.Join(", ", w)})");
        }
        // The correction is trainable and starts at zero; the per-objective prompts keep training.
        Assert.IsTrue(generator.parameters().All(p => p.requires_grad));
    }

    [TestMethod]
    public void EarlyStoppingStopsWhenTheValidationLossStopsFallingAndKeepsTheSoupStartWhenNoStepBeatsIt()
    {
        var lists = AlignmentTests.SyntheticLists(12, 5);
        var (model, tokenizer) = AlignmentTests.TinyModel(lists);
        var options = new LanguageAlignmentOptions
        {
            Objectives = new[] { "short", "yes" }, PromptLength = 2, HiddenSize = 8, MaxPromptTokens = 12, MaxResponseTokens = 16, ListsPerStep = 3, Seed = 4,
            SoupStartSteps = 2, Steps = 20, ValidationFraction = 0.25f, ValidationInterval = 1, EarlyStoppingPatience = 2,
            // A step this large throws the prompts far from the start: no step can beat it on the validation lists.
            LearningRate = 50f,
        };
        var hptSteps = new List<AlignmentProgress>();
        var aligned = LanguageAlignmentTrainer.Fit(model, tokenizer, lists, options, new SynchronousProgress<AlignmentProgress>(p =>
        {
            if (p.Steps == options.Steps) hptSteps.Add(p);
        }));

        // Stopped after two measurements in a row without a new best (patience 2, one measurement per step).
        Assert.AreEqual(2, hptSteps.Count, "HPT steps before early stopping");
        Assert.IsTrue(hptSteps.All(p => p.ValidationLoss is double v && double.IsFinite(v)));

        // Kept: the start, which is the prompt soup of the same per-objective fits on the same training part.
        var (training, validation) = LanguageAlignmentTrainer.ValidationSplit(lists, options);
        Assert.AreEqual(3, validation.Count);
        Assert.IsFalse(training.Intersect(validation).Any(), "no validation list trains");
        var soupOptions = LanguageAlignmentTrainer.Copy(options, PromptConditioning.None, null, options.Seed);
        soupOptions.Steps = options.SoupStartSteps;
        soupOptions.ValidationFraction = 0;
        var soup = LanguageAlignmentTrainer.FitPromptSoup(model, tokenizer, training, soupOptions);
        var stacked = ((PromptSoup)soup.PromptSource).Stacked;
        foreach (var w in Weights)
            AssertClose(SoupInFloat64(stacked, w), PromptAt(aligned.PromptSource, w), $"kept prompt at w = ({string.Join(", ", w)})");
    }

    [TestMethod]
    public void ASoupStartNeedsHyperPromptTuningWithoutAdapters()
    {
        var options = new LanguageAlignmentOptions { Objectives = new[] { "a", "b" }, SoupStartSteps = 5, LoraRank = 2 };
        var e = Assert.ThrowsExactly<ArgumentException>(() => options.Validate(256));
        StringAssert.Contains(e.Message, "SoupStartSteps");
        options.LoraRank = 0;
        options.Validate(256);
        options.ValidationFraction = 1;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => options.Validate(256)).Message, "ValidationFraction");
    }

    [TestMethod]
    public void ASoupStartedModelSavesAndLoadsWithItsPerObjectivePrompts()
    {
        var lists = AlignmentTests.SyntheticLists(6, 8);
        var (model, tokenizer) = AlignmentTests.TinyModel(lists);
        var options = new LanguageAlignmentOptions
        {
            Objectives = new[] { "short", "yes" }, PromptLength = 2, HiddenSize = 8, MaxPromptTokens = 12, MaxResponseTokens = 16, ListsPerStep = 2, Seed = 6,
            SoupStartSteps = 2, Steps = 2,
        };
        var aligned = LanguageAlignmentTrainer.Fit(model, tokenizer, lists, options);
        using var folder = new TemporaryFolder("hyperdpo-soup-start");
        Microsoft.ML.HyperDpo.Language.Persistence.AlignedModelFile.Save(folder.Path, aligned);
        var loaded = Microsoft.ML.HyperDpo.Language.Persistence.AlignedModelFile.Load(folder.Path);
        Assert.AreEqual(2, loaded.Options.SoupStartSteps);
        foreach (var w in Weights)
            AssertClose(PromptAt(aligned.PromptSource, w), PromptAt(loaded.PromptSource, w), $"loaded prompt at w = ({string.Join(", ", w)})");
    }
}
