using System.Text.Json.Nodes;
using Microsoft.ML.HyperDpo.Language.Data;
using Microsoft.ML.HyperDpo.Language.Persistence;

namespace Microsoft.ML.HyperDpo.Tests.Language;

/// <summary><c>hyperdpo align</c>'s device, learning-rate, likelihood-weight and thread flags, run as a user runs the tool.</summary>
[TestClass]
public class AlignCommandTests
{
    private static (int ExitCode, string Output) Hyperdpo(string workingDirectory, params string[] args)
    {
        string tool = Cli.HyperdpoProcess.Tool;
        return ChildProcess.Run("dotnet", workingDirectory, new[] { "exec", tool }.Concat(args).ToArray());
    }

    [TestMethod]
    public void TheDeviceLearningRateLikelihoodAndThreadFlagsReachTheRunAndBadValuesAreErrors()
    {
        using var folder = new TemporaryFolder("hyperdpo-align");
        var lists = AlignmentTests.SyntheticLists(8, 21);
        string data = folder.File("lists.jsonl");
        PreferenceListFile.Write(data, lists);
        var (model, tokenizer) = AlignmentTests.TinyModel(lists);
        string checkpoint = folder.File("base");
        Gpt2Checkpoint.Save(checkpoint, model, tokenizer);
        string[] Align(params string[] extra) => new[]
        {
            "align", "--data", data, "--model", checkpoint, "--output", folder.File("aligned"), "--objectives", "short,yes", "--held-out", "2", "--steps", "1",
            "--prompt-length", "2",
        }.Concat(extra).ToArray();

        var (code, output) = Hyperdpo(folder.Path, Align("--device", "tpu"));
        Assert.AreEqual(2, code, output);
        StringAssert.StartsWith(output.Trim(), "error: --device: 'tpu' is not a device; expected cpu, cuda or cuda:N.");
        (code, output) = Hyperdpo(folder.Path, Align("--learning-rate", "-1"));
        Assert.AreEqual(2, code, output);
        StringAssert.StartsWith(output.Trim(), "error: --learning-rate must be a positive number; got -1.");
        (code, output) = Hyperdpo(folder.Path, Align("--likelihood-weight", "-1"));
        Assert.AreEqual(2, code, output);
        StringAssert.StartsWith(output.Trim(), "error: --likelihood-weight must be a finite number, 0 (off) or more; got -1.");
        Assert.IsFalse(Directory.Exists(folder.File("aligned")), "nothing is trained or saved after a bad flag");

        (code, output) = Hyperdpo(folder.Path, Align("--device", "cpu", "--learning-rate", "0.003", "--threads", "1", "--likelihood-weight", "0.5"));
        Assert.AreEqual(0, code, output);
        StringAssert.Contains(output, "Aligning on cpu, 1 TorchSharp threads, learning rate 0.003, likelihood weight 0.5.");
        var saved = JsonNode.Parse(File.ReadAllText(Path.Combine(folder.File("aligned"), "alignment.json")))!;
        Assert.AreEqual(0.003f, saved["Options"]!["LearningRate"]!.GetValue<float>());
        Assert.AreEqual(0.5f, saved["Options"]!["LikelihoodWeight"]!.GetValue<float>());
    }

    [TestMethod]
    public void PretrainReportsThePerplexityOfTheHeldOutListsItNeverRead()
    {
        using var folder = new TemporaryFolder("hyperdpo-pretrain");
        var lists = AlignmentTests.SyntheticLists(40, 22);
        string data = folder.File("lists.jsonl");
        PreferenceListFile.Write(data, lists);
        string checkpoint = folder.File("base");
        var (code, output) = Hyperdpo(folder.Path, "pretrain", "--data", data, "--output", checkpoint, "--held-out", "10", "--vocabulary", "64", "--width", "16",
            "--layers", "1", "--heads", "2", "--context", "128", "--steps", "3");
        Assert.AreEqual(0, code, output);
        var match = System.Text.RegularExpressions.Regex.Match(output, @"held-out perplexity ([0-9.]+) \(10 lists\)");
        Assert.IsTrue(match.Success, output);
        // The same split the command made, the saved model, the held-out lists' text: computed here, not read from the tool.
        var split = PreferenceSplit.Create(lists, 10, PreferenceSplit.DefaultSeed);
        var (model, tokenizer) = Gpt2Checkpoint.Load(checkpoint);
        double heldOut = Microsoft.ML.HyperDpo.Language.Training.LanguageModelPretrainer.Perplexity(model, tokenizer,
            Microsoft.ML.HyperDpo.Language.Training.LanguageModelPretrainer.CorpusOf(split.HeldOut), 128);
        Assert.AreEqual(heldOut.ToString("F1", System.Globalization.CultureInfo.InvariantCulture), match.Groups[1].Value);
    }
}
