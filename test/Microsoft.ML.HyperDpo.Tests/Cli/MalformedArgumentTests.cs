using System.Text.RegularExpressions;

namespace Microsoft.ML.HyperDpo.Tests.Cli;

/// <summary>
/// Every command of both tools (<c>hyperdpo</c>, documented in docs/cli.md, and the benchmarks program, in docs/benchmarks-cli.md),
/// run as a user runs it with one malformed argument (a number that is not one, a missing file or folder, an output path in a
/// folder that does not exist), and with a malformed value for each of its numeric flags, as read from the tool's own command
/// tree: one <c>error:</c> line on standard error naming what is wrong, exit code 2, no stack trace, and it fails before any
/// work (each run takes seconds).
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
        // The benchmark commands' default page is docs/benchmarks.md: a docs folder is there, so only the malformed argument is wrong.
        Directory.CreateDirectory(_folder.File("docs"));
    }

    [ClassCleanup]
    public static void DeleteFolder() => _folder.Dispose();

    /// <summary>The two tools: how their docs name them, their program, the type whose Root() builds their commands, and their docs page.</summary>
    private static readonly (string Name, Func<string> Program, string RootType, string Page, string Heading)[] Tools =
    [
        ("hyperdpo", () => HyperdpoProcess.Tool, "Microsoft.ML.HyperDpo.Cli.Program", "cli.md", @"^## `hyperdpo ([a-z-]+)`"),
        ("benchmarks", () => HyperdpoProcess.Benchmarks, "Microsoft.ML.HyperDpo.Benchmarks.Program", "benchmarks-cli.md", @"^## `([a-z-]+)`"),
    ];

    /// <summary>Per documented command ("tool command"): its malformed arguments, each with what the error must name.</summary>
    private static readonly Dictionary<string, (string[] Args, string Names)[]> Cases = new()
    {
        ["hyperdpo train"] =
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
        ["benchmarks benchmark-web"] =
        [
            (["--fraction", "2"], "--fraction must be in (0, 1]"),
            (["--sweep-rows-per-step", "1,x"], "--sweep-rows-per-step: 'x' is not a whole number of at least 1"),
            (["--benchmarks", "no-such-folder/benchmarks.md"], "--benchmarks 'no-such-folder/benchmarks.md': the folder"),
        ],
        ["benchmarks benchmark-service"] =
        [
            (["--requests", "0"], "--requests"),
            (["--model", "missing.zip"], "--model file 'missing.zip' does not exist"),
            (["--benchmarks", "no-such-folder/benchmarks.md"], "--benchmarks 'no-such-folder/benchmarks.md': the folder"),
        ],
        ["benchmarks benchmark"] =
        [
            (["--mq2008", "no-such-folder"], "no-such-folder"),
            (["--benchmarks", "no-such-folder/benchmarks.md"], "--benchmarks 'no-such-folder/benchmarks.md': the folder"),
            (["--seed", "one"], "'one' for option '--seed': expected a whole number"),
        ],
        ["benchmarks benchmark-scoring"] =
        [
            (["--mq2008", "no-such-folder"], "no-such-folder"),
            (["--benchmarks", "no-such-folder/benchmarks.md"], "--benchmarks 'no-such-folder/benchmarks.md': the folder"),
        ],
        ["hyperdpo compare"] =
        [
            (["--train", "missing.txt", "--test", "small.txt"], "'missing.txt' does not exist"),
            (["--train", "small.txt", "--test", "small.txt", "--methods", "nope"], "--methods: unknown method 'nope'"),
            (["--train", "small.txt", "--test", "small.txt", "--grid", "0"], "--grid must be at least 1"),
            (["--train", "small.txt", "--test", "small.txt", "--output", "small.txt"], "--output 'small.txt' is a file"),
            (["--train", "small.txt", "--test", "small.txt", "--benchmarks", "b.md"], "Unrecognized command or argument '--benchmarks'"),
        ],
        ["benchmarks compare"] =
        [
            (["--train", "small.txt", "--test", "small.txt", "--methods", "nope"], "--methods: unknown method 'nope'"),
            (["--train", "small.txt", "--test", "small.txt", "--benchmarks", "no-such-folder/b.md"], "--benchmarks 'no-such-folder/b.md': the folder"),
            (["--long-lists", "--seeds", "0"], "--seeds: 0 is not a count of seeds"),
        ],
        ["benchmarks benchmark-conditioning"] =
        [
            (["--mq2008", "no-such-folder", "--folds", "1"], "no-such-folder"),
            (["--folds", "x"], "--folds"),
            (["--benchmarks", "no-such-folder/b.md"], "--benchmarks 'no-such-folder/b.md': the folder"),
        ],
        ["benchmarks benchmark-temperature"] =
        [
            (["--temperature-range", "1,x"], "--temperature-range: 'x' is not a positive number"),
            (["--benchmarks", "no-such-folder/b.md"], "--benchmarks 'no-such-folder/b.md': the folder"),
        ],
        ["benchmarks benchmark-defaults"] =
        [
            (["--data", "nope"], "--data: unknown data set 'nope'"),
            (["--variant", "ties=sideways"], "sideways"),
            (["--benchmarks", "no-such-folder/b.md"], "--benchmarks 'no-such-folder/b.md': the folder"),
        ],
        ["benchmarks benchmark-reference-forms"] =
        [
            (["--betas", "1,x"], "--betas: 'x' is not a positive number"),
            (["--forms", "nope"], "--forms: 'nope' is not one of"),
            (["--benchmarks", "no-such-folder/b.md"], "--benchmarks 'no-such-folder/b.md': the folder"),
        ],
        ["hyperdpo score"] =
        [
            (["--model", "missing.zip", "--data", "small.txt", "--output", "scores.txt"], "--model file 'missing.zip' does not exist"),
            (["--model", "small.txt", "--data", "missing.txt", "--output", "scores.txt"], "'missing.txt' does not exist"),
            (["--model", "small.txt", "--data", "small.txt", "--output", "no-such-folder/scores.txt"], "--output 'no-such-folder/scores.txt': the folder"),
            (["--model", "small.txt", "--data", "small.txt", "--output", "scores.txt"], "could not be loaded as an ML.NET model"),
            (["--model", "small.txt", "--data", "small.txt", "--weights", "0.5,x", "--output", "scores.txt"], "--weights: 'x' is not a number"),
            (["--checkpoint", "small.txt", "--data", "small.txt", "--output", "scores.txt"], "'small.txt' is not a usable HyperDPO checkpoint"),
            (["--data", "small.txt", "--output", "scores.txt"], "Give either --model or --checkpoint."),
        ],
        ["hyperdpo pretrain"] =
        [
            (["--data", "missing.json", "--output", "model"], "missing.json"),
            (["--data", "small.txt", "--output", "no-such-folder/deeper/model"], "--output 'no-such-folder/deeper/model': the folder"),
            (["--data", "small.txt", "--output", "model", "--steps", "x"], "'x' for option '--steps': expected a whole number"),
        ],
        ["hyperdpo align"] =
        [
            (["--data", "missing.json", "--output", "aligned"], "--model is required without --demo"),
            (["--data", "small.txt", "--model", "no-such-model", "--output", "aligned"], "The checkpoint directory 'no-such-model'"),
            (["--data", "small.txt", "--demo", "--plot", "no-such-folder/front.png"], "--plot 'no-such-folder/front.png': the folder"),
            (["--data", "small.txt", "--demo", "--seeds", "0"], "--seeds must be at least 1; got 0."),
            (["--data", "small.txt", "--model", "no-such-model", "--output", "aligned", "--seeds", "3"], "--seeds goes with --demo"),
        ],
        ["hyperdpo generate"] =
        [
            (["--model", "no-such-model", "--prompt", "Who wrote Hamlet?"], "no-such-model"),
            (["--model", "no-such-model", "--prompt", "Who wrote Hamlet?", "--top-k", "x"], "'x' for option '--top-k': expected a whole number"),
        ],
    };

    /// <summary>
    /// Per command ("tool command"): arguments that make every other input valid, so that a malformed number list is what the
    /// command meets first (its values are read when it runs, not by the parser).
    /// </summary>
    private static readonly Dictionary<string, string[]> ValidArguments = new()
    {
        ["hyperdpo score"] = ["--model", "small.txt", "--data", "small.txt", "--output", "scores.txt"],
        ["hyperdpo compare"] = ["--mq2008", "no-such-folder"],
        ["hyperdpo generate"] = ["--model", "no-such-model", "--prompt", "Who wrote Hamlet?"],
        ["hyperdpo pretrain"] = ["--data", "small.txt", "--output", "model"],
        ["benchmarks compare"] = ["--mq2008", "no-such-folder"],
    };

    /// <summary>The commands a tool's docs page documents, from its headings.</summary>
    private static List<string> DocumentedCommands((string Name, Func<string> Program, string RootType, string Page, string Heading) tool) =>
        Regex.Matches(File.ReadAllText(Path.Combine(ChildProcess.RepositoryRoot(), "docs", tool.Page)), tool.Heading, RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToList();

    [TestMethod]
    public void EveryCommandOfBothToolsIsDocumentedAndHasMalformedCases()
    {
        foreach (var tool in Tools)
        {
            var documented = DocumentedCommands(tool);
            CollectionAssert.AreEquivalent(CommandTree.Of(tool.Program(), tool.RootType).Keys.ToList(), documented, $"docs/{tool.Page} documents every command of {tool.Name}, and no other");
            CollectionAssert.IsSubsetOf(documented.Select(c => $"{tool.Name} {c}").ToList(), Cases.Keys.ToList(), $"one set of cases per command of docs/{tool.Page}");
        }
        CollectionAssert.AreEquivalent(Tools.SelectMany(t => DocumentedCommands(t).Select(c => $"{t.Name} {c}")).ToList(), Cases.Keys.ToList(), "no cases for a command that is not documented");
    }

    [TestMethod]
    [Timeout(900_000)]
    public void EveryDocumentedCommandRefusesAMalformedArgumentWithOneErrorLine()
    {
        var failures = new List<string>();
        foreach (var tool in Tools)
            foreach (string command in DocumentedCommands(tool))
                foreach (var (args, names) in Cases.GetValueOrDefault($"{tool.Name} {command}", []))
                    Check(tool.Name, tool.Program(), new[] { command }.Concat(args).ToArray(), names, failures);
        Assert.IsEmpty(failures, string.Join("\n", failures));
    }

    /// <summary>
    /// Every numeric flag of every command of both tools, read from the tools' own command trees: all of a command's number flags
    /// given 'x' at once (the parser names each), then each number-list flag given '1,x' (the command names it before any work).
    /// </summary>
    [TestMethod]
    [Timeout(900_000)]
    public void EveryNumericFlagOfEveryCommandRefusesAMalformedValue()
    {
        var failures = new List<string>();
        int flagsSeen = 0;
        foreach (var tool in Tools)
        {
            foreach (var (command, flags) in CommandTree.Of(tool.Program(), tool.RootType))
            {
                string[] valid = ValidArguments.GetValueOrDefault($"{tool.Name} {command}", []);
                var numbers = flags.Where(f => f.IsNumber).ToList();
                if (numbers.Count > 0)
                {
                    var args = new[] { command }.Concat(valid).Concat(numbers.SelectMany(f => new[] { f.Name, "x" })).ToArray();
                    foreach (var flag in numbers)
                        Check(tool.Name, tool.Program(), args, $"'x' for option '{flag.Name}': expected a", failures);
                }
                foreach (var flag in flags.Where(f => f.IsNumberList))
                    Check(tool.Name, tool.Program(), new[] { command }.Concat(valid).Concat([flag.Name, "1,x"]).ToArray(), $"{flag.Name}: 'x' is not", failures);
                flagsSeen += numbers.Count + flags.Count(f => f.IsNumberList);
            }
        }
        // train alone has more than ten (grid, seed, feature count, epochs, beta, learning rate, batch size, the checkpoint intervals, ...).
        Assert.IsGreaterThan(40, flagsSeen, "the command trees were read");
        Assert.IsEmpty(failures, string.Join("\n", failures));
    }

    /// <summary>Runs one malformed command line and adds what is wrong with its answer, if anything, to <paramref name="failures"/>.</summary>
    private static void Check(string toolName, string program, string[] args, string names, List<string> failures)
    {
        string run = $"{toolName} {string.Join(' ', args)}";
        var (code, output, error) = HyperdpoProcess.RunProgram(program, _folder.Path, args);
        string line = error.Trim();
        if (code != 2) failures.Add($"{run}: exit code {code}, expected 2; stderr: {error}");
        else if (!line.StartsWith("error: ", StringComparison.Ordinal) || line.Contains('\n')) failures.Add($"{run}: not one 'error:' line: {error}");
        else if (error.Contains("   at ", StringComparison.Ordinal) || Regex.IsMatch(error, @"\b\w+Exception\b")) failures.Add($"{run}: a stack trace or exception type: {error}");
        else if (!line.Contains(names, StringComparison.Ordinal)) failures.Add($"{run}: the error does not name '{names}': {line}");
        else if (output.Contains("Trained in", StringComparison.Ordinal) || output.Contains("Training", StringComparison.Ordinal)) failures.Add($"{run}: it trained before refusing: {output}");
    }
}
