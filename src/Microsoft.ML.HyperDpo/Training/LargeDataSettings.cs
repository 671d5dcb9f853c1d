using Microsoft.ML.HyperDpo.Data;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// What a fit changes on large training data (at least <see cref="HyperDpoRankingTrainer.LargeDataOptions.Rows"/> rows):
/// larger steps (about <see cref="HyperDpoRankingTrainer.LargeDataOptions.RowsPerStep"/> rows, with the learning rate scaled
/// by the square root of the growth in lists per step), lists bucketed by length over windows of <see cref="WindowBatches"/>
/// batches instead of 8 (less padding), and early stopping measured on a fixed sample of
/// <see cref="HyperDpoRankingTrainer.LargeDataOptions.ValidationLists"/> validation lists, in forward passes of
/// <see cref="ValidationRowsPerForward"/> rows. Below that size nothing changes.
/// </summary>
/// <remarks>
/// Why (measured on MSLR-WEB30K-shaped data, docs/options.md): larger steps cost little in front width and are what a GPU
/// needs, though on the CPU they did not change the time per document; wider bucketing leaves almost no padding; and
/// validating every weight of the lattice on every validation list every epoch cost about a third of the fit. The settings
/// are derived from the options and the data alone, so a resumed fit derives the same ones.
/// </remarks>
internal static class LargeDataSettings
{
    /// <summary>Batches per window of lists sorted by length: with thousands of lists per window, the lists of a batch are of
    /// nearly one length, so that almost no slot is padding, while the batch order stays random.</summary>
    public const int WindowBatches = 64;

    /// <summary>Validation rows per forward pass: enough for LibTorch's matmul rate, and activations of tens of MB instead of
    /// the default pass's 200 MB, which would be a visible part of the memory bound on large data.</summary>
    public const int ValidationRowsPerForward = 8192;

    /// <summary>True when <paramref name="train"/> is large enough for the large-data settings.</summary>
    public static bool Apply(HyperDpoRankingTrainer.Options o, ListwiseDataset train) => train.RowCount >= o.LargeData.Rows;

    /// <summary>
    /// The options a fit on <paramref name="train"/> trains with: <paramref name="o"/> itself below the size, otherwise a copy
    /// with <see cref="HyperDpoRankingTrainer.OptimiserOptions.BatchSize"/> raised to about <see cref="HyperDpoRankingTrainer.LargeDataOptions.RowsPerStep"/>
    /// rows per step (never lowered) and <see cref="HyperDpoRankingTrainer.OptimiserOptions.LearningRate"/> times sqrt(new / old lists per step).
    /// </summary>
    public static HyperDpoRankingTrainer.Options Training(HyperDpoRankingTrainer.Options o, ListwiseDataset train)
    {
        if (!Apply(o, train)) return o;
        double meanRows = Enumerable.Range(0, train.ListCount).Average(l => (double)Math.Min(train.ListLength(l), o.Optimiser.MaxListLength));
        int lists = (int)Math.Min(train.ListCount, Math.Round(o.LargeData.RowsPerStep / meanRows));
        if (lists <= o.Optimiser.BatchSize) return o;
        var scaled = o.Clone();
        scaled.Optimiser.LearningRate = (float)(o.Optimiser.LearningRate * Math.Sqrt((double)lists / o.Optimiser.BatchSize));
        scaled.Optimiser.BatchSize = lists;
        return scaled;
    }

    /// <summary>
    /// The validation lists early stopping measures: all of them below the size or when there are few, otherwise a fixed random
    /// sample (the same every epoch, drawn from <paramref name="seed"/>) of <see cref="HyperDpoRankingTrainer.LargeDataOptions.ValidationLists"/>.
    /// </summary>
    public static ListwiseDataset Validation(HyperDpoRankingTrainer.Options o, ListwiseDataset train, ListwiseDataset validation, int seed)
    {
        if (!Apply(o, train) || validation.ListCount <= o.LargeData.ValidationLists) return validation;
        var lists = Enumerable.Range(0, validation.ListCount).ToArray();
        new Random(seed).Shuffle(lists);
        var sample = lists[..o.LargeData.ValidationLists];
        Array.Sort(sample);
        return validation.Lists(sample);
    }
}
