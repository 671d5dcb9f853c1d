using System.IO.Compression;
using Microsoft.ML.HyperDpo.Persistence;
using Microsoft.ML.HyperDpo.Tests.Scoring;

namespace Microsoft.ML.HyperDpo.Tests.Persistence;

[TestClass]
public class ModelFileTests
{
    private string _folder;

    [TestInitialize]
    public void CreateFolder()
    {
        _folder = Path.Combine(Path.GetTempPath(), "hyperdpo-files-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TestCleanup]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private (MLContext Ml, IDataView Data, string Path, byte[] Original) SavedModel()
    {
        var ml = new MLContext(1);
        var data = SyntheticRanking.Load(ml, SyntheticRanking.Rows(5, 3, 6, seed: 60));
        string path = Path.Combine(_folder, "model.zip");
        ml.Model.SaveAtomically(ScorerVariants.Model(ConditioningKind.FiLM), data.Schema, path);
        return (ml, data, path, File.ReadAllBytes(path));
    }

    private void AssertOnlyTheModelFileIsLeft(string path) =>
        CollectionAssert.AreEqual(new[] { Path.GetFileName(path) }, Directory.GetFiles(_folder).Select(Path.GetFileName).ToArray(), "no temporary file is left behind");

    [TestMethod]
    public void FailedSaveOfAModelThatCannotBeSavedLeavesTheOldFileIntact()
    {
        var (ml, data, path, original) = SavedModel();
        // A CustomMapping without a contract name cannot be saved: ML.NET throws from inside Save.
        var unsaveable = ml.Transforms.CustomMapping<ScoreRow, ScoreRow>((i, o) => o.Score = i.Score, contractName: null)
            .Fit(ml.Data.LoadFromEnumerable(new[] { new ScoreRow() }));
        Assert.ThrowsExactly<InvalidOperationException>(() => ml.Model.SaveAtomically(unsaveable, data.Schema, path));
        CollectionAssert.AreEqual(original, File.ReadAllBytes(path));
        AssertOnlyTheModelFileIsLeft(path);

        // A HyperDPO model whose reference model cannot be saved fails the same way.
        var options = SyntheticRanking.FastOptions(epochs: 1);
        options.References.Source = ReferenceSource.Shared(ml.Transforms.CopyColumns("Score", "RelevanceA")
            .Append(ml.Transforms.CustomMapping<ScoreRow, ScoreRow>((i, o) => o.Score = i.Score, contractName: null)).Fit(data));
        var withReference = ml.Ranking.Trainers.HyperDpo(options).Fit(data);
        Assert.Throws<Exception>(() => ml.Model.SaveAtomically(withReference, data.Schema, path));
        CollectionAssert.AreEqual(original, File.ReadAllBytes(path));
        AssertOnlyTheModelFileIsLeft(path);
    }

    [TestMethod]
    public void InjectedIoErrorDuringSaveLeavesTheOldFileIntact()
    {
        var (_, _, path, original) = SavedModel();
        var e = Assert.ThrowsExactly<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[1000]);
            throw new IOException("injected: disk full");
        }));
        Assert.Contains("injected", e.Message);
        CollectionAssert.AreEqual(original, File.ReadAllBytes(path));
        AssertOnlyTheModelFileIsLeft(path);
    }

    [TestMethod]
    public void SaveReplacesTheOldFileWhenItSucceeds()
    {
        var (ml, data, path, original) = SavedModel();
        ml.Model.SaveAtomically(ScorerVariants.Model(ConditioningKind.Input), data.Schema, path);
        CollectionAssert.AreNotEqual(original, File.ReadAllBytes(path));
        AssertOnlyTheModelFileIsLeft(path);
    }

    [TestMethod]
    public void CorruptTruncatedForeignAndMissingFilesGiveClearErrors()
    {
        var (ml, _, path, original) = SavedModel();
        string Write(string name, byte[] bytes)
        {
            string p = Path.Combine(_folder, name);
            File.WriteAllBytes(p, bytes);
            return p;
        }
        var flipped = (byte[])original.Clone();
        for (int i = original.Length / 3; i < original.Length / 3 + 64; i++) flipped[i] ^= 0x5A;
        string foreignZip = Path.Combine(_folder, "foreign.zip");
        using (var zip = ZipFile.Open(foreignZip, ZipArchiveMode.Create))
        using (var writer = new StreamWriter(zip.CreateEntry("readme.txt").Open()))
            writer.Write("not a model");

        var files = new[]
        {
            Write("truncated.zip", original[..(original.Length / 2)]),
            Write("corrupt.zip", flipped),
            Write("text.zip", "hello, I am not a model"u8.ToArray()),
            Write("empty.zip", Array.Empty<byte>()),
            foreignZip,
        };
        foreach (string file in files)
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => new MLContext(2).Model.LoadWithClearErrors(file, out _), file);
            Assert.Contains(file, e.Message);
            Assert.Contains("could not be loaded", e.Message);
            Assert.IsNotNull(e.InnerException);
        }
        var missing = Assert.ThrowsExactly<FileNotFoundException>(() => ml.Model.LoadWithClearErrors(Path.Combine(_folder, "absent.zip"), out _));
        Assert.Contains("absent.zip", missing.Message);
    }
}
