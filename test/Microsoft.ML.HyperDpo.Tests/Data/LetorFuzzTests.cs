using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo.Tests.Data;

/// <summary>
/// Hostile LETOR / SVMlight input: 1,000 files made by mutating a valid one (truncation, bad numbers, NaN and infinity,
/// huge, zero and negative feature ids, missing or doubled qid, CRLF and lone CR, binary garbage, empty files...). Each
/// must give an <see cref="InvalidDataException"/> naming the file (and the line, where there is one), or be read exactly
/// as an independent parse of its text says; none may throw anything else or hang.
/// </summary>
[TestClass]
public class LetorFuzzTests
{
    private const int Files = 1000;

    /// <summary>A hang detector, not a speed goal: a file of a few kilobytes loads in milliseconds.</summary>
    private static readonly TimeSpan HangBound = TimeSpan.FromSeconds(10);

    private static readonly string[] BadNumbers =
        ["", "-", "+", ".", "1.2.3", "abc", "NaN", "nan", "Inf", "-Infinity", "∞", "1e40", "-1e39", "0x1F", "1,5", "1e", "e5", "--1", "1_000", "٣"];

    private static readonly string[] Indices =
        ["0", "-1", "-46", "47", "4294967295", "4294967296", "2147483647", "2147483648", "99999999999999999999", "1048577", "00003", "+3", "3.0", "a", ""];

    [TestMethod]
    public void MutatedFilesGiveAClearErrorOrACorrectRead()
    {
        using var temporary = new TemporaryFolder("hyperdpo-fuzz");
        string folder = temporary.Path;
        var random = new Random(20261201);
        string valid = ValidFile(random);
        int errors = 0, reads = 0;
        var slowest = TimeSpan.Zero;
        var failures = new List<string>();
        for (int i = 0; i < Files; i++)
        {
            byte[] bytes = Mutate(valid, random, out string mutation);
            string path = Path.Combine(folder, $"fuzz-{i:D4}.txt");
            File.WriteAllBytes(path, bytes);
            var clock = Stopwatch.StartNew();
            var attempt = Task.Run(() => Outcome(path, bytes));
            if (!attempt.Wait(HangBound))
            {
                failures.Add($"{path} ({mutation}): still loading after {HangBound.TotalSeconds} s");
                continue;
            }
            // The first file also pays for JIT and ML.NET's start-up.
            if (i > 0 && clock.Elapsed > slowest) slowest = clock.Elapsed;
            string failure = attempt.Result;
            if (failure is null) reads++;
            else if (failure == "error") errors++;
            else failures.Add($"fuzz-{i:D4} ({mutation}): {failure}");
        }
        Console.WriteLine($"{Files} mutated files: {errors} clear errors, {reads} correct reads, slowest after the first {slowest.TotalMilliseconds:F0} ms.");
        Assert.IsEmpty(failures, string.Join("\n", failures.Take(20)));
        Assert.IsGreaterThan(100, errors, "most mutations break the file");
        Assert.IsGreaterThan(20, reads, "some mutations keep it valid (CRLF, comments, reordered tokens)");
    }

