using Microsoft.ML.HyperDpo.Language;
using Microsoft.ML.HyperDpo.Language.Data;
using Microsoft.ML.HyperDpo.Language.Generation;
using Microsoft.ML.HyperDpo.Language.Modeling;
using Microsoft.ML.HyperDpo.Language.Persistence;
using Microsoft.ML.HyperDpo.Language.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Tests.Language;

/// <summary>The language path on another device and in padded batches: device placement, the padding mask, response-only log-probabilities.</summary>
[TestClass]
public class DeviceAndBatchTests
{
    private static LanguageAlignmentOptions Options(PromptConditioning conditioning = PromptConditioning.HyperPrompt) => new()
    {
        Objectives = new[] { "short", "yes" }, Conditioning = conditioning, PromptLength = 2, HiddenSize = 8, MaxPromptTokens = 12, MaxResponseTokens = 16,
        Steps = 2, ListsPerStep = 2, Seed = 3,
    };

    /// <summary>
    /// Everything a user does with the language path, returning every figure it produces: fits of each kind (with
    /// adapters and temperature conditioning), scoring, single and batched generation, save and load, pre-training.
    /// </summary>
    private static List<double> Exercise(IReadOnlyList<PreferenceList> lists, string folder)
    {
        var (model, tokenizer) = AlignmentTests.TinyModel(lists);
        var figures = new List<double>();
        var hyper = Options();
        hyper.LoraRank = 2;
        hyper.BetaRange = (0.05f, 0.5f);
        var aligned = LanguageAlignmentTrainer.Fit(model, tokenizer, lists, hyper, new SynchronousProgress<AlignmentProgress>(p =>
            figures.AddRange(p.Objectives.Select(o => o.Loss).Append(p.Loss))));
        var soup = LanguageAlignmentTrainer.FitPromptSoup(model, tokenizer, lists, Options(), new SynchronousProgress<AlignmentProgress>(p => figures.Add(p.Loss)));
        var text = LanguageAlignmentTrainer.Fit(model, tokenizer, lists, Options(PromptConditioning.WeightsAsText), new SynchronousProgress<AlignmentProgress>(p => figures.Add(p.Loss)));
        var started = Options();
        started.SoupStartSteps = 1;
        started.ValidationFraction = 0.4f;
        started.ValidationInterval = 1;
        var fromSoup = LanguageAlignmentTrainer.Fit(model, tokenizer, lists, started, new SynchronousProgress<AlignmentProgress>(p => figures.Add(p.ValidationLoss ?? p.Loss)));
        foreach (var m in new[] { aligned, soup, text, fromSoup })
            figures.AddRange(m.ImplicitRewards(lists, new[] { 0.3f, 0.7f }).SelectMany(r => r).Select(v => (double)v));
        var prompts = lists.Take(3).Select(l => l.Prompt + (l.Id == lists[0].Id ? " and more words here" : "")).ToList();
        var weights = new[] { new[] { 1f, 0f }, new[] { 0.5f, 0.5f }, new[] { 0f, 1f } };
        var sampled = new GenerationOptions { MaxNewTokens = 5, Temperature = 0.8f, TopK = 5, Seed = 2, StopAtEndOfText = false };
        figures.AddRange(aligned.GenerateTokens(prompts, weights, sampled).SelectMany(t => t).Select(t => (double)t));
        figures.AddRange(aligned.GenerateTokens(prompts[0], weights[0], sampled with { UseCache = false }).Select(t => (double)t));
        AlignedModelFile.Save(folder, aligned);
        var loaded = AlignedModelFile.Load(folder, model.Device);
        figures.AddRange(loaded.ImplicitRewards(lists, new[] { 0.3f, 0.7f }).SelectMany(r => r).Select(v => (double)v));
        figures.Add(LanguageModelPretrainer.Pretrain(model, tokenizer, lists.SelectMany(l => l.Responses), new PretrainingOptions { Steps = 2, BatchSize = 2, SequenceLength = 16 }));
        return figures;
    }

    [TestMethod]
    public void NoTensorIsCreatedOffTheModelsDevice_TheMetaDeviceTrap()
    {
        // The trap: with TorchSharp's default device set to "meta", every tensor created without an explicit device has no
        // data; mixing it with the model's CPU tensors throws, and reading a figure computed from it throws. A run
        // that gives the same figures as without the trap created every tensor on the model's device (or on purpose on
        // the CPU), which is what a CUDA model needs.
        var lists = AlignmentTests.SyntheticLists(5, 11);
        using var folder = new TemporaryFolder("hyperdpo-device");
        var expected = Exercise(lists, Path.Combine(folder.Path, "plain"));
        List<double> actual;
        torch.set_default_device(torch.META);
        try
        {
            Assert.AreEqual(DeviceType.META, torch.zeros(1).device_type, "the trap is armed");
            actual = Exercise(lists, Path.Combine(folder.Path, "trapped"));
        }
        finally
        {
            torch.set_default_device(torch.CPU);
        }
        CollectionAssert.AreEqual(expected, actual);
    }

