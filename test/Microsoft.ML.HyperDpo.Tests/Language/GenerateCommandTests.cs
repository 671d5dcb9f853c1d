using Microsoft.ML.HyperDpo.Language;
using Microsoft.ML.HyperDpo.Language.Generation;
using Microsoft.ML.HyperDpo.Language.Persistence;
using Microsoft.ML.HyperDpo.Language.Training;

namespace Microsoft.ML.HyperDpo.Tests.Language;

/// <summary><c>hyperdpo generate</c>'s <c>--no-repeat-ngram</c> flag, run as a user runs the tool.</summary>
[TestClass]
public class GenerateCommandTests
{
    private static bool RepeatsAnNgram(IReadOnlyList<int> tokens, int n) =>
        Enumerable.Range(0, Math.Max(0, tokens.Count - n + 1)).Select(i => string.Join(",", tokens.Skip(i).Take(n))).GroupBy(g => g).Any(g => g.Count() > 1);

    [TestMethod]
    public void TheNoRepeatNgramFlagReachesTheGeneratorAndANegativeValueIsRefusedBeforeLoading()
    {
        using var folder = new TemporaryFolder("hyperdpo-generate");
        var lists = AlignmentTests.SyntheticLists(6, 23);
        var (model, tokenizer) = AlignmentTests.TinyModel(lists);
        var aligned = LanguageAlignmentTrainer.Fit(model, tokenizer, lists, new LanguageAlignmentOptions
        {
            Objectives = new[] { "short", "yes" }, PromptLength = 2, HiddenSize = 8, MaxPromptTokens = 12, MaxResponseTokens = 16, Steps = 1, ListsPerStep = 2, Seed = 5,
        });
        string saved = folder.File("aligned");
        AlignedModelFile.Save(saved, aligned);
        const string prompt = "say yes";
        var weights = new[] { 0.5f, 0.5f };
        // The same greedy decoding in this process: unconstrained it repeats a 2-gram of tokens (so the test can fail), with n = 2 it does not.
        var free = aligned.GenerateTokens(prompt, weights, new GenerationOptions { MaxNewTokens = 30 });
        var constrained = aligned.GenerateTokens(prompt, weights, new GenerationOptions { MaxNewTokens = 30, NoRepeatNgramSize = 2 });
        Assert.IsTrue(RepeatsAnNgram(free, 2), $"the unconstrained greedy answer repeats a 2-gram: [{string.Join(", ", free)}]");
        Assert.IsFalse(RepeatsAnNgram(constrained, 2), $"[{string.Join(", ", constrained)}]");
        string freeText = tokenizer.Decode(free).Trim(), constrainedText = tokenizer.Decode(constrained).Trim();
        Assert.AreNotEqual(freeText, constrainedText);

        string[] Generate(params string[] extra) => new[] { "generate", "--model", saved, "--prompt", prompt, "--weights", "0.5,0.5", "--max-tokens", "30" }.Concat(extra).ToArray();
        var (code, output) = Hyperdpo(folder.Path, Generate("--no-repeat-ngram", "2"));
        Assert.AreEqual(0, code, output);
        Assert.AreEqual(constrainedText, Answer(output), output);
        (code, output) = Hyperdpo(folder.Path, Generate());
        Assert.AreEqual(0, code, output);
        Assert.AreEqual(freeText, Answer(output), "without the flag: no constraint");

        // A model directory that does not exist: the flag's error comes first, so no model was loaded.
        (code, output) = Hyperdpo(folder.Path, "generate", "--model", "no-such-model", "--prompt", prompt, "--no-repeat-ngram", "-1");
        Assert.AreEqual(2, code, output);
        Assert.AreEqual("error: --no-repeat-ngram must be 0 (off) or positive; got -1.", output.Trim());
    }

    /// <summary>What the command prints after its first line (the objectives and their weights): the answer, which may span lines.</summary>
    private static string Answer(string output)
    {
        string text = output.Replace("\r\n", "\n");
        StringAssert.StartsWith(text, "short 0.5, yes 0.5\n", output);
        return text["short 0.5, yes 0.5\n".Length..].Trim();
    }

    private static (int ExitCode, string Output) Hyperdpo(string workingDirectory, params string[] args) =>
        ChildProcess.Run("dotnet", workingDirectory, new[] { "exec", Cli.HyperdpoProcess.Tool }.Concat(args).ToArray());
}