    /// <summary>A line longer than <see cref="LetorTextLoader.MaxLineLength"/> is refused while it is read, naming the file and line.</summary>
    private static void AssertLineTooLong(string path, int line)
    {
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => new MLContext(1).Data.LoadLetorFiles(path), path);
        long grown = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        Assert.Contains($"'{path}'", e.Message);
        Assert.Contains($"line {line}", e.Message);
        Assert.Contains($"longer than {LetorTextLoader.MaxLineLength:N0} characters", e.Message);
        Assert.IsLessThan(1000, e.Message.Length, "the message does not quote the line");
        // The line is never held whole: what is allocated is a small multiple of the limit, not of the file.
        Assert.IsLessThan(8L * LetorTextLoader.MaxLineLength + 50_000_000, grown, $"{grown:N0} bytes allocated");
    }

    [TestMethod]
    public void ALineLongerThanTheLimitIsRefusedNamingTheFileAndLine()
    {
        using var temporary = new TemporaryFolder("hyperdpo-long-line");
        // A valid-looking line padded with spaces past the limit, after a good line.
        string padded = temporary.File("padded.txt");
        File.WriteAllText(padded, "1 qid:1 1:0.5\n0 qid:1 " + new string(' ', LetorTextLoader.MaxLineLength) + " 1:0.25\n");
        AssertLineTooLong(padded, 2);

        // A sparse 2 GB file of zero bytes and no newline (what a disk image or a wrong path gives).
        string sparse = temporary.File("sparse.txt");
        using (var stream = new FileStream(sparse, FileMode.CreateNew))
            stream.SetLength(2L << 30);
        AssertLineTooLong(sparse, 1);

        // An endless stream without a newline, read only.
        if (File.Exists("/dev/zero")) AssertLineTooLong("/dev/zero", 1);
    }

    /// <summary>Null for a correct read, "error" for a clear error, otherwise what went wrong.</summary>
    private static string Outcome(string path, byte[] bytes)
    {
        List<LetorTextLoaderTests.LoadedRow> loaded;
        try
        {
            var view = new MLContext(1).Data.LoadLetorFiles(path);
            loaded = LetorTextLoaderTests.ReadAll(view);
        }
        catch (InvalidDataException e)
        {
            if (!e.Message.Contains(path, StringComparison.Ordinal))
                return $"the error does not name the file: {e.Message}";
            bool noDataLine = e.Message.Contains("hold no feature token", StringComparison.Ordinal) || e.Message.Contains("holds no data line", StringComparison.Ordinal);
            return noDataLine || e.Message.Contains(", line ", StringComparison.Ordinal) ? "error" : $"the error names no line: {e.Message}";
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
        var expected = Parse(bytes);
        if (expected is null)
            return "the loader accepted a file that the reference parse rejects";
        if (expected.Count != loaded.Count)
            return $"{loaded.Count} rows read; the text has {expected.Count}";
        int width = expected.SelectMany(r => r.Features.Keys).DefaultIfEmpty(0).Max();
        for (int r = 0; r < expected.Count; r++)
        {
            var (label, qid, features, comment) = expected[r];
            var row = loaded[r];
            if (row.Label != label || row.GroupKey != (ulong)qid + 1 || row.Comment != comment || row.Features.Length != width)
                return $"row {r} read as ({row.Label}, group {row.GroupKey}, {row.Features.Length} features, '{row.Comment}'); the text says ({label}, qid {qid}, {width} features, '{comment}')";
            for (int j = 0; j < width; j++)
                if (row.Features[j] != features.GetValueOrDefault(j + 1))
                    return $"row {r} feature {j + 1} read as {row.Features[j]}; the text says {features.GetValueOrDefault(j + 1)}";
        }
        return null;
    }

    /// <summary>
    /// An independent, strict parse of the documented grammar: lines end at LF, CRLF or CR; blank and '#' lines are
    /// skipped; then 'label qid:N [cost:w] i:v ... [#comment]' with space or tab separators, plain decimal numbers,
    /// distinct ids >= 1. Null when the text breaks the grammar.
    /// </summary>
    private static List<(float Label, long Qid, Dictionary<int, float> Features, string Comment)> Parse(byte[] bytes)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        if (text.StartsWith('\uFEFF')) text = text[1..];
        var rows = new List<(float, long, Dictionary<int, float>, string)>();
        foreach (string raw in text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            int hash = line.IndexOf('#');
            string comment = hash < 0 ? "" : line[(hash + 1)..];
            string[] tokens = (hash < 0 ? line : line[..hash]).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (!Number(tokens[0], out float label)) return null;
            long qid = -1;
            var features = new Dictionary<int, float>();
            foreach (string token in tokens.Skip(1))
            {
                string[] kv = token.Split(':');
                if (kv.Length != 2) return null;
                if (kv[0] == "qid")
                {
                    if (qid >= 0 || !kv[1].All(char.IsAsciiDigit) || !long.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out qid)) return null;
                }
                else if (!kv[0].All(char.IsAsciiDigit) || !int.TryParse(kv[0], NumberStyles.None, CultureInfo.InvariantCulture, out int id) || id < 1
                    || !Number(kv[1], out float value) || !features.TryAdd(id, value))
                    return null;
            }
            if (qid < 0) return null;
            rows.Add((label, qid, features, comment));
        }
        return rows;
    }

    private static bool Number(string s, out float value)
    {
        value = 0;
        return s.Length > 0 && s.All(c => char.IsAsciiDigit(c) || c is '+' or '-' or '.' or 'e' or 'E')
            && float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value);
    }

    /// <summary>A valid file: 6 queries of 3..8 documents, 46 features, some left out (sparse lines), MQ2008-style comments.</summary>
    private static string ValidFile(Random random)
    {
        var text = new StringBuilder();
        for (int q = 0; q < 6; q++)
            for (int d = random.Next(3, 9); d > 0; d--)
            {
                text.Append(random.Next(0, 3)).Append(" qid:").Append(10 + q);
                for (int f = 1; f <= 46; f++)
                    if (f == 46 || random.NextDouble() < 0.8)
                        text.Append(' ').Append(f).Append(':').Append((random.NextDouble() * 2 - 0.5).ToString("0.######", CultureInfo.InvariantCulture));
                text.Append(" #docid = GX").Append(random.Next(1000, 9999)).Append('\n');
            }
        return text.ToString();
    }

    private static byte[] Mutate(string valid, Random random, out string mutation)
    {
        var lines = valid.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        int kind = random.Next(16);
        int at = random.Next(lines.Count);
        string[] tokens = lines[at].Split(' ');
        int token = random.Next(1, Math.Max(2, tokens.Length - 3));
        string Join() => string.Join("\n", lines) + "\n";
        void SetToken(string value)
        {
            tokens[token] = value;
            lines[at] = string.Join(' ', tokens);
        }
        switch (kind)
        {
            case 0:
                mutation = "empty file";
                return random.Next(3) switch { 0 => [], 1 => "\n\n   \n"u8.ToArray(), _ => "# only a comment\r\n"u8.ToArray() };
            case 1:
                mutation = "file cut at a random byte";
                return Encoding.UTF8.GetBytes(valid)[..random.Next(1, valid.Length)];
            case 2:
                mutation = "line cut short";
                lines[at] = lines[at][..random.Next(0, lines[at].Length)];
                return Encoding.UTF8.GetBytes(Join());
            case 3:
                mutation = "bad feature value";
                SetToken(tokens[token].Split(':')[0] + ":" + BadNumbers[random.Next(BadNumbers.Length)]);
                return Encoding.UTF8.GetBytes(Join());
            case 4:
                mutation = "bad label";
                tokens[0] = BadNumbers[random.Next(BadNumbers.Length)];
                lines[at] = string.Join(' ', tokens);
                return Encoding.UTF8.GetBytes(Join());
            case 5:
                mutation = "odd feature id";
                SetToken(Indices[random.Next(Indices.Length)] + ":0.5");
                return Encoding.UTF8.GetBytes(Join());
            case 6:
                mutation = "qid missing, doubled or bad";
                lines[at] = random.Next(4) switch
                {
                    0 => lines[at].Replace(tokens[1] + " ", ""),
                    1 => lines[at].Replace(tokens[1], tokens[1] + " qid:3"),
                    2 => lines[at].Replace(tokens[1], "qid:-4"),
                    _ => lines[at].Replace(tokens[1], "qid:" + BadNumbers[random.Next(BadNumbers.Length)]),
                };
                return Encoding.UTF8.GetBytes(Join());
            case 7:
                mutation = "CRLF line ends";
                return Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + (random.Next(2) == 0 ? "\r\n" : ""));
            case 8:
                mutation = "lone CR inside a line";
                lines[at] = lines[at].Insert(random.Next(lines[at].Length), "\r");
                return Encoding.UTF8.GetBytes(Join());
            case 9:
            {
                mutation = "binary garbage";
                byte[] bytes = Encoding.UTF8.GetBytes(Join());
                int start = random.Next(bytes.Length), count = random.Next(1, 64);
                for (int i = start; i < Math.Min(bytes.Length, start + count); i++) bytes[i] = (byte)random.Next(256);
                return bytes;
            }
            case 10:
            {
                mutation = "all binary";
                var bytes = new byte[random.Next(1, 4096)];
                random.NextBytes(bytes);
                return bytes;
            }
            case 11:
                mutation = "repeated feature id";
                SetToken(tokens[token] + " " + tokens[token]);
                return Encoding.UTF8.GetBytes(Join());
            case 12:
                mutation = "tabs, extra spaces, comment lines, blank lines";
                lines[at] = "  " + lines[at].Replace(" ", random.Next(2) == 0 ? "\t" : "   ") + " \t";
                lines.Insert(random.Next(lines.Count), random.Next(2) == 0 ? "# a comment" : "   ");
                return Encoding.UTF8.GetBytes(Join());
            case 13:
                mutation = "features reordered, BOM";
                lines[at] = string.Join(' ', tokens.Take(2).Concat(tokens.Skip(2).TakeWhile(t => !t.StartsWith('#')).Reverse()).Concat(tokens.SkipWhile(t => !t.StartsWith('#'))));
                return Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(Join())).ToArray();
            case 14:
                mutation = "token without colon, or with two";
                SetToken(random.Next(2) == 0 ? tokens[token].Replace(":", "") : tokens[token] + ":1");
                return Encoding.UTF8.GetBytes(Join());
            default:
                mutation = "NUL and control characters";
                lines[at] = lines[at].Insert(random.Next(lines[at].Length), random.Next(3) switch { 0 => "\0", 1 => "\u000b", _ => "\u00a0" });
                return Encoding.UTF8.GetBytes(Join());
        }
    }
}
