using Microsoft.Extensions.AI;
using Microsoft.ML.HyperDpo.Language;
using Microsoft.ML.HyperDpo.Language.Chat;
using Microsoft.ML.HyperDpo.Language.Data;
using Microsoft.ML.HyperDpo.Language.Generation;
using Microsoft.ML.HyperDpo.Language.Modeling;
using Microsoft.ML.HyperDpo.Language.Text;
using Microsoft.ML.HyperDpo.Language.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Tests.Language;

[TestClass]
public class AlignmentTests
{
    private static readonly string[] Words = { "red", "blue", "green", "cat", "dog", "sun", "moon", "tree", "yes", "no" };

    /// <summary>Synthetic lists: objective "short" prefers fewer words, objective "yes" prefers more "yes" words.</summary>
    internal static List<PreferenceList> SyntheticLists(int count, int seed)
    {
        var random = new Random(seed);
        var lists = new List<PreferenceList>();
        for (int q = 0; q < count; q++)
        {
            var responses = Enumerable.Range(0, 4).Select(_ =>
                string.Join(" ", Enumerable.Range(0, random.Next(1, 9)).Select(_ => Words[random.Next(Words.Length)]))).ToArray();
            lists.Add(new PreferenceList($"q{q}", $"say {Words[random.Next(Words.Length)]}", responses, new Dictionary<string, double[]>
            {
                ["short"] = responses.Select(r => -(double)r.Split(' ').Length).ToArray(),
                ["yes"] = responses.Select(r => (double)r.Split(' ').Count(w => w == "yes")).ToArray(),
            }));
        }
        return lists;
    }

    internal static (Gpt2LanguageModel Model, LanguageTokenizer Tokenizer) TinyModel(IEnumerable<PreferenceList> lists, int seed = 1)
    {
        var tokenizer = LanguageTokenizer.BuildCompact(lists.SelectMany(l => l.Responses.Append(ResponseEncoderPrompt(l.Prompt))), 64);
        return (new Gpt2LanguageModel(new Gpt2Config { VocabularySize = tokenizer.VocabularySize, ContextLength = 64, EmbeddingSize = 32, Layers = 1, Heads = 2 }, seed), tokenizer);
    }

    private static string ResponseEncoderPrompt(string prompt) => $"Question: {prompt}\nAnswer:";

    private static LanguageAlignmentOptions Options(params string[] objectives) => new()
    {
        Objectives = objectives, PromptLength = 2, HiddenSize = 16, MaxPromptTokens = 12, MaxResponseTokens = 16, Steps = 1, ListsPerStep = 2, Seed = 5,
    };

    [TestMethod]
    public void TwoResponsesGiveExactlyTheDpoLoss()
    {
        var list = new PreferenceList("a", "say yes", new[] { "yes yes", "no dog cat" }, new Dictionary<string, double[]> { ["yes"] = new[] { 2.0, 0.0 } });
        var (model, tokenizer) = TinyModel(new[] { list });
        var options = Options("yes");
        options.Conditioning = PromptConditioning.None;
        options.FixedWeights = new[] { 1f };
        options.Beta = 0.7f;
        var reports = new List<AlignmentProgress>();
        LanguageAlignmentTrainer.Fit(model, tokenizer, new[] { list }, options, new SynchronousProgress<AlignmentProgress>(reports.Add));

        // Independently: the same initial prompt, log-probabilities summed by hand in float64, and -log sigmoid(beta * margin).
        var prompt = new FixedSoftPrompt(model, options.PromptLength, options.Seed).Prompt.detach().to(ScalarType.Float64);
        double LogProbability(string response, bool withPrompt)
        {
            var promptIds = tokenizer.Encode(ResponseEncoderPrompt(list.Prompt));
            var responseIds = tokenizer.Encode(" " + response).Append(tokenizer.EndOfText).ToArray();
            var ids = promptIds.Concat(responseIds).Select(i => (long)i).ToArray();
            using var _ = torch.no_grad();
            var embedded = model.EmbedTokens(torch.tensor(ids).unsqueeze(0));
            int m = withPrompt ? options.PromptLength : 0;
            var input = withPrompt ? torch.cat(new[] { prompt.to(ScalarType.Float32).unsqueeze(0), embedded }, 1) : embedded;
            var logits = model.Logits(input)[0].to(ScalarType.Float64).log_softmax(-1);
            double sum = 0;
            for (int t = promptIds.Length; t < ids.Length; t++)
                sum += logits[m + t - 1, ids[t]].item<double>();
            return sum;
        }
        double margin = (LogProbability("yes yes", true) - LogProbability("yes yes", false)) - (LogProbability("no dog cat", true) - LogProbability("no dog cat", false));
        double expected = -Math.Log(1 / (1 + Math.Exp(-options.Beta * margin)));
        Assert.AreEqual(expected, reports[0].Loss, 1e-4);
        Assert.AreEqual(options.Beta * margin, reports[0].Objectives[0].Margin, 1e-4);
    }

