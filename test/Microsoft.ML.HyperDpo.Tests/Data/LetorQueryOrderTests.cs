using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo.Tests.Data;

/// <summary>
/// <c>LoadLetorFiles</c> refuses, where it reads them, an empty file and a query whose lines start again after another query's
/// (ML.NET's rankers and evaluators read a query as one run of rows), naming the file and the line.
/// </summary>
[TestClass]
public class LetorQueryOrderTests
{
    private static TemporaryFolder _folder;

    [ClassInitialize]
    public static void CreateFolder(TestContext _) => _folder = new TemporaryFolder("hyperdpo-letor-order");

    [ClassCleanup]
    public static void DeleteFolder() => _folder.Dispose();

    private static string Write(string name, params string[] lines)
    {
        string path = _folder.File(name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [TestMethod]
    public void AQueryThatStartsAgainIsRefusedWithItsLine()
    {
        string path = Write("again.txt", "1 qid:4 1:0.1", "0 qid:4 1:0.2", "# a comment", "2 qid:9 1:0.3", "0 qid:4 1:0.4");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => new MLContext(1).Data.LoadLetorFiles(path));
        Assert.AreEqual($"LETOR file '{path}', line 5, token 'qid:4': query 4 starts again after other queries (its first line is line 1 of '{path}'); " +
            "expected each query's documents on consecutive lines (sort the file by qid, keeping each query's lines together).", e.Message);
        Assert.ThrowsExactly<InvalidDataException>(() => LetorTextLoader.FeatureCount(path));
    }

    [TestMethod]
    public void AcrossTheFilesOfOneLoad_AQueryMustBeOneRun()
    {
        string first = Write("first.txt", "1 qid:1 1:0.1", "0 qid:2 1:0.2");
        string again = Write("again-later.txt", "1 qid:3 1:0.1", "0 qid:1 1:0.2");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => new MLContext(1).Data.LoadLetorFiles(first, again));
        StringAssert.StartsWith(e.Message, $"LETOR file '{again}', line 2, token 'qid:1': query 1 starts again after other queries (its first line is line 1 of '{first}')");

        // A query that continues at the top of the next file is still one run of rows, as ML.NET reads it.
        string continues = Write("continues.txt", "1 qid:2 1:0.5", "0 qid:7 1:0.6");
        var view = new MLContext(1).Data.LoadLetorFiles(first, continues);
        var groups = view.GetColumn<ulong>(view.Schema["GroupId"]).ToArray();
        CollectionAssert.AreEqual(new ulong[] { 2, 3, 3, 8 }, groups);

        // Files checked one by one (the feature count of train and test together) may share a query id.
        Assert.AreEqual(1, LetorTextLoader.FeatureCount(first, first));
    }

    [TestMethod]
    public void AnEmptyFileIsRefusedByName_EvenBesideOthers()
    {
        string data = Write("data.txt", "1 qid:1 1:0.1", "0 qid:1 1:0.2");
        foreach (string[] text in new[] { Array.Empty<string>(), new[] { "", "   ", "# docs only" } })
        {
            string empty = Write("empty.txt", text);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => new MLContext(1).Data.LoadLetorFiles(46, data, empty));
            Assert.AreEqual($"LETOR file '{empty}' holds no data line (it is empty, or holds only blank and comment lines); expected lines '<label> qid:<id> <feature id>:<value> ... [#comment]'.", e.Message);
            Assert.ThrowsExactly<InvalidDataException>(() => LetorTextLoader.FeatureCount(empty));
        }
    }
}
