using System.IO.Compression;
using System.Text;
using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Tests.Scoring;

namespace Microsoft.ML.HyperDpo.Tests.Persistence;

[TestClass]
public class LoadHyperDpoTests
{
    private static TemporaryFolder _folder;

    [ClassInitialize]
    public static void CreateFolder(TestContext _)
    {
        _folder = new TemporaryFolder("hyperdpo-loadhd");
    }

    [ClassCleanup]
    public static void DeleteFolder() => _folder.Dispose();

    private static string NewPath(string name) => _folder.File(name + ".zip");

    private static void AssertClose(float[] expected, float[] actual, string what) => SaveLoadTests.AssertClose(expected, actual, what);

    [TestMethod]
    public void EveryConditioningKindComesBackAsTheHyperDpoTransformerWithTheSameScores()
    {
        var ml = new MLContext(1);
        var data = SyntheticRanking.Load(ml, SyntheticRanking.Rows(20, 3, 9, seed: 43));
        foreach (var kind in ScorerVariants.Kinds)
        {
            var model = ScorerVariants.Model(kind).WithObjectiveWeights(0.6f, 0.4f);
            string path = NewPath("kind-" + kind);
            ml.Model.SaveAtomically(model, data.Schema, path);

            var loaded = new MLContext(2).Model.LoadHyperDpo(path);
            var hyper = loaded as HyperDpoRankingTransformer;
            Assert.IsNotNull(hyper, $"{kind}: LoadHyperDpo gives {loaded.GetType().Name}");
            CollectionAssert.AreEqual(model.Objectives.ToArray(), hyper.Objectives.ToArray());
            CollectionAssert.AreEqual(model.ObjectiveWeights.ToArray(), hyper.ObjectiveWeights.ToArray());
            AssertClose(SyntheticRanking.Scores(model.Transform(data)), SyntheticRanking.Scores(hyper.Transform(data)), kind.ToString());
            // The whole front comes back, not only the saved trade-off.
            AssertClose(SyntheticRanking.Scores(model.WithObjectiveWeights(0.1f, 0.9f).Transform(data)),
                SyntheticRanking.Scores(hyper.WithObjectiveWeights(0.1f, 0.9f).Transform(data)), kind + " at other weights");
            Assert.ThrowsExactly<InvalidOperationException>(() => HyperDpoCheckpoint.Save(hyper, _folder.File("no.ckpt")));
            Assert.IsFalse(File.Exists(_folder.File("no.ckpt")));
        }
    }