    [TestMethod]
    public void APaddedRowGetsTheHiddenStatesItGetsAlone()
    {
        var model = new Gpt2LanguageModel(new Gpt2Config { VocabularySize = 30, ContextLength = 24, EmbeddingSize = 16, Layers = 2, Heads = 2 }, seed: 4);
        using var _ = torch.no_grad();
        var alone = model.EmbedTokens(torch.tensor(new long[] { 5, 6, 7 }).unsqueeze(0));
        var longer = model.EmbedTokens(torch.tensor(new long[] { 9, 8, 7, 6, 5 }).unsqueeze(0));
        // Row 0: two padding tokens, then the short sequence; row 1: the longer one.
        var batch = torch.cat(new[] { torch.cat(new[] { model.EmbedTokens(torch.tensor(new long[] { 0, 0 }).unsqueeze(0)), alone }, 1), longer }, 0);
        var mask = torch.tensor(new[] { false, false, true, true, true, true, true, true, true, true }, new long[] { 2, 5 });
        var padded = model.HiddenStates(batch, null, mask);
        Assert.IsTrue(padded.isfinite().all().item<bool>(), "padding rows stay finite");
        var expected = model.HiddenStates(alone)[0];
        Assert.IsTrue(padded[0, 2..].allclose(expected, rtol: 1e-5, atol: 1e-5), $"max difference {(padded[0, 2..] - expected).abs().max().item<float>()}");
        Assert.IsTrue(padded[1].allclose(model.HiddenStates(longer)[0], rtol: 1e-5, atol: 1e-5));
        // Without the mask the padding is read, and the short row changes: the mask is what keeps it out.
        Assert.IsFalse(model.HiddenStates(batch)[0, 2..].allclose(expected, rtol: 1e-3, atol: 1e-3));

        // The same through the cache, one new token at a time after the padded prefix.
        using var cache = model.NewCache();
        model.HiddenStates(batch, cache, mask);
        var next = model.EmbedTokens(torch.tensor(new long[] { 3, 3 }).unsqueeze(1));
        var stepped = model.HiddenStates(next, cache, torch.ones(2, 1, ScalarType.Bool));
        var aloneNext = model.HiddenStates(torch.cat(new[] { alone, next[0..1] }, 1))[0, -1];
        Assert.IsTrue(stepped[0, 0].allclose(aloneNext, rtol: 1e-5, atol: 1e-5));
    }

    [TestMethod]
    public void BatchedGreedyGenerationWithLeftPaddingEqualsOneAtATime()
    {
        var lists = AlignmentTests.SyntheticLists(6, 12);
        var (model, tokenizer) = AlignmentTests.TinyModel(lists, seed: 3);
        var options = Options();
        options.LoraRank = 2;
        var aligned = LanguageAlignmentTrainer.Fit(model, tokenizer, lists, options);
        var prompts = new[] { "say yes", "say red blue green cat dog sun", "say no moon", "tree" };
        var weights = new[] { new[] { 1f, 0f }, new[] { 0.25f, 0.75f }, new[] { 0f, 1f }, new[] { 0.5f, 0.5f } };
        var lengths = prompts.Select(p => aligned.Encoder.EncodePrompt(ResponseEncoder.PromptText(p)).Length).Distinct().Count();
        Assert.IsTrue(lengths >= 3, "the prompts have different lengths, so the batch is padded");
        foreach (var generation in new[]
        {
            new GenerationOptions { MaxNewTokens = 12, StopAtEndOfText = false },
            new GenerationOptions { MaxNewTokens = 12, StopAtEndOfText = false, UseCache = false },
            new GenerationOptions { MaxNewTokens = 30 },
            new GenerationOptions { MaxNewTokens = 30, NoRepeatNgramSize = 2, StopAtEndOfText = false },
        })
        {
            var batched = aligned.GenerateTokens(prompts, weights, generation);
            for (int i = 0; i < prompts.Length; i++)
                CollectionAssert.AreEqual(aligned.GenerateTokens(prompts[i], weights[i], generation), batched[i], $"row {i}, cache {generation.UseCache}");
        }
    }

    [TestMethod]
    public void ResponseLogProbabilitiesEqualTheFullVocabularyComputationInFloat64()
    {
        var lists = AlignmentTests.SyntheticLists(3, 13);
        var (model, tokenizer) = AlignmentTests.TinyModel(lists, seed: 5);
        model.to(ScalarType.Float64);
        var encoder = new ResponseEncoder(tokenizer, 12, 16);
        var encoded = lists.Select(encoder.Encode).ToList();
        var (tokens, targets) = encoder.Pad(encoded.SelectMany(e => e.Responses.Select(r => (e.Prompt, r))), model.Device);
        long n = tokens.shape[0], m = 3;
        using var _ = torch.no_grad();
        var prefix = torch.randn(new long[] { n, m, model.Config.EmbeddingSize }, dtype: ScalarType.Float64, generator: new Generator(8)) * 0.1;
        var actual = SequenceLogProbability.Compute(model, prefix, tokens, targets);

        // The full computation: log-softmax over the whole vocabulary at every position, then the response positions summed.
        var logits = model.Logits(torch.cat(new[] { prefix, model.EmbedTokens(tokens) }, 1)).log_softmax(-1);
        var ids = tokens.data<long>().ToArray();
        var isTarget = targets.data<bool>().ToArray();
        long length = tokens.shape[1];
        for (long row = 0; row < n; row++)
        {
            double sum = 0;
            for (long t = 1; t < length; t++)
                if (isTarget[row * length + t])
                    sum += logits[row, m + t - 1, ids[row * length + t]].item<double>();
            Assert.AreEqual(sum, actual[row].item<double>(), 1e-10, $"sequence {row}");
        }
        Assert.AreEqual(ScalarType.Float64, actual.dtype);
    }
}
