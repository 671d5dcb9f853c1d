using Microsoft.ML.HyperDpo.Language.Evaluation;
using Microsoft.ML.HyperDpo.Language.Modeling;

namespace Microsoft.ML.HyperDpo.Language.Demo;

/// <summary>A method's fits and its held-out front.</summary>
/// <param name="Method">The method's name.</param>
/// <param name="Fits">Number of training runs it took to get the whole front.</param>
/// <param name="TrainingSeconds">Wall time of those runs (the shared reference log-probabilities excluded).</param>
/// <param name="Front">Its held-out front.</param>
public sealed record MethodResult(string Method, int Fits, double TrainingSeconds, HeldOutFrontResult Front);

/// <summary>Whether generating at an objective's corner moves that objective the right way, compared with another corner.</summary>
/// <param name="Objective">The objective measured.</param>
/// <param name="OtherCorner">The objective whose corner it is compared with.</param>
/// <param name="MeanAtOwnCorner">Mean value of the objective over answers generated at its own corner.</param>
/// <param name="MeanAtOtherCorner">Mean value at the other corner.</param>
/// <param name="Wins">Questions where the own corner's answer scores higher.</param>
/// <param name="Losses">Questions where it scores lower.</param>
/// <param name="Ties">Questions where both score the same.</param>
/// <param name="PValue">Two-sided exact sign test of wins against losses.</param>
public sealed record SteerabilityResult(string Objective, string OtherCorner, double MeanAtOwnCorner, double MeanAtOtherCorner, int Wins, int Losses, int Ties, double PValue);

/// <summary>Generation speed with and without the KV cache (same tokens, greedy, no early stop).</summary>
/// <param name="NewTokens">Tokens generated.</param>
/// <param name="CachedSeconds">Wall time with the cache (median of three).</param>
/// <param name="RecomputedSeconds">Wall time recomputing the sequence at every step (median of three).</param>
public sealed record GenerationSpeed(int NewTokens, double CachedSeconds, double RecomputedSeconds)
{
    /// <summary>RecomputedSeconds / CachedSeconds.</summary>
    public double Speedup => RecomputedSeconds / CachedSeconds;

    /// <summary>Generated tokens per second with the cache.</summary>
    public double CachedTokensPerSecond => NewTokens / CachedSeconds;
}

/// <summary>One generated example for the report.</summary>
/// <param name="Question">The held-out question.</param>
/// <param name="Weights">The weights it was generated at.</param>
/// <param name="Answer">The generated answer.</param>
public sealed record GeneratedExample(string Question, float[] Weights, string Answer);

/// <summary>Everything the demo measured.</summary>
/// <param name="Objectives">The objectives.</param>
/// <param name="Model">The tiny model's shape.</param>
/// <param name="TrainingLists">Training questions.</param>
/// <param name="HeldOutLists">Held-out questions.</param>
/// <param name="PretrainingSeconds">Pre-training wall time.</param>
/// <param name="PretrainingLoss">Mean next-token loss of the last tenth of pre-training (nats per token).</param>
/// <param name="PretrainingTokensPerSecond">Pre-training tokens per second.</param>
/// <param name="AlignmentTokensPerSecond">Tokens per second through the frozen model (forward and backward) during HPT's fit.</param>
/// <param name="Methods">Each method's front.</param>
/// <param name="Steerability">Per objective, the steerability test of HPT's generations.</param>
/// <param name="Examples">A few generated answers at each corner.</param>
/// <param name="Speed">KV-cache speed.</param>
/// <param name="PeakMemoryBytes">Peak working set of the process.</param>
/// <param name="TotalSeconds">Wall time of the whole demo.</param>
public sealed record AlignmentDemoResult(
    IReadOnlyList<string> Objectives,
    Gpt2Config Model,
    int TrainingLists,
    int HeldOutLists,
    double PretrainingSeconds,
    double PretrainingLoss,
    double PretrainingTokensPerSecond,
    double AlignmentTokensPerSecond,
    IReadOnlyList<MethodResult> Methods,
    IReadOnlyList<SteerabilityResult> Steerability,
    IReadOnlyList<GeneratedExample> Examples,
    GenerationSpeed Speed,
    long PeakMemoryBytes,
    double TotalSeconds);

/// <summary>A stage of the demo, reported as it starts and as it advances.</summary>
/// <param name="Stage">The stage's name.</param>
/// <param name="Done">Units done.</param>
/// <param name="Total">Units in the stage.</param>
/// <param name="Loss">The latest training loss, when the stage trains.</param>
public sealed record DemoProgress(string Stage, int Done, int Total, double? Loss = null);