    [TestMethod]
    public void HyperPromptTrainingLeavesTheBaseModelBitIdenticalAndTrainsTheGenerator()
    {
        var lists = SyntheticLists(8, 2);
        var (model, tokenizer) = TinyModel(lists);
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var options = Options("short", "yes");
        options.Steps = 3;
        options.LoraRank = 2;
        options.BetaRange = (0.05f, 0.5f);
        var aligned = LanguageAlignmentTrainer.Fit(model, tokenizer, lists, options);
        foreach (var (name, tensor) in model.state_dict())
            Assert.IsTrue(tensor.allclose(before[name], rtol: 0, atol: 0), $"{name} changed");
        Assert.IsTrue(model.parameters().All(p => p.requires_grad), "the base model's trainability is restored");
        // Every trained parameter moved (the hyper-prompt MLP's last layer starts at zero, the adapters' B too).
        var fresh = new HyperPromptGenerator(model, options.ConditionWidth, options.PromptLength, options.HiddenSize, options.Seed);
        var trained = aligned.PromptSource.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, initial) in fresh.named_parameters())
            Assert.IsFalse(trained[name].allclose(initial, rtol: 0, atol: 0), $"{name} did not train");
        Assert.IsTrue(aligned.Adapters!.All(a => a.parameters().All(p => p.abs().sum().item<float>() > 0)));
    }

    [TestMethod]
    public void KvCacheGenerationEqualsRecomputationGreedyAndSampled()
    {
        var model = new Gpt2LanguageModel(new Gpt2Config { VocabularySize = 40, ContextLength = 48, EmbeddingSize = 16, Layers = 2, Heads = 2 }, seed: 9);
        var prefix = model.EmbedTokens(torch.tensor(new long[] { 3, 4, 5 }).unsqueeze(0)).detach();
        foreach (var options in new[]
        {
            new GenerationOptions { MaxNewTokens = 20, StopAtEndOfText = false },
            new GenerationOptions { MaxNewTokens = 20, Temperature = 0.8f, TopK = 5, Seed = 3, StopAtEndOfText = false },
        })
        {
            var cached = TextGenerator.Generate(model, prefix, 0, options);
            var recomputed = TextGenerator.Generate(model, prefix, 0, options with { UseCache = false });
            Assert.AreEqual(20, cached.Length);
            CollectionAssert.AreEqual(recomputed, cached);
        }
        // A suppressed token is never generated, even where it is the most likely one.
        var greedy = TextGenerator.Generate(model, prefix, 0, new GenerationOptions { MaxNewTokens = 20, StopAtEndOfText = false });
        int banned = greedy[0];
        var without = TextGenerator.Generate(model, prefix, 0, new GenerationOptions { MaxNewTokens = 20, StopAtEndOfText = false }, new[] { banned });
        Assert.IsFalse(without.Contains(banned));
        // Generation stops at the context length.
        Assert.AreEqual(45, TextGenerator.Generate(model, prefix, 0, new GenerationOptions { MaxNewTokens = 100, StopAtEndOfText = false }).Length);
    }

    [TestMethod]
    public void TheTinyPipelineLearnsToRankByTheChosenObjective()
    {
        var lists = SyntheticLists(48, 3);
        var heldOut = SyntheticLists(16, 4);
        var (model, tokenizer) = TinyModel(lists.Concat(heldOut));
        LanguageModelPretrainer.Pretrain(model, tokenizer, lists.SelectMany(l => l.Responses), new PretrainingOptions { Steps = 40, BatchSize = 8, SequenceLength = 32 });
        var options = Options("short", "yes");
        options.Steps = 60;
        options.ListsPerStep = 4;
        options.LearningRate = 2e-2f;
        options.PromptLength = 4;
        var aligned = LanguageAlignmentTrainer.Fit(model, tokenizer, lists, options);

        double Accuracy(float[] w, string objective)
        {
            var rewards = aligned.ImplicitRewards(heldOut, w);
            long good = 0, pairs = 0;
            for (int q = 0; q < heldOut.Count; q++)
            {
                var y = heldOut[q].Scores[objective];
                for (int i = 0; i < y.Length; i++)
                    for (int j = 0; j < y.Length; j++)
                        if (y[i] > y[j]) { pairs++; if (rewards[q][i] > rewards[q][j]) good++; }
            }
            return (double)good / pairs;
        }
        double shortAtShort = Accuracy(new[] { 1f, 0f }, "short"), shortAtYes = Accuracy(new[] { 0f, 1f }, "short");
        double yesAtYes = Accuracy(new[] { 0f, 1f }, "yes"), yesAtShort = Accuracy(new[] { 1f, 0f }, "yes");
        Console.WriteLine($"short: {shortAtShort:F3} at its corner, {shortAtYes:F3} at the other; yes: {yesAtYes:F3} vs {yesAtShort:F3}");
        Assert.IsTrue(shortAtShort > 0.6, $"short accuracy at its corner {shortAtShort}");
        Assert.IsTrue(yesAtYes > 0.6, $"yes accuracy at its corner {yesAtYes}");
        Assert.IsTrue(shortAtShort > shortAtYes && yesAtYes > yesAtShort, "each corner favours its objective");
        Assert.IsFalse(string.IsNullOrEmpty(aligned.Generate(heldOut[0].Prompt, new[] { 0.5f, 0.5f }, new GenerationOptions { MaxNewTokens = 8, StopAtEndOfText = false })));
    }

    [TestMethod]
    public async Task TheChatClientAnswersTheLastUserMessageAtTheWeightsOfTheOptions()
    {
        var lists = SyntheticLists(6, 8);
        var (model, tokenizer) = TinyModel(lists);
        var options = Options("short", "yes");
        options.Steps = 2;
        var aligned = LanguageAlignmentTrainer.Fit(model, tokenizer, lists, options);
        using IChatClient client = new AlignedChatClient(aligned);
        var chatOptions = new ChatOptions { Temperature = 0.9f, TopK = 5, Seed = 4, MaxOutputTokens = 6, AdditionalProperties = new() { [AlignedChatClient.WeightsKey] = "0.2, 0.8" } };
        var response = await client.GetResponseAsync(new[] { new ChatMessage(ChatRole.System, "ignored"), new ChatMessage(ChatRole.User, lists[0].Prompt) }, chatOptions);
        string expected = aligned.Generate(lists[0].Prompt, new[] { 0.2f, 0.8f }, new GenerationOptions { Temperature = 0.9f, TopK = 5, Seed = 4, MaxNewTokens = 6 });
        Assert.AreEqual(expected, response.Text);
        await Assert.ThrowsExactlyAsync<ArgumentException>(() => client.GetResponseAsync(new[] { new ChatMessage(ChatRole.User, "x") },
            new ChatOptions { AdditionalProperties = new() { [AlignedChatClient.WeightsKey] = new[] { 0.7f, 0.7f } } }));
    }
}
