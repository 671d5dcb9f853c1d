namespace Microsoft.ML.HyperDpo.Tests.Cli;

/// <summary>
/// <c>--reference-folds</c> of <c>compare</c> (both tools): a value the trainer refuses is refused as the command line is parsed, naming
/// the flag, the value and what is expected, before any data is read (it used to be reported when the one fit that reads it started,
/// after the data and the other methods' fits).
/// </summary>
[TestClass]
public class ReferenceFoldsFlagTests
{
    [TestMethod]
    public void ANegativeReferenceFoldsIsRefusedBeforeAnyDataIsRead_WithTheTrainersRule()
    {
        using var folder = new TemporaryFolder("hyperdpo-reference-folds");
        // The trainer's own check of the same value, in this process: the command line must say the same, naming the flag.
        var options = new HyperDpoRankingTrainer.Options { LabelColumnNames = ["label", "objective"], References = { Folds = -1 } };
        string trainer = Assert.ThrowsExactly<ArgumentException>(options.Validate).Message;
        string path = HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.References), nameof(HyperDpoRankingTrainer.ReferenceOptions.Folds));
        StringAssert.StartsWith(trainer, path + " must be >= 0");
        string rule = trainer[path.Length..].Replace($" (Parameter '{path}')", "", StringComparison.Ordinal);
        foreach (var (name, program) in new[] { ("hyperdpo", HyperdpoProcess.Tool), ("hyperdpo-benchmarks", HyperdpoProcess.Benchmarks) })
        {
            // The MQ2008 folder does not exist: had the data been read first, its error would come instead.
            var (code, output, error) = HyperdpoProcess.RunProgram(program, folder.Path, "compare", "--mq2008", "no-such-folder", "--reference-folds", "-1");
            Assert.AreEqual(2, code, $"{name}: {output}{error}");
            StringAssert.StartsWith(error.Trim(), $"error: --reference-folds{rule} (", name);
            Assert.DoesNotContain("\n", error.Trim(), $"{name}: one error line");
            StringAssert.Contains(error, "got -1", name);
            Assert.DoesNotContain("no-such-folder", error, $"{name}: the data was not looked for");
        }
        // A valid value passes the parser: the missing folder is what the command meets next.
        var (validCode, _, validError) = HyperdpoProcess.Run(folder.Path, "compare", "--mq2008", "no-such-folder", "--reference-folds", "5");
        Assert.AreEqual(2, validCode, validError);
        StringAssert.Contains(validError, "no-such-folder");
    }
}
