using System.Text.RegularExpressions;

namespace Microsoft.ML.HyperDpo.Tests.Cli;

/// <summary>
/// Every command of docs/cli.md, run as a user runs it with one malformed argument (a number that is not one, a missing
/// file or folder, an output path in a folder that does not exist): one <c>error:</c> line on standard error naming what is
/// wrong, exit code 2, no stack trace, and it fails before any work (each run takes seconds).
/// </summary>
[TestClass]
public class MalformedArgumentTests
{
    private static TemporaryFolder _folder;

    [ClassInitialize]
    public static void CreateFolder(TestContext _)
    {
        _folder = new TemporaryFolder("hyperdpo-malformed");
        HyperdpoProcess.LetorFile(_folder.File("small.txt"));
        // The benchmark commands' default report is docs/benchmarks.md: a docs folder is there, so only the malformed argument is wrong.
        Directory.CreateDirectory(_folder.File("docs"));
    }

    [ClassCleanup]
    public static void DeleteFolder() => _folder.Dispose();

    /// <summary>Per documented command: its malformed arguments, each with what the error must name.</summary>
    private static readonly Dictionary<string, (string[] Args, string Names)[]> Cases = new()
    {
        ["train"] =
        [
            (["--train", "small.txt", "--grid", "x"], "'x' for option '--grid': expected a whole number"),
            (["--train", "small.txt", "--beta", "1.x"], "'1.x' for option '--beta': expected a number"),
            (["--train", "missing.txt"], "'missing.txt' does not exist"),
            (["--train", "small.txt", "--out", "no-such-folder/model.zip"], "--out 'no-such-folder/model.zip': the folder"),
            (["--train", "small.txt", "--temperature-range", "1,x"], "--temperature-range: 'x' is not a positive number"),
            (["--train", "small.txt", "--checkpoint", "fit.ckpt", "--checkpoint-steps", "-1"], "--checkpoint-steps must be 0 (off) or positive; got -1"),
            (["--train", "small.txt", "--batch-size", "0"], "--batch-size must be positive; got 0"),
            (["--train", "small.txt", "--learning-rate", "-1"], "--learning-rate must be"),
        ],
        ["benchmark-web"] =
        [
            (["--fraction", "2"], "--fraction must be in (0, 1]"),
            (["--sweep-rows-per-step", "1,x"], "--sweep-rows-per-step: 'x' is not a whole number of at least 1"),
            (["--output", "no-such-folder/benchmarks.md"], "--output 'no-such-folder/benchmarks.md': the folder"),
        ],
        ["benchmark-service"] =
        [
            (["--requests", "0"], "--requests"),
            (["--model", "missing.zip"], "--model file 'missing.zip' does not exist"),
            (["--output", "no-such-folder/benchmarks.md"], "--output 'no-such-folder/benchmarks.md': the folder"),
        ],
        ["benchmark"] =
        [
            (["--mq2008", "no-such-folder"], "no-such-folder"),
            (["--output", "no-such-folder/benchmarks.md"], "--output 'no-such-folder/benchmarks.md': the folder"),
            (["--seed", "one"], "'one' for option '--seed': expected a whole number"),
        ],
        ["benchmark-scoring"] =
        [
            (["--mq2008", "no-such-folder"], "no-such-folder"),
            (["--output", "no-such-folder/benchmarks.md"], "--output 'no-such-folder/benchmarks.md': the folder"),
        ],
        ["compare"] =
        [
            (["--train", "missing.txt", "--test", "small.txt"], "'missing.txt' does not exist"),
            (["--train", "small.txt", "--test", "small.txt", "--methods", "nope"], "--methods: unknown method 'nope'"),
            (["--train", "small.txt", "--test", "small.txt", "--grid", "0"], "--grid must be at least 1"),
            (["--train", "small.txt", "--test", "small.txt", "--output", "small.txt"], "--output 'small.txt' is a file"),
            (["--train", "small.txt", "--test", "small.txt", "--benchmarks", "no-such-folder/b.md"], "--benchmarks 'no-such-folder/b.md': the folder"),
        ],
        ["benchmark-conditioning"] =
        [
            (["--mq2008", "no-such-folder", "--folds", "1"], "no-such-folder"),
            (["--folds", "x"], "--folds"),
            (["--benchmarks", "no-such-folder/b.md"], "--benchmarks 'no-such-folder/b.md': the folder"),
        ],
        ["benchmark-temperature"] =
        [
            (["--temperature-range", "1,x"], "--temperature-range: 'x' is not a positive number"),
            (["--benchmarks", "no-such-folder/b.md"], "--benchmarks 'no-such-folder/b.md': the folder"),
        ],
        ["benchmark-defaults"] =
        [
            (["--data", "nope"], "--data: unknown data set 'nope'"),
            (["--variant", "ties=sideways"], "sideways"),
            (["--benchmarks", "no-such-folder/b.md"], "--benchmarks 'no-such-folder/b.md': the folder"),
        ],
        ["benchmark-reference-forms"] =
        [
            (["--betas", "1,x"], "--betas: 'x' is not a positive number"),
            (["--forms", "nope"], "--forms: 'nope' is not one of"),
            (["--benchmarks", "no-such-folder/b.md"], "--benchmarks 'no-such-folder/b.md': the folder"),
        ],
        ["score"] =
        [
            (["--model", "missing.zip", "--data", "small.txt", "--output", "scores.txt"], "--model file 'missing.zip' does not exist"),
            (["--model", "small.txt", "--data", "missing.txt", "--output", "scores.txt"], "'missing.txt' does not exist"),
            (["--model", "small.txt", "--data", "small.txt", "--output", "no-such-folder/scores.txt"], "--output 'no-such-folder/scores.txt': the folder"),
            (["--model", "small.txt", "--data", "small.txt", "--output", "scores.txt"], "could not be loaded as an ML.NET model"),
            (["--model", "small.txt", "--data", "small.txt", "--weights", "0.5,x", "--output", "scores.txt"], "--weights: 'x' is not a number"),
            (["--checkpoint", "small.txt", "--data", "small.txt", "--output", "scores.txt"], "'small.txt' is not a usable HyperDPO checkpoint"),
            (["--data", "small.txt", "--output", "scores.txt"], "Give either --model or --checkpoint."),
        ],
        ["pretrain"] =
        [
            (["--data", "missing.json", "--output", "model"], "missing.json"),
            (["--data", "small.txt", "--output", "no-such-folder/deeper/model"], "--output 'no-such-folder/deeper/model': the folder"),
            (["--data", "small.txt", "--output", "model", "--steps", "x"], "'x' for option '--steps': expected a whole number"),
        ],
        ["align"] =
        [
            (["--data", "missing.json", "--output", "aligned"], "--model is required without --demo"),
            (["--data", "small.txt", "--model", "no-such-model", "--output", "aligned"], "The checkpoint directory 'no-such-model'"),
            (["--data", "small.txt", "--demo", "--plot", "no-such-folder/front.png"], "--plot 'no-such-folder/front.png': the folder"),
        ],
        ["generate"] =
        [
            (["--model", "no-such-model", "--prompt", "Who wrote Hamlet?"], "no-such-model"),
            (["--model", "no-such-model", "--prompt", "Who wrote Hamlet?", "--top-k", "x"], "'x' for option '--top-k': expected a whole number"),
        ],
    };

