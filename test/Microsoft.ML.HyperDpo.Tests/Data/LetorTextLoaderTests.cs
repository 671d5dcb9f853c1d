using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo.Tests.Data;

[TestClassWithSkipReasons]
public class LetorTextLoaderTests
{
    /// <summary>One data line parsed independently of the loader: plain string splitting.</summary>
    private sealed record TextRow(float Label, long Qid, Dictionary<int, float> Features, string Comment);

    private static List<TextRow> ParseText(string path)
    {
        var rows = new List<TextRow>();
        foreach (string raw in File.ReadLines(path))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            int hash = line.IndexOf('#');
            string comment = hash < 0 ? "" : line[(hash + 1)..];
            string[] tokens = (hash < 0 ? line : line[..hash]).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var features = new Dictionary<int, float>();
            long qid = -1;
            foreach (string token in tokens.Skip(1))
            {
                string[] kv = token.Split(':');
                if (kv[0] == "qid")
                    qid = long.Parse(kv[1], CultureInfo.InvariantCulture);
                else
                    features[int.Parse(kv[0], CultureInfo.InvariantCulture)] = float.Parse(kv[1], CultureInfo.InvariantCulture);
            }
            rows.Add(new TextRow(float.Parse(tokens[0], CultureInfo.InvariantCulture), qid, features, comment));
        }
        return rows;
    }

    internal sealed record LoadedRow(float Label, ulong GroupKey, float[] Features, bool Dense, string Comment);

    /// <summary>Every row of a loaded LETOR view, read through one cursor.</summary>
    internal static List<LoadedRow> ReadAll(IDataView view)
    {
        var rows = new List<LoadedRow>();
        var schema = view.Schema;
        using var cursor = view.GetRowCursor(schema);
        var label = cursor.GetGetter<float>(schema["Label"]);
        var group = cursor.GetGetter<ulong>(schema["GroupId"]);
        var features = cursor.GetGetter<VBuffer<float>>(schema["Features"]);
        var comment = cursor.GetGetter<ReadOnlyMemory<char>>(schema["Comment"]);
        float l = 0;
        ulong g = 0;
        VBuffer<float> f = default;
        ReadOnlyMemory<char> c = default;
        while (cursor.MoveNext())
        {
            label(ref l);
            group(ref g);
            features(ref f);
            comment(ref c);
            rows.Add(new LoadedRow(l, g, f.DenseValues().ToArray(), f.IsDense, c.ToString()));
        }
        return rows;
    }

    private static void AssertMatchesText(List<TextRow> expected, List<LoadedRow> actual, int featureCount)
    {
        Assert.HasCount(expected.Count, actual);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.AreEqual(expected[i].Label, actual[i].Label, $"label of row {i}");
            Assert.AreEqual((ulong)expected[i].Qid + 1, actual[i].GroupKey, $"group key of row {i} (qid {expected[i].Qid})");
            Assert.AreEqual(expected[i].Comment, actual[i].Comment, $"comment of row {i}");
            Assert.IsTrue(actual[i].Dense, $"features of row {i} are handed out densely");
            Assert.HasCount(featureCount, actual[i].Features);
            for (int slot = 0; slot < featureCount; slot++)
                Assert.AreEqual(expected[i].Features.GetValueOrDefault(slot + 1), actual[i].Features[slot], $"feature {slot + 1} of row {i}");
        }
    }

    private static string TempFile(string text)
    {
        string path = Path.Combine(Path.GetTempPath(), $"letor-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, text);
        return path;
    }

    [TestMethod]
    public void Mq2008_S1_EveryLabelFeatureCommentAndGroupMatchesTheText()
    {
        string path = SharedData.RequireFile("letor4-mq2008/S1.txt");
        var expected = ParseText(path);
        var view = new MLContext(seed: 1).Data.LoadLetorFiles(path);

        Assert.HasCount(2933, expected, "row count stated in SOURCE.md");
        Assert.AreEqual(2933L, view.GetRowCount());
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 46), view.Schema["Features"].Type);
        Assert.AreEqual(NumberDataViewType.Single, view.Schema["Label"].Type);
        Assert.IsInstanceOfType<KeyDataViewType>(view.Schema["GroupId"].Type);
        Assert.AreEqual(TextDataViewType.Instance, view.Schema["Comment"].Type);

        // Read several times: ML.NET's own cursors on this file fail or mix rows at random (thread race).
        for (int pass = 0; pass < 3; pass++)
            AssertMatchesText(expected, ReadAll(view), 46);

        var actual = ReadAll(view);
        Assert.AreEqual("docid = GX008-86-4444840 inc = 1 prob = 0.086622", actual[0].Comment);
        Assert.AreEqual(0.007477f, actual[0].Features[0]);
        Assert.AreEqual(0.007042f, actual[0].Features[45]);
        // Rows of one qid share one key, rows of different qids never do.
        var keysByQid = expected.Select((row, i) => (row.Qid, actual[i].GroupKey)).Distinct().ToList();
        Assert.HasCount(157, keysByQid, "157 queries in S1 (SOURCE.md), one key each");
        Assert.HasCount(157, keysByQid.Select(p => p.GroupKey).Distinct());
    }

    [TestMethod]
    public void Mq2008_TwoCursorsOnTwoThreadsAtOnce_BothMatchTheText()
    {
        string path = SharedData.RequireFile("letor4-mq2008/S1.txt");
        var expected = ParseText(path);
        var view = new MLContext(seed: 1).Data.LoadLetorFiles(path);
        var reads = Enumerable.Range(0, 2).Select(_ => Task.Run(() => ReadAll(view))).ToArray();
        Task.WaitAll(reads);
        foreach (var read in reads)
            AssertMatchesText(expected, read.Result, 46);
    }

    [TestMethod]
    public void Mq2008_ThreeFilesReadAsOneViewInTheGivenOrder()
    {
        string[] paths = ["letor4-mq2008/S3.txt", "letor4-mq2008/S1.txt", "letor4-mq2008/S2.txt"];
        paths = paths.Select(SharedData.RequireFile).ToArray();
        var expected = paths.SelectMany(ParseText).ToList();
        var view = new MLContext(seed: 1).Data.LoadLetorFiles(paths);

        Assert.HasCount(3062 + 2933 + 3635, expected);
        Assert.AreEqual((long)expected.Count, view.GetRowCount());
        AssertMatchesText(expected, ReadAll(view), 46);
    }

    public sealed class NoInput
    {
    }

    public sealed class RandomScore
    {
        public float Score { get; set; }
    }

    [TestMethod]
    public void Mq2008_Fold1_FastTreeTrainsOnTheLoadedView()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadLetorFiles(46, SharedData.RequireFile("letor4-mq2008/S1.txt"), SharedData.RequireFile("letor4-mq2008/S2.txt"), SharedData.RequireFile("letor4-mq2008/S3.txt"));
        var test = ml.Data.LoadLetorFiles(46, SharedData.RequireFile("letor4-mq2008/S5.txt"));
        var model = ml.Ranking.Trainers.FastTree(new Microsoft.ML.Trainers.FastTree.FastTreeRankingTrainer.Options { NumberOfTrees = 50, NumberOfLeaves = 10 }).Fit(train);
        var learnt = ml.Ranking.Evaluate(model.Transform(test));

        var random = new Random(3);
        var scored = ml.Transforms.CustomMapping<NoInput, RandomScore>((_, output) => { lock (random) output.Score = (float)random.NextDouble(); }, contractName: null)
            .Fit(test).Transform(test);
        var baseline = ml.Ranking.Evaluate(scored);

        double ndcgLearnt = learnt.NormalizedDiscountedCumulativeGains[9], ndcgRandom = baseline.NormalizedDiscountedCumulativeGains[9];
        Assert.IsGreaterThan(ndcgRandom + 0.1, ndcgLearnt, $"NDCG@10 on S5: FastTree {ndcgLearnt:F3}, random {ndcgRandom:F3}");
    }

    [TestMethod]
    public void Mslr_CrlfFixtureWith136FeaturesAndNoComments()
    {
        string path = SharedData.RequireFile("mslr-web10k-sample-1query/sample_text.txt");
        Assert.Contains("\r\n", File.ReadAllText(path), "the fixture has CRLF line ends");
        var expected = ParseText(path);
        var view = new MLContext(seed: 1).Data.LoadLetorFiles(path);

        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 136), view.Schema["Features"].Type);
        var actual = ReadAll(view);
        AssertMatchesText(expected, actual, 136);
        Assert.HasCount(100, actual);
        CollectionAssert.AreEqual(new[] { 34, 38, 22, 6 }, Enumerable.Range(0, 4).Select(g => actual.Count(r => r.Label == g)).ToArray());
        Assert.IsTrue(actual.All(r => r.GroupKey == 14), "qid 13 is key 14");
    }

    [TestMethod]
    public void GivenFeatureCountLongerThanTheFile_PadsWithZeros()
    {
        string path = SharedData.RequireFile("mslr-web10k-sample-1query/sample_text.txt");
        var view = new MLContext(seed: 1).Data.LoadLetorFiles(140, path);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 140), view.Schema["Features"].Type);
        var expected = ParseText(path);
        var actual = ReadAll(view);
        Assert.AreEqual(expected[5].Features[136], actual[5].Features[135]);
        Assert.IsTrue(actual.All(r => r.Features[136..].All(v => v == 0)));
    }

    [TestMethod]
    public void CommentAndBlankLinesAreSkippedAndMissingFeaturesAreZero()
    {
        string path = TempFile("# header line\n\n2 qid:7 1:0.5 3:-1.5e2 #doc A\n   \n0\tqid:7\t2:4 cost:2\n1 qid:0 3:1\n");
        try
        {
            var view = new MLContext(seed: 1).Data.LoadLetorFiles(path);
            Assert.AreEqual(3L, view.GetRowCount());
            var rows = ReadAll(view);
            Assert.HasCount(3, rows);
            CollectionAssert.AreEqual(new[] { 0.5f, 0f, -150f }, rows[0].Features);
            CollectionAssert.AreEqual(new[] { 0f, 4f, 0f }, rows[1].Features);
            CollectionAssert.AreEqual(new[] { 0f, 0f, 1f }, rows[2].Features);
            CollectionAssert.AreEqual(new ulong[] { 8, 8, 1 }, rows.Select(r => r.GroupKey).ToArray());
            Assert.AreEqual("doc A", rows[0].Comment);

            var weights = view.GetColumn<float>("Weight").ToArray();
            CollectionAssert.AreEqual(new[] { 1f, 2f, 1f }, weights);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void MissingFile_IsFileNotFoundNamingIt()
    {
        string path = Path.Combine(Path.GetTempPath(), $"no-such-letor-{Guid.NewGuid():N}.txt");
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => new MLContext(seed: 1).Data.LoadLetorFiles(path));
        Assert.AreEqual(path, e.FileName);
        Assert.Contains(Path.GetFileName(path), e.Message);
    }

    [TestMethod]
    public void MlNetItself_SilentlyReadsABadValueAsZero()
    {
        // Characterises ML.NET 5.0.1, which is why the loader checks the text first.
        string path = TempFile("1 qid:5 1:0.5 2:1 3:2\n0 qid:5 1:1 2:2 3:abc\n");
        try
        {
            var view = new MLContext(seed: 1).Data.LoadFromSvmLightFile(path, inputSize: 3, zeroBased: false);
            var features = view.GetColumn<VBuffer<float>>("Features").Select(v => v.DenseValues().ToArray()).ToList();
            CollectionAssert.AreEqual(new[] { 1f, 2f, 0f }, features[1]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    [DataRow("1 qid:5 3:abc", "3:abc", "not a finite decimal number")]
    [DataRow("1 qid:5 3:NaN", "3:NaN", "not a finite decimal number")]
    [DataRow("1 qid:5 3:1e40", "3:1e40", "not a finite decimal number")]
    [DataRow("1 qid:5 0:1.5", "0:1.5", "feature id 0")]
    [DataRow("1 qid:5 x:1.5", "x:1.5", "not a positive integer")]
    [DataRow("1 qid:5 2:1 2:3", "2:3", "appears twice")]
    [DataRow("1 qid:5 2:1 foo", "foo", "no ':'")]
    [DataRow("abc qid:5 2:1", "abc", "label")]
    [DataRow("1 qid:-5 2:1", "qid:-5", "query id")]
    [DataRow("1 qid:5 qid:6 2:1", "qid:6", "second qid")]
    [DataRow("1 qid:5 sid:2 2:1", "sid:2", "sid")]
    [DataRow("1 2:1", "qid", "no 'qid:<id>'")]
    public void BadLine_NamesFileLineAndToken(string badLine, string token, string problem)
    {
        string path = TempFile($"# header\n0 qid:5 1:0.25 2:0.5\n{badLine}\n");
        try
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => new MLContext(seed: 1).Data.LoadLetorFiles(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("line 3", e.Message);
            Assert.Contains(token, e.Message);
            Assert.Contains(problem, e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void FeatureIdBeyondTheGivenCount_IsReported()
    {
        string path = TempFile("0 qid:5 1:0.25 2:0.5\n1 qid:5 1:1 47:0.5\n");
        try
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => new MLContext(seed: 1).Data.LoadLetorFiles(46, path));
            Assert.Contains("line 2", e.Message);
            Assert.Contains("47:0.5", e.Message);
            Assert.Contains("beyond the feature count 46", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void BadArguments_AreRejected()
    {
        var data = new MLContext(seed: 1).Data;
        Assert.ThrowsExactly<ArgumentException>(() => data.LoadLetorFiles());
        Assert.ThrowsExactly<ArgumentException>(() => data.LoadLetorFiles(""));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => data.LoadLetorFiles(0, "x.txt"));
    }

    [TestMethod]
    public void FeatureCountIsTheLargestFeatureIdOfTheFiles()
    {
        Assert.AreEqual(46, LetorTextLoader.FeatureCount(SharedData.RequireFile("letor4-mq2008/S1.txt"), SharedData.RequireFile("letor4-mq2008/S5.txt")));
        Assert.AreEqual(136, LetorTextLoader.FeatureCount(SharedData.RequireFile("mslr-web10k-sample-1query/sample_text.txt")));
        Assert.ThrowsExactly<FileNotFoundException>(() => LetorTextLoader.FeatureCount("no-such-file.txt"));
    }
}
