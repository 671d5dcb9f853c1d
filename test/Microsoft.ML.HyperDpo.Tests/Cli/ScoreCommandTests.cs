using System.Globalization;
using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo.Tests.Cli;

/// <summary>
/// <c>hyperdpo score</c> on what users have: the LETOR file that <c>train</c> read, or an ML.NET binary file; its failures are one
/// <c>error:</c> line with exit code 2, and its feature counts are the user's raw features.
/// </summary>
[TestClass]
public class ScoreCommandTests
{
    private static TemporaryFolder _folder;
    private static string _data;
    private static string _model;

    [ClassInitialize]
    public static void TrainOnce(TestContext _)
    {
        _folder = new TemporaryFolder("hyperdpo-score");
        _data = HyperdpoProcess.LetorFile(_folder.File("small.txt"));
        _model = _folder.File("model.zip");
        // Feature 41 is an objective: the saved chain removes it, so the model takes the file's 46 features and its network reads 45.
        var (code, output, error) = HyperdpoProcess.Run(_folder.Path, "train", "--train", _data, "--epochs", "2", "--grid", "1", "--out", _model);
        Assert.AreEqual(0, code, output + error);
    }

    [ClassCleanup]
    public static void DeleteFolder() => _folder.Dispose();

    private static string Refused(params string[] args)
    {
        var (code, output, error) = HyperdpoProcess.Run(_folder.Path, new[] { "score" }.Concat(args).ToArray());
        Assert.AreEqual(2, code, output + error);
        string line = error.Trim();
        Assert.AreEqual(1, line.Split('\n').Length, "one line: " + error);
        StringAssert.StartsWith(line, "error: ");
        Assert.DoesNotContain("   at ", error, "no stack trace");
        Assert.DoesNotContain("Exception", error, "no exception type");
        return line;
    }

    [TestMethod]
    public void AWeightedScoreModelWithoutWeightsIsRefusedByItsColumn()
    {
        // A WeightedScore model reads each row's weights from a column that a LETOR file does not have: score asks for --weights
        // (it used to refuse such a model outright, while samples/RankingService served it).
        var ml = new MLContext(1);
        var rows = ml.Data.LoadFromEnumerable(Persistence.SaveLoadTests.WeightedRows(5, seed: 80));
        var weighted = ml.Transforms.WeightedScore(Scoring.ScorerVariants.Model(ConditioningKind.FiLM)).Fit(rows);
        string path = _folder.File("weighted.zip");
        ml.Model.Save(weighted, rows.Schema, path);
        string line = Refused("--model", path, "--data", _data, "--output", _folder.File("w.txt"));
        Assert.AreEqual($"error: '{path}' reads each row's objective weights from the column 'ObjectiveWeights'; give --weights.", line);
    }

    [TestMethod]
    public void ScoresALetorFile_AsTheModelScoresItInProcess()
    {
        string output = _folder.File("scores.txt");
        var (code, text, error) = HyperdpoProcess.Run(_folder.Path, "score", "--model", _model, "--data", _data, "--weights", "0.7,0.3", "--output", output);
        Assert.AreEqual(0, code, text + error);
        var scores = File.ReadAllLines(output).Select(l => float.Parse(l, CultureInfo.InvariantCulture)).ToArray();

        // The same rows, read and scored in this process: the loaded chain with its ranker at the same weights.
        var ml = new MLContext(1);
        var loaded = (TransformerChain<ITransformer>)ml.Model.LoadHyperDpo(_model);
        var ranker = ((HyperDpoRankingTransformer)loaded.LastTransformer).WithObjectiveWeights(0.7f, 0.3f);
        var chain = new TransformerChain<ITransformer>(loaded.Take(loaded.Count() - 1).Append(ranker).ToArray());
        var expected = chain.Transform(ml.Data.LoadLetorFiles(_data)).GetColumn<float>("Score").ToArray();
        Assert.HasCount(96, scores);
        CollectionAssert.AreEqual(expected, scores);
        Assert.IsGreaterThan(1, scores.Distinct().Count());
    }

    [TestMethod]
    public void ScoresAnMlNetBinaryFile_AndSpeaksOfTheRawFeatureCount()
    {
        var ml = new MLContext(1);
        var rows = ml.Data.LoadLetorFiles(_data);
        string binary = _folder.File("rows.idv");
        using (var stream = File.Create(binary))
            ml.Data.SaveAsBinary(rows, stream);
        string output = _folder.File("binary-scores.txt");
        var (code, text, error) = HyperdpoProcess.Run(_folder.Path, "score", "--model", _model, "--data", binary, "--output", output);
        Assert.AreEqual(0, code, text + error);
        Assert.HasCount(96, File.ReadAllLines(output));

        // 45 features per row, one short of the file's 46: the message counts the user's features, not the network's 45 or 44.
        string short45 = _folder.File("short.idv");
        using (var stream = File.Create(short45))
            ml.Data.SaveAsBinary(ml.Transforms.FeatureRankObjective("Dropped", 45, FeatureDirection.HigherIsBetter, removeFromFeatures: true).Fit(rows).Transform(rows), stream);
        Assert.AreEqual($"error: Data file '{short45}' has 45 features per row in 'Features'; '{_model}' takes 46 features per row " +
            "(the raw features it was trained on; its preparation removes 1 of them before the network, which reads 45).", Refused("--model", _model, "--data", short45, "--output", output));
    }

    [TestMethod]
    public void BadPathsAndFilesAreOneErrorLine_CheckedBeforeScoring()
    {
        string missingFolder = Path.Combine(_folder.Path, "no-such-folder", "scores.txt");
        StringAssert.Contains(Refused("--model", _model, "--data", _data, "--output", missingFolder), "the folder");
        StringAssert.Contains(Refused("--model", _model, "--data", _data, "--output", _folder.Path), "is a directory");
        StringAssert.Contains(Refused("--model", _folder.File("none.zip"), "--data", _data, "--output", "s.txt"), "does not exist");
        // A text file that is not LETOR, and a LETOR line with a feature id the model does not take.
        string garbage = _folder.File("garbage.txt");
        File.WriteAllText(garbage, "this is not a ranking file\n");
        StringAssert.Contains(Refused("--model", _model, "--data", garbage, "--output", "s.txt"), $"LETOR file '{garbage}', line 1");
        string stray = _folder.File("stray.txt");
        File.WriteAllLines(stray, File.ReadAllLines(_data).Select((l, i) => i == 3 ? l + " 47:1" : l));
        StringAssert.Contains(Refused("--model", _model, "--data", stray, "--output", "s.txt"), $"line 4, token '47:1': feature id 47 is beyond the feature count 46");
        Assert.IsFalse(File.Exists(_folder.File("s.txt")), "no output written");
    }
}
