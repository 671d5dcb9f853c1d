using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>One method on one split: its front on the test data and what it cost.</summary>
/// <param name="Key">The method's key (<see cref="FrontMethod.Key"/>).</param>
/// <param name="Method">The method's name.</param>
/// <param name="Split">The split's name.</param>
/// <param name="TestProfile">Every grid weight's NDCG on the split's test data, the front and its hypervolume.</param>
/// <param name="TrainingTime">Wall time of all the method's fits on this split.</param>
/// <param name="Fits">Number of models trained.</param>
public sealed record MethodRun(string Key, string Method, string Split, ParetoProfile TestProfile, TimeSpan TrainingTime, int Fits)
{
    /// <summary>
    /// The seed of the fit; null for a method that draws nothing at random (<see cref="FrontMethod.UsesSeed"/> false), which is fitted
    /// once per split and stands for every seed.
    /// </summary>
    public int? Seed { get; init; }

    /// <summary>Each test query's NDCG@k at every grid weight, for the bootstrap intervals of <see cref="ComparisonResult.Ratios"/>; null when not measured.</summary>
    public QueryNdcg? Queries { get; init; }

    /// <summary>Wall time of scoring the test data at every grid weight.</summary>
    public TimeSpan ScoringTime => TestProfile.ScoringTime;
}
