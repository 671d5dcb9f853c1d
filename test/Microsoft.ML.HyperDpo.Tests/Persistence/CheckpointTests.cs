using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;

namespace Microsoft.ML.HyperDpo.Tests.Persistence;

[TestClass]
public class CheckpointTests
{
    private static MLContext _ml;
    private static IDataView _data;
    private static HyperDpoRankingTransformer _model;
    private TemporaryFolder _folder;

    [ClassInitialize]
    public static void Fit(TestContext _)
    {
        _ml = new MLContext(seed: 1);
        _data = SyntheticRanking.Load(_ml, SyntheticRanking.Rows(40, 5, 12, seed: 80));
        var options = SyntheticRanking.FastOptions(epochs: 3);
        options.Network.Conditioning = ConditioningKind.Hypernetwork;
        _model = _ml.Ranking.Trainers.HyperDpo(options).Fit(_data).WithObjectiveWeights(0.7f, 0.3f);
    }

    [TestInitialize]
    public void CreateFolder()
    {
        _folder = new TemporaryFolder("hyperdpo-ckpt");
    }

    [TestCleanup]
    public void DeleteFolder() => _folder.Dispose();

    private string Saved(string name = "model.ckpt")
    {
        string path = _folder.File(name);
        HyperDpoCheckpoint.Save(_model, path);
        return path;
    }

    [TestMethod]
    public void CheckpointRestoresTheModelItsOptionsAndOptimizerState()
    {
        var checkpoint = HyperDpoCheckpoint.Load(new MLContext(2), Saved());
        CollectionAssert.AreEqual(SyntheticRanking.Scores(_model.Transform(_data)), SyntheticRanking.Scores(checkpoint.Model.Transform(_data)), "exactly the same scores");
        CollectionAssert.AreEqual(_model.Objectives.ToArray(), checkpoint.Objectives.ToArray());
        CollectionAssert.AreEqual(_model.ObjectiveWeights.ToArray(), checkpoint.Model.ObjectiveWeights.ToArray());
        Assert.AreEqual(ConditioningKind.Hypernetwork, checkpoint.Conditioning);
        CollectionAssert.AreEqual(new[] { 16 }, checkpoint.HiddenSizes.ToArray());
        Assert.AreEqual(3, checkpoint.EpochsCompleted);
        Assert.IsTrue(checkpoint.HasOptimizerState);
        var options = checkpoint.TrainerOptions;
        Assert.AreSame(checkpoint, options.Checkpointing.StartFrom);
        Assert.AreEqual(0.01f, options.Optimiser.LearningRate);
        Assert.AreEqual(8, options.Optimiser.BatchSize);
        CollectionAssert.AreEqual(SyntheticRanking.Labels, options.LabelColumnNames);
        // The feature standardisation travels with the network.
        CollectionAssert.AreEqual(_model.ScoringModel.Parameters.Mean, checkpoint.Model.ScoringModel.Parameters.Mean);
        CollectionAssert.AreEqual(_model.ScoringModel.Parameters.Scale, checkpoint.Model.ScoringModel.Parameters.Scale);
    }

    [TestMethod]
    public void TrainingResumesFromACheckpoint()
    {
        var checkpoint = HyperDpoCheckpoint.Load(_ml, Saved());
        var options = checkpoint.TrainerOptions;
        options.Optimiser.NumberOfEpochs = 2;
        var resumed = _ml.Ranking.Trainers.HyperDpo(options).Fit(_data);
        Assert.AreEqual(5, HyperDpoCheckpoint.Load(_ml, SaveAgain(resumed)).EpochsCompleted);
        CollectionAssert.AreNotEqual(SyntheticRanking.Scores(checkpoint.Model.Transform(_data)), SyntheticRanking.Scores(resumed.Transform(_data)), "training moved the weights");
        // It continues where it left off: its first epoch's loss is below a fresh fit's first epoch.
        var fresh = SyntheticRanking.FastOptions(epochs: 1);
        fresh.Network.Conditioning = ConditioningKind.Hypernetwork;
        double freshLoss = _ml.Ranking.Trainers.HyperDpo(fresh).Fit(_data).TrainingReport.Epochs[0].MeanLoss;
        Assert.IsLessThan(freshLoss, resumed.TrainingReport.Epochs[0].MeanLoss);
        // The checkpoint's own model is not changed by the resumed fit.
        CollectionAssert.AreEqual(SyntheticRanking.Scores(_model.Transform(_data)), SyntheticRanking.Scores(checkpoint.Model.Transform(_data)));
    }