    [TestMethod]
    public void ALoadedWeightedScoreRejectsInvalidWeightsAsInMemory()
    {
        var ml = new MLContext(1);
        var rows = SaveLoadTests.WeightedRows(50, seed: 45);
        var data = ml.Data.LoadFromEnumerable(rows);
        var transformer = ml.Transforms.WeightedScore(ScorerVariants.Model(ConditioningKind.FiLM)).Fit(data);
        string path = NewPath("weighted");
        ml.Model.Save(transformer, data.Schema, path);

        var loaded = new MLContext(2).Model.LoadHyperDpo(path);
        Assert.IsInstanceOfType<WeightedScoreTransformer>(loaded);
        AssertClose(SyntheticRanking.Scores(transformer.Transform(data)), SyntheticRanking.Scores(loaded.Transform(data)), "valid weights");

        rows[7].ObjectiveWeights = new[] { 0.5f, -0.5f };
        var bad = ml.Data.LoadFromEnumerable(rows);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => SyntheticRanking.Scores(loaded.Transform(bad)));
        StringAssert.Contains(error.Message, "ObjectiveWeights");
        StringAssert.Contains(error.Message, "row 7");
        // Stock Load cannot check: the same row gets a number, not an error.
        Assert.HasCount(50, SyntheticRanking.Scores(new MLContext(3).Model.Load(path, out _).Transform(bad)));
    }

    [TestMethod]
    public void APipelineKeepsItsOtherStepsAndItsReferenceModel()
    {
        var ml = new MLContext(1);
        var raw = SyntheticRanking.Load(ml, SyntheticRanking.Rows(40, 4, 10, seed: 44));
        var reference = SyntheticRanking.SmallFastTree(ml, SyntheticRanking.LabelA, 5).Fit(raw);
        var options = SyntheticRanking.FastOptions(epochs: 2);
        options.References.Source = ReferenceSource.Shared(reference);
        var model = ml.Ranking.Trainers.HyperDpo(options).Fit(raw);
        var fitted = ml.Transforms.NormalizeMinMax("Features")
            .Append(ml.Transforms.ConstantObjectiveWeights(new[] { 2f, 1f }))
            .Append(ml.Transforms.WeightedScore(model))
            .Fit(raw);
        string path = NewPath("pipeline");
        ml.Model.Save(fitted, raw.Schema, path);

        var loaded = new MLContext(2).Model.LoadHyperDpo(path, out var schema);
        Assert.AreEqual(raw.Schema.Count, schema.Count);
        var parts = ((TransformerChain<ITransformer>)loaded).ToArray();
        Assert.HasCount(3, parts);
        Assert.IsInstanceOfType<Microsoft.ML.Transforms.NormalizingTransformer>(parts[0]);
        Assert.IsInstanceOfType<WeightedScoreTransformer>(parts[2]);
        AssertClose(SyntheticRanking.Scores(fitted.Transform(raw)), SyntheticRanking.Scores(loaded.Transform(raw)), "pipeline with reference");
    }

    [TestMethod]
    public void OtherModelsLoadAsLoadGivesThem()
    {
        var ml = new MLContext(1);
        var data = SyntheticRanking.Load(ml, SyntheticRanking.Rows(30, 4, 10, seed: 46));
        var tree = SyntheticRanking.SmallFastTree(ml, SyntheticRanking.LabelA, 3).Fit(data);
        string path = NewPath("fasttree");
        ml.Model.Save(tree, data.Schema, path);
        var loaded = ml.Model.LoadHyperDpo(path);
        Assert.AreEqual(ml.Model.Load(path, out _).GetType(), loaded.GetType());
        AssertClose(SyntheticRanking.Scores(tree.Transform(data)), SyntheticRanking.Scores(loaded.Transform(data)), "FastTree");
    }

    [TestMethod]
    public void ACorruptSavedFormGivesAnErrorNamingTheFile()
    {
        var ml = new MLContext(1);
        var data = SyntheticRanking.Load(ml, SyntheticRanking.Rows(10, 3, 6, seed: 47));
        string path = NewPath("corrupt");
        ml.Model.Save(ScorerVariants.Model(ConditioningKind.Input), data.Schema, path);
        // Same length, so the protobuf and the zip stay well formed: only the description's version changes.
        RewriteOnnxEntry(path, "\"Version\":1,", "\"Version\":7,");
        Assert.HasCount((int)data.GetRowCount()!.Value, SyntheticRanking.Scores(ml.Model.Load(path, out _).Transform(data)), "stock Load ignores the description");
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ml.Model.LoadHyperDpo(path));
        StringAssert.Contains(error.Message, path);
        StringAssert.Contains(error.Message, "checksum");
    }

    private static void RewriteOnnxEntry(string path, string from, string to)
    {
        using var archive = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = archive.Entries.Single(e => e.Name == "OnnxModel");
        byte[] bytes;
        using (var stream = entry.Open())
        using (var memory = new MemoryStream())
        {
            stream.CopyTo(memory);
            bytes = memory.ToArray();
        }
        string text = Encoding.Latin1.GetString(bytes);
        Assert.Contains(from, text);
        bytes = Encoding.Latin1.GetBytes(text.Replace(from, to));
        string name = entry.FullName;
        entry.Delete();
        using var target = archive.CreateEntry(name).Open();
        target.Write(bytes);
    }
}
