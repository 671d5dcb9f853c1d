using Microsoft.ML.HyperDpo.Tests.Scoring;

namespace Microsoft.ML.HyperDpo.Tests.Persistence;

/// <summary>
/// Hostile model and checkpoint files: mutations of a valid saved model (read with <c>LoadHyperDpo</c>) and of a valid
/// checkpoint (flipped bytes, truncation, zeroed ranges, appended garbage, random bytes, empty files, other zips). Each must
/// give an <see cref="InvalidDataException"/> naming the file, or load a model that scores exactly as the original.
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
