using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>One method over all splits: means and standard deviations over the splits.</summary>
/// <param name="Key">The method's key (<see cref="FrontMethod.Key"/>).</param>
/// <param name="Method">The method's name.</param>
/// <param name="Hypervolume">The test hypervolume of each split's front, averaged over the splits.</param>
/// <param name="HypervolumeFromChance">The same fronts' hypervolume from each split's chance point (<see cref="ComparisonResult.HypervolumeFromChance"/>), over the same runs.</param>
/// <param name="TrainingSeconds">Training wall time per split, in seconds.</param>
/// <param name="ScoringSeconds">Wall time of scoring the test data at every grid weight, per split, in seconds.</param>
/// <param name="FitsPerSplit">Models trained per split.</param>
/// <param name="MeanProfile">The front of the NDCG averaged over splits weight by weight (its hypervolume is that of the mean front, not the mean hypervolume).</param>
/// <param name="NdcgStd">The standard deviation over splits of each weight's NDCG, laid out as <see cref="MeanProfile"/>'s points.</param>
public sealed record MethodSummary(
    string Key,
    string Method,
    MeanStd Hypervolume,
    MeanStd HypervolumeFromChance,
    MeanStd TrainingSeconds,
    MeanStd ScoringSeconds,
    int FitsPerSplit,
    ParetoProfile MeanProfile,
    IReadOnlyList<WeightedNdcg> NdcgStd);
