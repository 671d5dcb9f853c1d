using Microsoft.ML.HyperDpo.Comparison;

namespace Microsoft.ML.HyperDpo.Tests.Comparison;

/// <summary>
/// A small slice of real data for the comparison tests: MQ2008's S1 with relevance and a PageRank grade (feature 41, removed from
/// the inputs), rows 0-599 for training, 600-899 for validation and 900-1299 for testing (groups stay contiguous).
/// </summary>
internal static class Mq2008Slice
{
    public static readonly string[] Objectives = { "Label", "PageRank" };

    public static (MLContext Ml, ComparisonSplit Split) Load()
    {
        string s1 = SharedData.RequireFile("letor4-mq2008/S1.txt");
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadLetorFiles(46, s1);
        var prepared = ml.Transforms.FeatureRankObjective("PageRank", featureIndex: 40, removeFromFeatures: true).Fit(raw).Transform(raw);
        var cached = ml.Data.Cache(prepared);
        IDataView Rows(int skip, int take) => ml.Data.Cache(ml.Data.TakeRows(skip == 0 ? cached : ml.Data.SkipRows(cached, skip), take));
        return (ml, new ComparisonSplit("S1 slice", Rows(0, 600), Rows(600, 300), Rows(900, 400)));
    }

    /// <summary>Trainer options for fits of well under a second on the slice.</summary>
    public static HyperDpoRankingTrainer.Options FastDpo() => new()
    {
        Network = { HiddenSizes = new[] { 16 } },
        Optimiser = { NumberOfEpochs = 2 },
        Runtime = { Device = TorchDevice.Cpu },
    };
}
