namespace Microsoft.ML.HyperDpo.Data;

/// <summary>
/// One step's worth of lists: row indices into a <see cref="ListwiseDataset"/> laid out as
/// <see cref="ListCount"/> x <see cref="Width"/>, with an explicit mask for the padding.
/// </summary>
internal sealed record ListBatch(long[] RowIndex, bool[] Mask, int ListCount, int Width, int RealDocuments);

/// <summary>
/// Cuts a <see cref="ListwiseDataset"/> into padded batches of whole lists, afresh each epoch.
/// </summary>
/// <remarks>
/// Lists are shuffled, then sorted by length within windows of a few batches (8 unless told) so that each batch
/// pads to a similar length (less wasted compute) while the batch order stays random. A list longer than
/// <c>maxListLength</c> is cut to a random subset of that many rows, drawn again every epoch.
/// </remarks>
internal sealed class ListwiseBatcher
{
    /// <summary>Batches per window of lists sorted by length, unless told otherwise.</summary>
    public const int DefaultWindowBatches = 8;
    private readonly int _windowBatches;
    private readonly ListwiseDataset _data;
    private readonly int _batchSize;
    private readonly int _maxListLength;
    private readonly Random _random;

    public ListwiseBatcher(ListwiseDataset data, int batchSize, int maxListLength, Random random, int windowBatches = DefaultWindowBatches)
    {
        _windowBatches = windowBatches;
        _data = data;
        _batchSize = batchSize;
        _maxListLength = maxListLength;
        _random = random;
    }

    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch => (_data.ListCount + _batchSize - 1) / _batchSize;

    /// <summary>The batches of one epoch, in training order.</summary>
    public List<ListBatch> NextEpoch()
    {
        int[] lists = Enumerable.Range(0, _data.ListCount).ToArray();
        _random.Shuffle(lists);
        int window = _batchSize * _windowBatches;
        var batches = new List<ListBatch>(BatchesPerEpoch);
        for (int w = 0; w < lists.Length; w += window)
        {
            var chunk = lists.AsSpan(w, Math.Min(window, lists.Length - w));
            chunk.Sort((a, b) => _data.ListLength(a).CompareTo(_data.ListLength(b)));
            for (int b = 0; b < chunk.Length; b += _batchSize)
                batches.Add(Build(chunk.Slice(b, Math.Min(_batchSize, chunk.Length - b))));
        }
        _random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batches));
        return batches;
    }

    /// <summary>All lists, in data order, for evaluation (no cutting, no shuffling).</summary>
    public static IEnumerable<ListBatch> Sequential(ListwiseDataset data, int batchSize)
    {
        for (int start = 0; start < data.ListCount; start += batchSize)
        {
            int count = Math.Min(batchSize, data.ListCount - start);
            yield return Build(data, Enumerable.Range(start, count).ToArray(), int.MaxValue, null);
        }
    }

    private ListBatch Build(ReadOnlySpan<int> lists) => Build(_data, lists.ToArray(), _maxListLength, _random);

    private static ListBatch Build(ListwiseDataset data, int[] lists, int maxListLength, Random? random)
    {
        int width = lists.Max(l => Math.Min(data.ListLength(l), maxListLength));
        var index = new long[lists.Length * width];
        var mask = new bool[lists.Length * width];
        int real = 0;
        for (int i = 0; i < lists.Length; i++)
        {
            int start = data.ListStarts[lists[i]];
            int length = data.ListLength(lists[i]);
            int[] rows = Enumerable.Range(start, length).ToArray();
            if (length > maxListLength)
            {
                random!.Shuffle(rows);
                rows = rows[..maxListLength];
                Array.Sort(rows);
            }
            for (int j = 0; j < rows.Length; j++)
            {
                index[i * width + j] = rows[j];
                mask[i * width + j] = true;
            }
            real += rows.Length;
        }
        return new ListBatch(index, mask, lists.Length, width, real);
    }
}
