using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.HyperDpo.Tests.Scoring;

namespace Microsoft.ML.HyperDpo.Tests.Persistence;

/// <summary>
/// Hostile model and checkpoint files: mutations of a valid saved model (read with <c>LoadHyperDpo</c>) and of a valid
/// checkpoint (flipped bytes, truncation, zeroed ranges, appended garbage, random bytes, empty files, other zips). Each must
/// give an <see cref="InvalidDataException"/> naming the file, or load a model that scores exactly as the original.
/// Also crafted files whose numbers ask for huge allocations (a manifest's feature count or hidden sizes, an entry's declared
/// size) and duplicate entries: refused from those numbers, before anything of that size is allocated or read.
/// </summary>
[TestClass]
public class CorruptFileFuzzTests
{
    private const int FilesPerFormat = 100;
    private static readonly TimeSpan HangBound = TimeSpan.FromSeconds(20);

    [TestMethod]
    public void CorruptModelsGiveAClearErrorOrTheSameScores() =>
        Fuzz("model", (ml, model, path) => ml.Model.SaveAtomically(model, null, path), (ml, path) => ml.Model.LoadHyperDpo(path), seed: 1);

    [TestMethod]
    public void CorruptCheckpointsGiveAClearErrorOrTheSameScores() =>
        Fuzz("checkpoint", (_, model, path) => HyperDpoCheckpoint.Save(model, path), (ml, path) => HyperDpoCheckpoint.Load(ml, path).Model, seed: 2);

    private static void Fuzz(string what, Action<MLContext, HyperDpoRankingTransformer, string> save, Func<MLContext, string, ITransformer> load, int seed)
    {
        using var temporary = new TemporaryFolder("hyperdpo-corrupt");
        string folder = temporary.Path;
        var ml = new MLContext(1);
        var data = SyntheticRanking.Load(ml, SyntheticRanking.Rows(10, 3, 8, seed: 90));
        var model = ScorerVariants.Model(ConditioningKind.FiLM).WithObjectiveWeights(0.4f, 0.6f);
        float[] expected = SyntheticRanking.Scores(model.Transform(data));
        string original = Path.Combine(folder, "original");
        save(ml, model, original);
        byte[] valid = File.ReadAllBytes(original);
        byte[] otherZip = OtherZip();

        var random = new Random(seed);
        var failures = new List<string>();
        int errors = 0, loads = 0;
        for (int i = 0; i < FilesPerFormat; i++)
        {
            byte[] bytes = Mutate(valid, otherZip, random, out string mutation);
            string path = Path.Combine(folder, $"{what}-{i:D3}");
            File.WriteAllBytes(path, bytes);
            var attempt = Task.Run<string>(() =>
            {
                try
                {
                    var loaded = load(new MLContext(2), path);
                    float[] scores = SyntheticRanking.Scores(loaded.Transform(data));
                    for (int r = 0; r < expected.Length; r++)
                        if (Math.Abs(scores[r] - expected[r]) > 1e-5f)
                            return $"loaded, but row {r} scores {scores[r]} instead of {expected[r]}";
                    return null;
                }
                catch (InvalidDataException e)
                {
                    return e.Message.Contains(path, StringComparison.Ordinal) ? "error" : $"the error does not name the file: {e.Message}";
                }
                catch (Exception e)
                {
                    return $"{e.GetType().Name}: {e.Message}";
                }
            });
            if (!attempt.Wait(HangBound))
            {
                failures.Add($"{path} ({mutation}): still loading after {HangBound.TotalSeconds} s");
                continue;
            }
            if (attempt.Result is null) loads++;
            else if (attempt.Result == "error") errors++;
            else failures.Add($"{what}-{i:D3} ({mutation}): {attempt.Result}");
        }
        Console.WriteLine($"{FilesPerFormat} corrupt {what} files: {errors} clear errors, {loads} loads with the original scores.");
        Assert.IsEmpty(failures, string.Join("\n", failures.Take(20)));
        Assert.IsGreaterThan(FilesPerFormat / 2, errors);
    }

    /// <summary>A valid checkpoint's bytes (the FiLM test model) and the scores it gives.</summary>
    private static (byte[] Bytes, IDataView Data, float[] Scores) ValidCheckpoint(TemporaryFolder folder)
    {
        var ml = new MLContext(1);
        var data = SyntheticRanking.Load(ml, SyntheticRanking.Rows(10, 3, 8, seed: 90));
        var model = ScorerVariants.Model(ConditioningKind.FiLM);
        string path = folder.File("valid.ckpt");
        HyperDpoCheckpoint.Save(model, path);
        return (File.ReadAllBytes(path), data, SyntheticRanking.Scores(model.Transform(data)));
    }