    private string SaveAgain(HyperDpoRankingTransformer model)
    {
        string path = _folder.File("again.ckpt");
        HyperDpoCheckpoint.Save(model, path);
        return path;
    }

    [TestMethod]
    public void ResumingWithAnotherArchitectureIsRejectedNamingTheOption()
    {
        var checkpoint = HyperDpoCheckpoint.Load(_ml, Saved());
        var wrongKind = checkpoint.TrainerOptions;
        wrongKind.Network.Conditioning = ConditioningKind.FiLM;
        var wrongSizes = checkpoint.TrainerOptions;
        wrongSizes.Network.HiddenSizes = new[] { 8 };
        var wrongCount = checkpoint.TrainerOptions;
        wrongCount.LabelColumnNames = new[] { "A", "B", "C" };
        foreach (var o in new[] { wrongKind, wrongSizes, wrongCount })
        {
            var e = Assert.ThrowsExactly<ArgumentException>(() => _ml.Ranking.Trainers.HyperDpo(o));
            Assert.AreEqual("Checkpointing.StartFrom", e.ParamName, e.Message);
        }
    }

    private static byte[] Rewrite(byte[] checkpoint, Func<string, byte[], byte[]> change)
    {
        using var source = new ZipArchive(new MemoryStream(checkpoint), ZipArchiveMode.Read);
        using var output = new MemoryStream();
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var entry in source.Entries)
            {
                using var input = entry.Open();
                using var memory = new MemoryStream();
                input.CopyTo(memory);
                var bytes = change(entry.FullName, memory.ToArray());
                if (bytes is null) continue;
                using var stream = target.CreateEntry(entry.FullName).Open();
                stream.Write(bytes);
            }
        return output.ToArray();
    }

    /// <summary>The names main's flat options had where the grouped option's own name differs (HyperDpoRankingTrainer.Options before the groups).</summary>
    private static readonly Dictionary<string, string> FlatNames = new()
    {
        ["Loss.Kind"] = "Loss", ["Loss.Normalization"] = "LossNormalization", ["References.Beta"] = "ReferenceBeta", ["References.Form"] = "ReferenceForm",
        ["References.Folds"] = "ReferenceFolds", ["References.ScoreColumnName"] = "ReferenceScoreColumnName", ["Validation.GridDivisions"] = "ValidationGridDivisions",
        ["Checkpointing.Interval"] = "CheckpointInterval", ["Checkpointing.StepInterval"] = "CheckpointStepInterval", ["Checkpointing.Seconds"] = "CheckpointSeconds",
        ["LargeData.Rows"] = "LargeDataRows", ["LargeData.RowsPerStep"] = "LargeDataRowsPerStep", ["LargeData.ValidationLists"] = "LargeDataValidationLists",
        ["Validation.Grids"] = "ValidationGrids", ["References.ConditionedFeatureColumnName"] = "ConditionedReferenceFeatureColumnName",
    };

    [TestMethod]
    public void ATransformerCheckpointWrittenBeforeThePerDocumentScorerStillLoads()
    {
        // A transformer as the libraries before Network.TransformerDocumentScorer built it, in a checkpoint that does not name the option.
        var options = Microsoft.ML.HyperDpo.Tests.Scoring.ListwiseScoringTests.Options(ConditioningKind.HyperPrompt, epochs: 1);
        options.Network.TransformerDocumentScorer = false;
        var model = _ml.Ranking.Trainers.HyperDpo(options).Fit(_data);
        string saved = _folder.File("transformer.ckpt");
        HyperDpoCheckpoint.Save(model, saved);
        byte[] older = Rewrite(File.ReadAllBytes(saved), (name, bytes) =>
        {
            if (name != "checkpoint.json") return bytes;
            var json = JsonNode.Parse(bytes)!;
            Assert.IsTrue(json["Options"]!["Network"]!.AsObject().Remove("TransformerDocumentScorer"), "the option is saved");
            return Encoding.UTF8.GetBytes(json.ToJsonString());
        });
        string old = _folder.File("older.ckpt");
        File.WriteAllBytes(old, older);
        var loaded = HyperDpoCheckpoint.Load(new MLContext(2), old);
        Assert.IsFalse(loaded.TrainerOptions.Network.TransformerDocumentScorer);
        CollectionAssert.AreEqual(SyntheticRanking.Scores(model.Transform(_data)), SyntheticRanking.Scores(loaded.Model.Transform(_data)));
        // A new fit's default has the scorer, and its checkpoint says so.
        Assert.IsTrue(new HyperDpoRankingTrainer.Options().Network.TransformerDocumentScorer);
    }

    [TestMethod]
    public void ACheckpointWithTheFlatOptionsOfEarlierVersionsStillLoads()
    {
        // Values away from their defaults for options that were renamed when they were grouped, and for some that kept their name.
        var options = SyntheticRanking.FastOptions(epochs: 1);
        options.Loss.Beta = 4;
        options.References.Beta = 3;
        options.Loss.Normalization = LossNormalization.PerDocument;
        options.Validation.GridDivisions = 6;
        options.Validation.Grids = 2;
        options.Checkpointing.Interval = 3;
        options.LargeData.Rows = 12_345;
        var model = _ml.Ranking.Trainers.HyperDpo(options).Fit(_data);
        string grouped = _folder.File("grouped.ckpt");
        HyperDpoCheckpoint.Save(model, grouped);
        // The same checkpoint as a library before the groups wrote it: every option at the top level, under its old name.
        byte[] flat = Rewrite(File.ReadAllBytes(grouped), (name, bytes) =>
        {
            if (name != "checkpoint.json") return bytes;
            var json = JsonNode.Parse(bytes)!;
            var saved = json["Options"]!.AsObject();
            var flatOptions = new JsonObject();
            foreach (var (key, value) in saved)
            {
                if (value is JsonObject group)
                    foreach (var (leaf, inner) in group)
                        flatOptions[FlatNames.GetValueOrDefault($"{key}.{leaf}", leaf)] = inner?.DeepClone();
                else
                    flatOptions[key] = value?.DeepClone();
            }
            json["Options"] = flatOptions;
            return Encoding.UTF8.GetBytes(json.ToJsonString());
        });
        string old = _folder.File("flat.ckpt");
        File.WriteAllBytes(old, flat);
        using (var archive = ZipFile.OpenRead(old))
        using (var reader = new StreamReader(archive.GetEntry("checkpoint.json")!.Open()))
        {
            string manifest = reader.ReadToEnd();
            StringAssert.Contains(manifest, "\"ReferenceBeta\":3");
            Assert.DoesNotContain("\"Optimiser\"", manifest);
        }

        var loaded = HyperDpoCheckpoint.Load(new MLContext(2), old).TrainerOptions;
        Assert.AreEqual(4f, loaded.Loss.Beta);
        Assert.AreEqual(3f, loaded.References.Beta);
        Assert.AreEqual(LossNormalization.PerDocument, loaded.Loss.Normalization);
        Assert.AreEqual(6, loaded.Validation.GridDivisions);
        Assert.AreEqual(2, loaded.Validation.Grids);
        Assert.AreEqual(3, loaded.Checkpointing.Interval);
        Assert.AreEqual(12_345, loaded.LargeData.Rows);
        Assert.AreEqual(TorchDevice.Cpu, loaded.Runtime.Device);
        Assert.AreEqual(options.Optimiser.LearningRate, loaded.Optimiser.LearningRate);
        CollectionAssert.AreEqual(options.Network.HiddenSizes, loaded.Network.HiddenSizes);
        CollectionAssert.AreEqual(SyntheticRanking.Scores(model.Transform(_data)), SyntheticRanking.Scores(HyperDpoCheckpoint.Load(new MLContext(2), old).Model.Transform(_data)));
        // It trains on as the grouped file does.
        loaded.Optimiser.NumberOfEpochs = 1;
        var fromFlat = _ml.Ranking.Trainers.HyperDpo(loaded).Fit(_data);
        var fromGrouped = HyperDpoCheckpoint.Load(new MLContext(2), grouped).TrainerOptions;
        fromGrouped.Optimiser.NumberOfEpochs = 1;
        CollectionAssert.AreEqual(SyntheticRanking.Scores(_ml.Ranking.Trainers.HyperDpo(fromGrouped).Fit(_data).Transform(_data)), SyntheticRanking.Scores(fromFlat.Transform(_data)));
    }

    [TestMethod]
    public void BadCheckpointFilesGiveClearErrors()
    {
        byte[] good = File.ReadAllBytes(Saved());
        var corruptNetwork = Rewrite(good, (name, bytes) =>
        {
            if (name == "network.bin") bytes[bytes.Length / 2] ^= 0xFF;
            return bytes;
        });
        var otherVersion = Rewrite(good, (name, bytes) =>
        {
            if (name != "checkpoint.json") return bytes;
            var json = JsonNode.Parse(bytes)!;
            json["Version"] = 3;
            return Encoding.UTF8.GetBytes(json.ToJsonString());
        });
        var unknownOption = Rewrite(good, (name, bytes) =>
        {
            if (name != "checkpoint.json") return bytes;
            var json = JsonNode.Parse(bytes)!;
            json["Options"]!["NoSuchOption"] = 1;
            return Encoding.UTF8.GetBytes(json.ToJsonString());
        });
        var noManifest = Rewrite(good, (name, bytes) => name == "checkpoint.json" ? null : bytes);
        var noNetwork = Rewrite(good, (name, bytes) => name == "network.bin" ? null : bytes);
        var badJson = Rewrite(good, (name, bytes) => name == "checkpoint.json" ? "{ not json"u8.ToArray() : bytes);
        var cases = new (string Name, byte[] Bytes, string Expected)[]
        {
            ("truncated", good[..(good.Length / 2)], "not a readable zip"),
            ("text", "just text"u8.ToArray(), "not a readable zip"),
            ("corrupt-network", corruptNetwork, "checksum"),
            ("other-version", otherVersion, "version 3"),
            ("no-manifest", noManifest, "no checkpoint.json"),
            ("no-network", noNetwork, "network.bin"),
            ("bad-json", badJson, "not valid"),
            ("unknown-option", unknownOption, "'NoSuchOption' is unknown"),
        };
        foreach (var (name, bytes, expected) in cases)
        {
            string path = _folder.File(name + ".ckpt");
            File.WriteAllBytes(path, bytes);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => HyperDpoCheckpoint.Load(_ml, path), name);
            Assert.Contains(path, e.Message, name);
            Assert.Contains(expected, e.Message, name);
        }
        // A model zip is not a checkpoint.
        string modelZip = _folder.File("model.zip");
        _ml.Model.Save(_model, _data.Schema, modelZip);
        Assert.Contains("no checkpoint.json", Assert.ThrowsExactly<InvalidDataException>(() => HyperDpoCheckpoint.Load(_ml, modelZip)).Message);
        Assert.ThrowsExactly<FileNotFoundException>(() => HyperDpoCheckpoint.Load(_ml, _folder.File("absent.ckpt")));
    }

    [TestMethod]
    public void ReferenceModelTravelsWithTheCheckpoint()
    {
        var reference = SyntheticRanking.SmallFastTree(_ml, SyntheticRanking.LabelA, 5).Fit(_data);
        var options = SyntheticRanking.FastOptions(epochs: 1);
        options.References.Source = ReferenceSource.Shared(reference);
        var model = _ml.Ranking.Trainers.HyperDpo(options).Fit(_data);
        string path = _folder.File("reference.ckpt");
        HyperDpoCheckpoint.Save(model, path);
        var checkpoint = HyperDpoCheckpoint.Load(new MLContext(3), path);
        Assert.IsNotNull(checkpoint.ReferenceModel);
        CollectionAssert.AreEqual(SyntheticRanking.Scores(model.Transform(_data)), SyntheticRanking.Scores(checkpoint.Model.Transform(_data)));
        // Resuming without naming a reference model keeps the checkpoint's.
        var resume = checkpoint.TrainerOptions;
        resume.References.Source = null;
        resume.Optimiser.NumberOfEpochs = 1;
        Assert.IsNotNull(_ml.Ranking.Trainers.HyperDpo(resume).Fit(_data).ScoringModel.Reference);
    }

    [TestMethod]
    public void FailedCheckpointSaveLeavesTheOldFileIntact()
    {
        string path = Saved();
        byte[] before = File.ReadAllBytes(path);
        var options = SyntheticRanking.FastOptions(epochs: 1);
        options.References.Source = ReferenceSource.Shared(_ml.Transforms.CopyColumns("Score", "RelevanceA")
            .Append(_ml.Transforms.CustomMapping<ScoreRow, ScoreRow>((i, o) => o.Score = i.Score, contractName: null)).Fit(_data));
        var unsaveable = _ml.Ranking.Trainers.HyperDpo(options).Fit(_data);
        Assert.Throws<Exception>(() => HyperDpoCheckpoint.Save(unsaveable, path));
        CollectionAssert.AreEqual(before, File.ReadAllBytes(path));
        Assert.HasCount(1, Directory.GetFiles(_folder.Path));
    }

    [TestMethod]
    public void ACheckpointPathStoredInAFileIsNeverWhereTrainingWrites()
    {
        // Someone else's fit checkpointed to their path; their file is then handed over and loaded from ours.
        string theirs = _folder.File("theirs.ckpt"), ours = Path.Combine(Directory.CreateDirectory(_folder.File("ours")).FullName, "copy.ckpt");
        var options = SyntheticRanking.FastOptions(epochs: 2);
        options.Checkpointing.Path = theirs;
        _ml.Ranking.Trainers.HyperDpo(options).Fit(_data);
        File.Move(theirs, ours);
        using (var archive = ZipFile.OpenRead(ours))
        using (var reader = new StreamReader(archive.GetEntry("checkpoint.json")!.Open()))
            Assert.DoesNotContain("theirs.ckpt", reader.ReadToEnd(), "the manifest holds no path of the machine that wrote it");

        // A crafted manifest that names a path anyway.
        string crafted = _folder.File("crafted.ckpt"), elsewhere = _folder.File("elsewhere.ckpt");
        byte[] bytes;
        using (var source = new MemoryStream(File.ReadAllBytes(ours)))
        using (var output = new MemoryStream())
        {
            using (var read = new ZipArchive(source, ZipArchiveMode.Read))
            using (var write = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
                foreach (var entry in read.Entries)
                {
                    using var from = entry.Open();
                    using var memory = new MemoryStream();
                    from.CopyTo(memory);
                    byte[] content = memory.ToArray();
                    if (entry.FullName == "checkpoint.json")
                    {
                        var json = JsonNode.Parse(content)!;
                        json["Options"]!["CheckpointPath"] = elsewhere;   // as checkpoints written before the options were grouped hold it
                        json["Options"]!["Checkpointing"]!["Path"] = elsewhere;
                        content = Encoding.UTF8.GetBytes(json.ToJsonString());
                    }
                    using var to = write.CreateEntry(entry.FullName).Open();
                    to.Write(content);
                }
            bytes = output.ToArray();
        }
        File.WriteAllBytes(crafted, bytes);

        foreach (string path in new[] { ours, crafted })
        {
            var checkpoint = HyperDpoCheckpoint.Load(new MLContext(2), path);
            Assert.IsNull(checkpoint.TrainerOptions.Checkpointing.Path, $"{path}: fine-tuning writes no checkpoint unless asked to");
            Assert.AreEqual(Path.GetFullPath(path), checkpoint.ResumeOptions.Checkpointing.Path, $"{path}: resuming checkpoints to the file it was loaded from");
            var fineTune = checkpoint.TrainerOptions;
            fineTune.Optimiser.NumberOfEpochs = 1;
            _ml.Ranking.Trainers.HyperDpo(fineTune).Fit(_data);
        }
        Assert.IsFalse(File.Exists(theirs), "nothing was written to the path the file was saved from");
        Assert.IsFalse(File.Exists(elsewhere), "nothing was written to the path a crafted manifest names");
    }
}
