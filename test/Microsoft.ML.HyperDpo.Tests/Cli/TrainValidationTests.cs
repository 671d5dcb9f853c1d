using System.Text.RegularExpressions;

namespace Microsoft.ML.HyperDpo.Tests.Cli;

/// <summary>
/// <c>hyperdpo train</c> refuses bad arguments and bad data files before it trains (a refusal prints no "Trained" line), with
/// one <c>error:</c> line naming the file, line or flag; and the main job explains what it prints.
/// </summary>
[TestClass]
public class TrainValidationTests
{
    private static TemporaryFolder _folder;
    private static string _small;
    private static string[] _lines;

    [ClassInitialize]
    public static void CreateFolder(TestContext _)
    {
        _folder = new TemporaryFolder("hyperdpo-train-checks");
        _small = HyperdpoProcess.LetorFile(_folder.File("small.txt"));
        _lines = File.ReadAllLines(_small);
    }

    [ClassCleanup]
    public static void DeleteFolder() => _folder.Dispose();

    private static string Write(string name, IEnumerable<string> lines)
    {
        string path = _folder.File(name);
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>Runs train; asserts exit code 2, nothing trained, and returns the one error line.</summary>
    private static string Refused(params string[] args)
    {
        var (code, output, error) = HyperdpoProcess.Run(_folder.Path, new[] { "train" }.Concat(args).ToArray());
        Assert.AreEqual(2, code, output + error);
        Assert.DoesNotContain("Trained in", output, "refused before training");
        string line = error.Trim();
        Assert.AreEqual(1, line.Split('\n').Length, "one line: " + error);
        StringAssert.StartsWith(line, "error: ");
        return line;
    }

    [TestMethod]
    public void TestOrValidFilesWithoutTrainAreAnError_NotIgnoredForTheEmbeddedData()
    {
        StringAssert.Contains(Refused("--test", _small), "--test needs --train");
        StringAssert.Contains(Refused("--valid", _small, "--objectives", "label,feature:40:higher"), "--valid and --objectives need --train");
    }

    [TestMethod]
    public void AnEmptyFileIsNamed()
    {
        string empty = Write("empty.txt", new[] { "# only a comment", "" });
        string error = Refused("--train", empty);
        StringAssert.Contains(error, $"LETOR file '{empty}' holds no data line");
        Assert.DoesNotContain("feature 41", error);
        StringAssert.Contains(Refused("--train", _small, "--test", empty), $"LETOR file '{empty}' holds no data line");
    }

    [TestMethod]
    public void GridZeroIsRefusedBeforeTraining_InTheUsersTerms()
    {
        Assert.AreEqual("error: --grid must be at least 1 (the weights are reported on the simplex lattice with step 1/m); got 0.", Refused("--train", _small, "--grid", "0"));
    }

    [TestMethod]
    public void TrainerSettingsAreCheckedBeforeTheDataIsRead()
    {
        var (code, output, error) = HyperdpoProcess.Run(_folder.Path, "train", "--train", _small, "--epochs", "0");
        Assert.AreEqual(2, code, output + error);
        Assert.AreEqual("error: --epochs must be positive; got 0.", error.Trim());
        Assert.AreEqual("", output, "nothing read or printed before the refusal");
    }

    [TestMethod]
    public void AQueryWhoseLinesAreNotConsecutiveIsNamedByFileAndLine()
    {
        // Query 0 (lines 1-8), query 1 (lines 9-16), then one more line of query 0 at line 17.
        string file = Write("unsorted.txt", _lines.Take(16).Append(_lines[0]));
        Assert.AreEqual($"error: LETOR file '{file}', line 17, token 'qid:0': query 0 starts again after other queries (its first line is line 1 of '{file}'); " +
            "expected each query's documents on consecutive lines (sort the file by qid, keeping each query's lines together).", Refused("--train", _small, "--test", file));
    }

    [TestMethod]
    public void AStrayFeatureIdIsAnErrorNamingFileLineAndId_NotAWiderVector()
    {
        string stray = Write("stray.txt", _lines.Select((l, i) => i == 20 ? l + " 460:1" : l));
        string error = Refused("--train", _small, "--test", stray);
        StringAssert.Contains(error, $"LETOR file '{stray}', line 21, token '460:1': feature id 460 is beyond the feature count 46");
        StringAssert.Contains(error, "The feature count 46 is the largest feature id of the first training file");
        // --feature-count fixes the width: the first file's own ids are then checked against it too.
        StringAssert.Contains(Refused("--train", stray, "--feature-count", "46"), $"LETOR file '{stray}', line 21, token '460:1'");
    }

    [TestMethod]
    public void AnObjectiveThatRanksNothingIsAnError_ConstantFeatureOrMissingFromTheTestFile()
    {
        // Feature 41 left out of every line of the test file: it reads as 0 everywhere, so NDCG of that objective measures nothing.
        string without41 = Write("no41.txt", _lines.Select(l => string.Join(' ', l.Split(' ').Where(t => !t.StartsWith("41:", StringComparison.Ordinal)))));
        StringAssert.Contains(Refused("--train", _small, "--test", without41),
            $"Objective 'Feature41' ranks nothing in the test files ({without41}): feature 41 has the same value for every document of each query");
        // A constant feature in the training files.
        string constant = Write("constant40.txt", _lines.Select(l => Regex.Replace(l, @" 40:[0-9.]+", " 40:0.5")));
        StringAssert.Contains(Refused("--train", constant, "--objectives", "label,feature:40:lower"), "Objective 'Feature40' ranks nothing in the training files");
    }

    [TestMethod]
    public void OutputPathsAreCheckedBeforeTraining()
    {
        string missing = Path.Combine(_folder.Path, "no-such-folder", "model.zip");
        StringAssert.Contains(Refused("--train", _small, "--out", missing), $"--out '{missing}': the folder '{Path.GetDirectoryName(missing)}' does not exist.");
        Assert.AreEqual($"error: --out '{_folder.Path}' is a directory; give the path of a file to write.", Refused("--train", _small, "--out", _folder.Path));
        StringAssert.Contains(Refused("--train", _small, "--checkpoint", missing), "--checkpoint");
    }

    [TestMethod]
    public void APathWithACommaCanBeGiven_AndTheOptionRepeats()
    {
        string comma = _folder.File("part,one.txt");
        File.Copy(_small, comma, overwrite: true);
        // Files read as one training set need queries of their own (qid 100.. and 200..).
        string second = Write("second.txt", _lines.Select(l => Regex.Replace(l, @"qid:(\d+)", m => $"qid:{100 + int.Parse(m.Groups[1].Value)}")));
        string third = Write("third.txt", _lines.Select(l => Regex.Replace(l, @"qid:(\d+)", m => $"qid:{200 + int.Parse(m.Groups[1].Value)}")));
        // A value that is an existing file as a whole is that file; --train repeats; the comma list still works.
        var (code, output, error) = HyperdpoProcess.Run(_folder.Path, "train", "--train", comma, "--train", second + "," + third, "--epochs", "1", "--grid", "1");
        Assert.AreEqual(0, code, output + error);
        StringAssert.Contains(output, "Data: LETOR files: train part,one.txt,second.txt,third.txt; 46 features");
        // A list naming a missing file says how it was split.
        StringAssert.Contains(Refused("--train", _small + ",nowhere.txt"), $"Data file 'nowhere.txt' does not exist (--train '{_small},nowhere.txt' was read as 2 files separated by commas");
    }

    [TestMethod]
    [Timeout(300_000)]
    public void TheMainJobExplainsItsOutput_AndSaysWhenEarlyStoppingEndedTheFit()
    {
        // The main job: no arguments at all (as the README runs it).
        var (code, output, error) = HyperdpoProcess.Run(_folder.Path);
        Assert.AreEqual(0, code, output + error);
        var trained = Regex.Match(output, @"Trained in [\d.]+ s on \w+: (\d+) epochs, kept epoch (\d+)");
        Assert.IsTrue(trained.Success, output);
        int epochs = int.Parse(trained.Groups[1].Value), kept = int.Parse(trained.Groups[2].Value);
        // The trainer's default is 30 epochs with patience 8: a fit that ran fewer was ended by early stopping, and says so.
        var defaults = new HyperDpoRankingTrainer.Options();
        if (epochs < defaults.Optimiser.NumberOfEpochs)
            StringAssert.Contains(output, $"Early stopping ended the fit after epoch {epochs} of {defaults.Optimiser.NumberOfEpochs}: the validation Hypervolume had not improved for " +
                $"{defaults.Validation.EarlyStoppingPatience} epochs, so the model keeps epoch {kept}, its best.");
        else
            Assert.DoesNotContain("Early stopping", output);
        Assert.AreEqual(epochs - defaults.Validation.EarlyStoppingPatience, kept, "with the seeded embedded data the fit stops early: " + output);
        StringAssert.Contains(output, "- weights: how much each objective (Relevance, Quality) counts when the one model ranks; (1, 0) ranks for Relevance alone");
        StringAssert.Contains(output, "- NDCG@k: how well the top k documents of each test query are ordered");
        StringAssert.Contains(output, "- the front: the NDCG@10 points");
        StringAssert.Contains(output, "- the hypervolume: the area");
        StringAssert.Contains(output, "- kept epoch: the epoch whose network the model keeps");
        StringAssert.Contains(output, "Terms: docs/glossary.md.");
    }
}