    /// <summary>The zip <paramref name="bytes"/> with its entries rewritten by <paramref name="edit"/> (name, bytes), in order.</summary>
    private static byte[] Rezip(byte[] bytes, Func<List<(string Name, byte[] Bytes)>, List<(string Name, byte[] Bytes)>> edit)
    {
        var entries = new List<(string, byte[])>();
        using (var archive = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read))
            foreach (var entry in archive.Entries)
            {
                using var stream = entry.Open();
                using var memory = new MemoryStream();
                stream.CopyTo(memory);
                entries.Add((entry.FullName, memory.ToArray()));
            }
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in edit(entries))
            {
                using var stream = archive.CreateEntry(name).Open();
                stream.Write(content);
            }
        return output.ToArray();
    }

    /// <summary>Sets the uncompressed size that the central directory and local header of <paramref name="name"/> declare.</summary>
    private static void DeclareSize(byte[] zip, string name, uint size)
    {
        int end = zip.Length - 22;
        while (BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(end)) != 0x06054b50) end--;
        int count = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(end + 10));
        int at = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(end + 16));
        for (int i = 0; i < count; i++)
        {
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(at + 28));
            int extra = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(at + 30)), comment = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(at + 32));
            if (Encoding.UTF8.GetString(zip, at + 46, nameLength) == name)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(at + 24), size);
                int local = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(at + 42));
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(local + 22), size);
                return;
            }
            at += 46 + nameLength + extra + comment;
        }
        Assert.Fail($"no entry {name}");
    }

    private static byte[] EditManifest(byte[] checkpoint, Action<JsonObject> edit) => Rezip(checkpoint, entries => entries.Select(e =>
    {
        if (e.Name != "checkpoint.json") return e;
        var json = JsonNode.Parse(e.Bytes)!.AsObject();
        edit(json);
        return (e.Name, Encoding.UTF8.GetBytes(json.ToJsonString()));
    }).ToList());

    private static InvalidDataException LoadFails(string path, params string[] expected)
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => HyperDpoCheckpoint.Load(new MLContext(1), path), path);
        Assert.Contains(path, e.Message);
        foreach (string text in expected) Assert.Contains(text, e.Message);
        return e;
    }

    [TestMethod]
    public void AManifestAskingForAHugeNetworkIsRefusedFromItsNumbers()
    {
        using var folder = new TemporaryFolder("hyperdpo-huge");
        var (valid, _, _) = ValidCheckpoint(folder);
        string features = folder.File("features.ckpt"), hidden = folder.File("hidden.ckpt");
        File.WriteAllBytes(features, EditManifest(valid, m => m["FeatureCount"] = 2_000_000_000));
        File.WriteAllBytes(hidden, EditManifest(valid, m => m["Options"]!["Network"]!["HiddenSizes"] = new JsonArray(20000, 20000)));
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        LoadFails(hidden, "hidden sizes [20000, 20000]");
        LoadFails(features, "2000000000 features");
        long grown = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        // Refused from the manifest: nothing near the 8 GB a network of 2e9 features needs was allocated.
        Assert.IsLessThan(100_000_000, grown, $"{grown:N0} bytes allocated while refusing the two files");
    }

    [TestMethod]
    public void AnEntryThatIsNotPartOfTheFormatIsNeverRead()
    {
        using var folder = new TemporaryFolder("hyperdpo-extra");
        var (valid, data, expected) = ValidCheckpoint(folder);
        // A 1 GB entry (declared) whose bytes are not even valid deflate data: reading it would fail.
        byte[] bytes = Rezip(valid, entries => [.. entries, ("padding.bin", new byte[4096])]);
        DeclareSize(bytes, "padding.bin", 1u << 30);
        string path = folder.File("extra.ckpt");
        using (var archive = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read))
            Assert.AreEqual(1L << 30, archive.GetEntry("padding.bin")!.Length);
        File.WriteAllBytes(path, Garble(bytes, "padding.bin"));
        var loaded = HyperDpoCheckpoint.Load(new MLContext(1), path);
        CollectionAssert.AreEqual(expected, SyntheticRanking.Scores(loaded.Model.Transform(data)));
    }

    /// <summary>Overwrites the compressed data of entry <paramref name="name"/> with bytes that are not valid deflate data.</summary>
    private static byte[] Garble(byte[] zip, string name)
    {
        using (var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
        {
            long compressed = archive.GetEntry(name)!.CompressedLength;
            int local = FindLocalHeader(zip, name);
            int start = local + 30 + BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(local + 26)) + BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(local + 28));
            for (int i = 0; i < compressed; i++) zip[start + i] = 0xFF;
        }
        return zip;
    }

    private static int FindLocalHeader(byte[] zip, string name)
    {
        byte[] encoded = Encoding.UTF8.GetBytes(name);
        for (int at = 0; at + 30 + encoded.Length <= zip.Length; at++)
            if (BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(at)) == 0x04034b50 && zip.AsSpan(at + 30, encoded.Length).SequenceEqual(encoded))
                return at;
        throw new AssertFailedException($"no local header for {name}");
    }

    [TestMethod]
    public void AnEntryDeclaredLargerThanTheLimitIsRefusedBeforeItIsRead()
    {
        using var folder = new TemporaryFolder("hyperdpo-3gb");
        var (valid, _, _) = ValidCheckpoint(folder);
        byte[] bytes = (byte[])valid.Clone();
        DeclareSize(bytes, "network.bin", 3_000_000_000);
        string path = folder.File("large.ckpt");
        File.WriteAllBytes(path, bytes);
        LoadFails(path, "network.bin", "3000000000 bytes");

        // A saved model zip with an entry of the same declared size.
        var ml = new MLContext(1);
        string model = folder.File("model.zip");
        ml.Model.SaveAtomically(ScorerVariants.Model(ConditioningKind.FiLM), null, model);
        byte[] zip = Rezip(File.ReadAllBytes(model), entries => entries);
        string name = new ZipArchive(new MemoryStream(zip)).Entries.First(e => e.Length > 100).FullName;
        DeclareSize(zip, name, 3_000_000_000);
        File.WriteAllBytes(model, zip);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ml.Model.LoadHyperDpo(model));
        Assert.Contains(model, e.Message);
        Assert.Contains("3000000000 bytes", e.Message);
    }

    [TestMethod]
    public void ADuplicateEntryIsAnInvalidDataException()
    {
        using var folder = new TemporaryFolder("hyperdpo-duplicate");
        var (valid, _, _) = ValidCheckpoint(folder);
        foreach (string entry in new[] { "checkpoint.json", "network.bin" })
        {
            string path = folder.File($"duplicate-{entry}.ckpt");
            File.WriteAllBytes(path, Rezip(valid, entries => [.. entries, entries.First(e => e.Name == entry)]));
            LoadFails(path, $"two entries named '{entry}'");
        }
        var ml = new MLContext(1);
        string model = folder.File("model.zip");
        ml.Model.SaveAtomically(ScorerVariants.Model(ConditioningKind.FiLM), null, model);
        File.WriteAllBytes(model, Rezip(File.ReadAllBytes(model), entries => [.. entries, entries[^1]]));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ml.Model.LoadHyperDpo(model));
        Assert.Contains(model, e.Message);
        Assert.Contains("two entries named", e.Message);
    }

    /// <summary>A zip that is neither a model nor a checkpoint.</summary>
    private static byte[] OtherZip()
    {
        using var memory = new MemoryStream();
        using (var archive = new System.IO.Compression.ZipArchive(memory, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            foreach (string name in new[] { "checkpoint.json", "Model/Model.key", "readme.txt" })
            {
                using var entry = archive.CreateEntry(name).Open();
                entry.Write("{\"Format\": \"something else\"}"u8);
            }
        return memory.ToArray();
    }

    private static byte[] Mutate(byte[] valid, byte[] otherZip, Random random, out string mutation)
    {
        byte[] bytes = (byte[])valid.Clone();
        switch (random.Next(8))
        {
            case 0:
                mutation = "bytes flipped";
                for (int n = random.Next(1, 9); n > 0; n--) bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
                return bytes;
            case 1:
                mutation = "truncated";
                return bytes[..random.Next(0, bytes.Length)];
            case 2:
            {
                mutation = "range zeroed";
                int start = random.Next(bytes.Length);
                Array.Clear(bytes, start, Math.Min(bytes.Length - start, random.Next(1, 4096)));
                return bytes;
            }
            case 3:
            {
                mutation = "garbage appended";
                var tail = new byte[random.Next(1, 2048)];
                random.NextBytes(tail);
                return bytes.Concat(tail).ToArray();
            }
            case 4:
            {
                mutation = "random bytes";
                var noise = new byte[random.Next(0, 8192)];
                random.NextBytes(noise);
                return noise;
            }
            case 5:
                mutation = random.Next(2) == 0 ? "empty file" : "text";
                return mutation == "text" ? "label qid:1 1:0.5\n"u8.ToArray() : [];
            case 6:
                mutation = "another zip";
                return otherZip;
            default:
            {
                mutation = "one byte of the middle third flipped";
                int at = bytes.Length / 3 + random.Next(bytes.Length / 3);
                bytes[at] ^= (byte)(1 << random.Next(8));
                return bytes;
            }
        }
    }
}
