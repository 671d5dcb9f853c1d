using Microsoft.ML.HyperDpo.Data;

namespace Microsoft.ML.HyperDpo.Tests.Data;

[TestClass]
public class ListwiseDataTests
{
    /// <summary>
    /// Rows whose features say who they are: feature 0 = source row number, feature 1 = query, feature 2 = 0.5 * row,
    /// feature 3 = -row; labels A = row % 5 and B = (row / 2) % 3.
    /// </summary>
    private static RankingRow Row(int row, uint query) => new()
    {
        Features = new[] { row, query, 0.5f * row, -row },
        RelevanceA = row % 5,
        RelevanceB = row / 2 % 3,
        QueryId = query,
    };

    private static ListwiseDataset Read(MLContext mlContext, IEnumerable<RankingRow> rows) =>
        ListwiseDataset.Read(SyntheticRanking.Load(mlContext, rows), "Features", SyntheticRanking.Labels, "GroupId", null, "test data");

    [TestMethod]
    public void NonContiguousGroupsAreGatheredWithFeaturesAndLabelsAligned()
    {
        var random = new Random(5);
        uint[] queryOfRow = Enumerable.Range(0, 200).Select(_ => (uint)random.Next(1, 9)).ToArray();
        var data = Read(new MLContext(1), queryOfRow.Select((q, r) => Row(r, q)));

        uint[] firstAppearance = queryOfRow.Distinct().ToArray();
        Assert.AreEqual(firstAppearance.Length, data.ListCount);
        Assert.AreEqual(200, data.RowCount);
        Assert.AreEqual(4, data.FeatureCount);
        Assert.AreEqual(2, data.ObjectiveCount);
        var seen = new HashSet<int>();
        for (int list = 0; list < data.ListCount; list++)
        {
            int previous = -1;
            for (int row = data.ListStarts[list]; row < data.ListStarts[list + 1]; row++)
            {
                var f = data.Features.AsSpan(row * 4, 4);
                int source = (int)f[0];
                Assert.AreEqual((float)firstAppearance[list], f[1], $"row {row} of list {list} belongs to another query");
                Assert.AreEqual(queryOfRow[source], (uint)f[1]);
                Assert.AreEqual(0.5f * source, f[2]);
                Assert.AreEqual(-source, f[3]);
                Assert.AreEqual(source % 5, data.Label(row, 0), $"objective A label of source row {source}");
                Assert.AreEqual(source / 2 % 3, data.Label(row, 1), $"objective B label of source row {source}");
                Assert.AreEqual(0f, data.ReferenceScores[row]);
                Assert.IsGreaterThan(previous, source, "rows of a query keep their relative order");
                previous = source;
                Assert.IsTrue(seen.Add(source));
            }
            Assert.AreEqual(queryOfRow.Count(q => q == firstAppearance[list]), data.ListLength(list));
        }
        Assert.HasCount(200, seen);
    }

    private static readonly int[] ListLengths = { 1, 2, 3, 5, 8, 10, 11, 13, 30, 50, 4, 7, 9, 2, 6, 40, 1, 12, 3, 5, 25, 8 };

    private static ListwiseDataset VariedLengths()
    {
        var rows = new List<RankingRow>();
        for (int q = 0; q < ListLengths.Length; q++)
            for (int d = 0; d < ListLengths[q]; d++)
                rows.Add(Row(rows.Count, (uint)q + 1));
        return Read(new MLContext(1), rows);
    }

    [TestMethod]
    public void EveryListOncePerEpochWithMasksMatchingLengthsAndLongListsResampled()
    {
        const int batchSize = 4, maxLength = 10, epochs = 5;
        var data = VariedLengths();
        var batcher = new ListwiseBatcher(data, batchSize, maxLength, new Random(11));
        Assert.AreEqual((ListLengths.Length + batchSize - 1) / batchSize, batcher.BatchesPerEpoch);

        var subsets = new Dictionary<int, List<string>>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var batches = batcher.NextEpoch();
            Assert.HasCount(batcher.BatchesPerEpoch, batches);
            var listsThisEpoch = new List<int>();
            foreach (var batch in batches)
            {
                Assert.IsLessThanOrEqualTo(batchSize, batch.ListCount);
                Assert.HasCount(batch.ListCount * batch.Width, batch.Mask);
                Assert.HasCount(batch.ListCount * batch.Width, batch.RowIndex);
                int widest = 0, real = 0;
                for (int i = 0; i < batch.ListCount; i++)
                {
                    var rows = new List<int>();
                    for (int j = 0; j < batch.Width; j++)
                    {
                        bool masked = batch.Mask[i * batch.Width + j];
                        if (masked)
                        {
                            Assert.HasCount(j, rows, "real documents come first, padding after");
                            rows.Add((int)batch.RowIndex[i * batch.Width + j]);
                        }
                    }
                    int list = ListOf(data, rows[0]);
                    listsThisEpoch.Add(list);
                    int length = data.ListLength(list);
                    Assert.HasCount(Math.Min(length, maxLength), rows, $"list {list} of length {length}");
                    Assert.IsTrue(rows.All(r => ListOf(data, r) == list), $"a row of batch line {i} belongs to another list");
                    Assert.HasCount(rows.Count, rows.Distinct());
                    if (length > maxLength)
                    {
                        if (!subsets.TryGetValue(list, out var seen)) subsets[list] = seen = new List<string>();
                        seen.Add(string.Join(",", rows.OrderBy(r => r)));
                    }
                    widest = Math.Max(widest, rows.Count);
                    real += rows.Count;
                }
                Assert.AreEqual(widest, batch.Width, "a batch pads only to its longest (cut) list");
                Assert.AreEqual(real, batch.RealDocuments);
            }
            CollectionAssert.AreEquivalent(Enumerable.Range(0, data.ListCount).ToArray(), listsThisEpoch.ToArray(), $"epoch {epoch}");
        }

        // Lists of 11, 13, 30, 50, 40, 12 and 25 documents are cut; those of 25 or more have so many subsets that
        // five epochs all drawing different ones is certain in practice.
        Assert.HasCount(ListLengths.Count(l => l > maxLength), subsets);
        foreach (var (list, drawn) in subsets)
        {
            Assert.HasCount(epochs, drawn);
            if (data.ListLength(list) >= 25)
                Assert.HasCount(epochs, drawn.Distinct(), $"list {list} got the same subset in two epochs");
            else
                Assert.IsGreaterThan(1, drawn.Distinct().Count(), $"list {list} got the same subset every epoch");
        }
    }

    [TestMethod]
    public void SequentialKeepsDataOrderAndWholeLists()
    {
        var data = VariedLengths();
        var batches = ListwiseBatcher.Sequential(data, 5).ToList();
        Assert.HasCount((ListLengths.Length + 4) / 5, batches);
        int list = 0;
        foreach (var batch in batches)
            for (int i = 0; i < batch.ListCount; i++, list++)
            {
                var expected = Enumerable.Range(data.ListStarts[list], data.ListLength(list)).Select(r => (long)r).ToArray();
                var actual = Enumerable.Range(0, batch.Width).Where(j => batch.Mask[i * batch.Width + j]).Select(j => batch.RowIndex[i * batch.Width + j]).ToArray();
                CollectionAssert.AreEqual(expected, actual, $"list {list}");
            }
        Assert.AreEqual(data.ListCount, list);
    }

    private static int ListOf(ListwiseDataset data, int row)
    {
        int i = Array.BinarySearch(data.ListStarts, row);
        return i >= 0 ? i : ~i - 1;
    }
}