    /// <summary>The commands docs/cli.md documents, from its <c>## `hyperdpo X`</c> headings.</summary>
    private static List<string> DocumentedCommands() =>
        Regex.Matches(File.ReadAllText(Path.Combine(ChildProcess.RepositoryRoot(), "docs", "cli.md")), @"^## `hyperdpo ([a-z-]+)`", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToList();

    [TestMethod]
    public void EveryDocumentedCommandHasMalformedCases()
    {
        var documented = DocumentedCommands();
        Assert.IsGreaterThan(10, documented.Count, "docs/cli.md documents the commands");
        CollectionAssert.AreEquivalent(documented, Cases.Keys.ToList(), "one set of cases per command of docs/cli.md");
    }

    [TestMethod]
    [Timeout(900_000)]
    public void EveryDocumentedCommandRefusesAMalformedArgumentWithOneErrorLine()
    {
        var failures = new List<string>();
        foreach (string command in DocumentedCommands())
        {
            foreach (var (args, names) in Cases.GetValueOrDefault(command, []))
            {
                string run = $"hyperdpo {command} {string.Join(' ', args)}";
                var (code, output, error) = HyperdpoProcess.Run(_folder.Path, new[] { command }.Concat(args).ToArray());
                string line = error.Trim();
                if (code != 2) failures.Add($"{run}: exit code {code}, expected 2; stderr: {error}");
                else if (!line.StartsWith("error: ", StringComparison.Ordinal) || line.Contains('\n')) failures.Add($"{run}: not one 'error:' line: {error}");
                else if (error.Contains("   at ", StringComparison.Ordinal) || Regex.IsMatch(error, @"\b\w+Exception\b")) failures.Add($"{run}: a stack trace or exception type: {error}");
                else if (!line.Contains(names, StringComparison.Ordinal)) failures.Add($"{run}: the error does not name '{names}': {line}");
                else if (output.Contains("Trained in", StringComparison.Ordinal) || output.Contains("Training", StringComparison.Ordinal)) failures.Add($"{run}: it trained before refusing: {output}");
            }
        }
        Assert.IsEmpty(failures, string.Join("\n", failures));
    }
}
