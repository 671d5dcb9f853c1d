namespace Microsoft.ML.HyperDpo.Modeling.Transformer;

/// <summary>
/// Groups lists of similar length for one padded forward pass each, so that short lists are not padded to the longest one.
/// </summary>
/// <remarks>
/// A listwise forward pass costs about its padded slots (and its attention the square of its width), while each pass has a
/// fixed overhead of a few dozen small operations. Lists are taken shortest first; a bucket grows while its padding stays
/// within an eighth of its real documents plus <see cref="SlackSlots"/> (so that runs of very short lists share a pass), and
/// while it holds at most the given number of slots. The padding is masked out as keys, so the bucketing changes no score.
/// </remarks>
internal static class LengthBuckets
{
    /// <summary>Padding slots a bucket may carry beyond an eighth of its real documents.</summary>
    public const int SlackSlots = 64;

    /// <summary>
    /// The buckets for lists of <paramref name="lengths"/>: each an array of list indices in increasing length (ties in index
    /// order), every list in exactly one bucket; padded to the bucket's last (longest) list, a bucket holds at most
    /// <paramref name="maxSlots"/> slots unless it is a single list.
    /// </summary>
    public static List<int[]> Plan(IReadOnlyList<int> lengths, int maxSlots)
    {
        var order = Enumerable.Range(0, lengths.Count).OrderBy(i => lengths[i]).ToArray();
        var buckets = new List<int[]>();
        int first = 0;
        long real = 0;
        for (int i = 0; i < order.Length; i++)
        {
            int length = lengths[order[i]];
            long count = i - first + 1, slots = count * length, withThis = real + length;
            if (i > first && (slots > maxSlots || slots - withThis > withThis / 8 + SlackSlots))
            {
                buckets.Add(order[first..i]);
                first = i;
                withThis = length;
            }
            real = withThis;
        }
        if (order.Length > first) buckets.Add(order[first..]);
        return buckets;
    }
}
