using System.Diagnostics;
using System.Text;
using Microsoft.ML.HyperDpo.Language.Persistence;
using Microsoft.ML.HyperDpo.Persistence;
using Microsoft.ML.HyperDpo.Tests.Scoring;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Tests.Persistence;

/// <summary>
/// Special files as save targets, for every writer of the product that takes a path: a FIFO, a device node, a directory and a
/// symbolic link. The first three are refused with an error naming the path and are left as they were; through a link the file
/// it points to is replaced (atomically, beside itself) and the link is kept. Also: stale temporary files of a killed save are
/// removed by the next save to the same path, and a save in progress is never disturbed.
/// </summary>
[TestClass]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class SaveTargetTests
{
    private TemporaryFolder _folder;

    [TestInitialize]
    public void CreateFolder()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("Skipped: FIFOs, device nodes and stat(1) are tested on Linux.");
        _folder = new TemporaryFolder("hyperdpo-targets");
    }

    [TestCleanup]
    public void DeleteFolder() => _folder?.Dispose();

    /// <summary>Every library writer that takes a file path, on a small fitted model.</summary>
    private static IEnumerable<(string Name, Action<string> Save)> Writers()
    {
        var ml = new MLContext(1);
        var model = ScorerVariants.Model(ConditioningKind.FiLM);
        yield return ("Model.SaveAtomically", p => ml.Model.SaveAtomically(model, null, p));
        yield return ("HyperDpoCheckpoint.Save", p => HyperDpoCheckpoint.Save(model, p));
        yield return ("SafeTensors.Write", p =>
        {
            using var t = ones(3);
            SafeTensors.Write(p, [KeyValuePair.Create("w", t)]);
        });
    }

    /// <summary>What the file at <paramref name="path"/> is, by stat(1) (which does not follow a link): "fifo", "directory", ...</summary>
    private static string Kind(string path)
    {
        var (code, output) = ChildProcess.Run("stat", "/", "-c", "%F", path);
        Assert.AreEqual(0, code, output);
        return output.Trim();
    }

    private static bool TryRun(string program, params string[] args)
    {
        try
        {
            return ChildProcess.Run(program, "/", args).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private void AssertRefusedAndKept(string target, string kind, string problem)
    {
        foreach (var (name, save) in Writers())
        {
            var e = Assert.Throws<IOException>(() => save(target), name);
            Assert.Contains(target, e.Message, name);
            Assert.Contains(problem, e.Message, name);
            Assert.AreEqual(kind, Kind(target), $"{name}: the {kind} is left as it was");
            CollectionAssert.AreEqual(new[] { Path.GetFileName(target) }, Directory.GetFileSystemEntries(_folder.Path).Select(Path.GetFileName).ToArray(),
                $"{name}: no temporary file is left beside it");
        }
    }

    [TestMethod]
    public void AFifoIsRefusedAndLeftAsItWas()
    {
        string fifo = _folder.File("model.zip");
        if (!TryRun("mkfifo", fifo)) Assert.Inconclusive("Skipped: mkfifo is not available.");
        AssertRefusedAndKept(fifo, "fifo", "not a regular file");
    }

    [TestMethod]
    public void ADeviceNodeIsRefusedAndLeftAsItWas()
    {
        // A node made here, never a real /dev entry: the same device as /dev/null (character 1, 3).
        string device = _folder.File("model.zip");
        if (!TryRun("mknod", device, "c", "1", "3")) Assert.Inconclusive("Skipped: mknod is not permitted here (it needs root).");
        AssertRefusedAndKept(device, "character special file", "not a regular file");
    }

    [TestMethod]
    public void ADirectoryIsRefusedAndLeftAsItWas()
    {
        string directory = _folder.File("model.zip");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "keep.txt"), "mine");
        AssertRefusedAndKept(directory, "directory", "is a directory");
        Assert.AreEqual("mine", File.ReadAllText(Path.Combine(directory, "keep.txt")));
    }

    [TestMethod]
    public void ThroughASymlinkTheFileItPointsToIsReplacedAndTheLinkKept()
    {
        string real = Directory.CreateDirectory(_folder.File("real")).FullName, links = Directory.CreateDirectory(_folder.File("links")).FullName;
        string target = Path.Combine(real, "model.bin"), link = Path.Combine(links, "model.bin");
        foreach (var (name, save) in Writers())
        {
            File.WriteAllText(target, "old");
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            if (new FileInfo(link).LinkTarget is not null || File.Exists(link)) File.Delete(link);
            File.CreateSymbolicLink(link, Path.Combine("..", "real", "model.bin"));
            save(link);
            Assert.AreEqual("symbolic link", Kind(link), $"{name}: the link is kept");
            Assert.AreEqual(Path.Combine("..", "real", "model.bin"), new FileInfo(link).LinkTarget, name);
            Assert.AreNotEqual("old", File.ReadAllText(target), $"{name}: the file the link points to is replaced");
            Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(target), $"{name}: the replaced file keeps its permissions");
            CollectionAssert.AreEqual(new[] { "model.bin" }, Directory.GetFileSystemEntries(real).Select(Path.GetFileName).ToArray(), $"{name}: no temporary file beside the target");
            CollectionAssert.AreEqual(new[] { "model.bin" }, Directory.GetFileSystemEntries(links).Select(Path.GetFileName).ToArray(), $"{name}: nothing written beside the link");
        }
        // What was saved through the link is the model.
        var ml = new MLContext(1);
        ml.Model.SaveAtomically(ScorerVariants.Model(ConditioningKind.FiLM), null, link);
        Assert.IsInstanceOfType<HyperDpoRankingTransformer>(ml.Model.LoadHyperDpo(target));

        // A failed save through the link leaves the target as it was.
        byte[] before = File.ReadAllBytes(target);
        Assert.Throws<IOException>(() => AtomicFile.Write(link, stream =>
        {
            stream.Write(new byte[100]);
            throw new IOException("injected");
        }));
        CollectionAssert.AreEqual(before, File.ReadAllBytes(target));
        Assert.AreEqual("symbolic link", Kind(link));

        // A dangling link: the file it names is created.
        File.Delete(target);
        ml.Model.SaveAtomically(ScorerVariants.Model(ConditioningKind.FiLM), null, link);
        Assert.AreEqual("symbolic link", Kind(link));
        Assert.IsInstanceOfType<HyperDpoRankingTransformer>(ml.Model.LoadHyperDpo(target));
    }

    [TestMethod]
    public void ASymlinkToAFifoIsRefused()
    {
        string fifo = _folder.File("pipe");
        if (!TryRun("mkfifo", fifo)) Assert.Inconclusive("Skipped: mkfifo is not available.");
        string link = _folder.File("model.zip");
        File.CreateSymbolicLink(link, fifo);
        var e = Assert.Throws<IOException>(() => new MLContext(1).Model.SaveAtomically(ScorerVariants.Model(ConditioningKind.FiLM), null, link));
        Assert.Contains(fifo, e.Message);
        Assert.AreEqual("fifo", Kind(fifo));
        Assert.AreEqual("symbolic link", Kind(link));
    }

    [TestMethod]
    public void TheNextSaveRemovesTheTemporaryFilesOfAKilledSave()
    {
        string path = _folder.File("fit.ckpt");
        var model = ScorerVariants.Model(ConditioningKind.FiLM);
        HyperDpoCheckpoint.Save(model, path);
        // What a process killed while writing leaves: the temporary files of its saves, named after the target.
        string[] stale = Enumerable.Range(0, 3).Select(_ => _folder.File($".fit.ckpt.{Guid.NewGuid():N}.tmp")).ToArray();
        foreach (string s in stale) File.WriteAllBytes(s, new byte[1000]);
        string unrelated = _folder.File(".other.ckpt.0123456789abcdef0123456789abcdef.tmp");
        File.WriteAllBytes(unrelated, new byte[10]);

        HyperDpoCheckpoint.Save(model, path);
        CollectionAssert.AreEquivalent(new[] { "fit.ckpt", Path.GetFileName(unrelated) }, Directory.GetFiles(_folder.Path).Select(Path.GetFileName).ToArray(),
            "the stale temporary files of fit.ckpt are gone; another file's are not touched");
    }

    [TestMethod]
    public void ASaveInProgressIsNotDisturbedByAnotherSaveToTheSamePath()
    {
        string path = _folder.File("model.bin");
        AtomicFile.Write(path, stream =>
        {
            stream.Write("first"u8);
            // Another save to the same path finishes while this one is still writing: it must not take this one's temporary file for stale.
            AtomicFile.Write(path, inner => inner.Write("second"u8));
            Assert.AreEqual("second", File.ReadAllText(path));
            stream.Write(" save"u8);
        });
        Assert.AreEqual("first save", File.ReadAllText(path));
        CollectionAssert.AreEqual(new[] { "model.bin" }, Directory.GetFiles(_folder.Path).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void TrainOutToAFifoIsRefusedAndTheFifoKept()
    {
        string fifo = _folder.File("model.zip");
        if (!TryRun("mkfifo", fifo)) Assert.Inconclusive("Skipped: mkfifo is not available.");
        var (code, output) = Hyperdpo(null, "train", "--train", LetorFile(), "--objectives", "label,feature:5:higher", "--epochs", "1", "--grid", "2", "--out", fifo);
        Assert.AreNotEqual(0, code, output);
        Assert.Contains(fifo, output);
        Assert.Contains("not a regular file", output);
        Assert.Contains("error: --out:", output, "refused by the up-front output check, as one error line");
        Assert.DoesNotContain("Hypervolume", output, "refused before training, not after");
        Assert.AreEqual("fifo", Kind(fifo));
    }

    [TestMethod]
    public void SavingAModelLeavesNoFileInTheTemporaryFolder()
    {
        // A private temporary folder for the child process: nothing else writes there.
        string temp = Directory.CreateDirectory(_folder.File("tmp")).FullName;
        string model = _folder.File("model.zip");
        var (code, output) = Hyperdpo(temp, "train", "--train", LetorFile(), "--objectives", "label,feature:5:higher", "--epochs", "1", "--grid", "2", "--out", model);
        Assert.AreEqual(0, code, output);
        Assert.IsTrue(File.Exists(model));
        // ONNX Runtime keeps one session marker of 51 bytes, .ses, in the temporary folder; nothing else may be left.
        var left = Directory.GetFileSystemEntries(temp).Select(Path.GetFileName).Where(n => n != ".ses").ToArray();
        CollectionAssert.AreEqual(Array.Empty<string>(), left, "files left in the temporary folder: " + string.Join(", ", left));
    }

    [TestMethod]
    public void SavingAndLoadingInProcessLeaveNoGraphInTheTemporaryFolder()
    {
        // A model of its own (a random seed), so that its network's bytes identify the graph files of this test alone.
        var ml = new MLContext(1);
        var data = SyntheticRanking.Load(ml, SyntheticRanking.Rows(10, 3, 6, seed: 5));
        var model = ml.Ranking.Trainers.HyperDpo(SyntheticRanking.FastOptions(epochs: 1, seed: Random.Shared.Next())).Fit(data);
        string marker;
        using (var state = new MemoryStream())
        {
            NetworkStateFormat.Write(state, model.ScoringModel.Network.Module);
            marker = Convert.ToBase64String(state.ToArray())[^60..];
        }
        string tempFolder = Path.GetTempPath();
        var before = Directory.GetFiles(tempFolder).ToHashSet();
        string path = _folder.File("model.zip");
        for (int i = 0; i < 3; i++)
        {
            ml.Model.SaveAtomically(model, data.Schema, path);
            var loaded = ml.Model.LoadHyperDpo(path);
            Assert.IsInstanceOfType<HyperDpoRankingTransformer>(loaded);
        }
        var leaked = Directory.GetFiles(tempFolder).Where(f => !before.Contains(f)).Where(f =>
        {
            try
            {
                return new FileInfo(f).Length < 10_000_000 && File.ReadAllText(f).Contains(marker, StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false;
            }
        }).ToArray();
        CollectionAssert.AreEqual(Array.Empty<string>(), leaked, "graph files of this test's model left in the temporary folder");
    }

    /// <summary>A small LETOR file: 6 queries of 6 documents with 5 features.</summary>
    private string LetorFile()
    {
        var random = new Random(3);
        string path = _folder.File("train.txt");
        File.WriteAllLines(path, Enumerable.Range(0, 36).Select(i =>
            $"{random.Next(3)} qid:{i / 6} " + string.Join(" ", Enumerable.Range(1, 5).Select(f => FormattableString.Invariant($"{f}:{random.NextDouble():F3}")))));
        return path;
    }

    /// <summary>Runs the CLI built beside the tests, with <paramref name="tempFolder"/> as its temporary folder when given.</summary>
    private (int ExitCode, string Output) Hyperdpo(string tempFolder, params string[] args)
    {
        string tool = Cli.HyperdpoProcess.Tool;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _folder.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(tool);
        foreach (string a in args) start.ArgumentList.Add(a);
        if (tempFolder is not null)
        {
            start.Environment["TMPDIR"] = tempFolder;
            // The runtime's diagnostic sockets live in the temporary folder too.
            start.Environment["DOTNET_EnableDiagnostics"] = "0";
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }
}
