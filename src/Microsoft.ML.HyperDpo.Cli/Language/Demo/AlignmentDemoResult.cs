using Microsoft.ML.HyperDpo.Evaluation;
using Microsoft.ML.HyperDpo.Language.Evaluation;
using Microsoft.ML.HyperDpo.Language.Modeling;
using Microsoft.ML.HyperDpo.Language.Training;

namespace Microsoft.ML.HyperDpo.Cli.Language.Demo;

/// <summary>A method's fits and its held-out front.</summary>
/// <param name="Method">The method's name.</param>
/// <param name="Fits">Number of training runs it took to get the whole front.</param>
/// <param name="Steps">Optimiser steps of those runs together (the same for every method).</param>
/// <param name="TrainingSeconds">Wall time of those runs (the shared reference log-probabilities excluded).</param>
/// <param name="Front">Its held-out front.</param>
public sealed record MethodResult(string Method, int Fits, int Steps, double TrainingSeconds, HeldOutFrontResult Front);

/// <summary>One seed's run: its methods' fronts, the lengths it trained with, its pre-training loss.</summary>
/// <param name="Seed">The seed (split, vocabulary, pre-training, fits).</param>
/// <param name="Methods">Each method's result.</param>
/// <param name="Lengths">The prompt and response lengths chosen from its training lists, and what they cut.</param>
/// <param name="PretrainingLoss">Mean next-token loss of the last tenth of pre-training.</param>
public sealed record SeedRun(int Seed, IReadOnlyList<MethodResult> Methods, TokenBudget Lengths, double PretrainingLoss)
{
    /// <summary>The pre-trained base model's perplexity on the held-out questions' passages and answers (never trained on).</summary>
    public double HeldOutPerplexity { get; init; } = double.NaN;

    /// <summary>The pre-trained base model's greedy answers (no soft prompt) to the first held-out questions.</summary>
    public IReadOnlyList<BaseAnswer> BaseAnswers { get; init; } = Array.Empty<BaseAnswer>();
}

/// <summary>The pre-trained base model's greedy answer to a held-out question, before any alignment.</summary>
/// <param name="Question">The question.</param>
/// <param name="Answer">The answer.</param>
public sealed record BaseAnswer(string Question, string Answer);

/// <summary>A method over the seeds: its held-out hypervolume (from chance) and training time, each with a mean and a 95% interval.</summary>
/// <param name="Method">The method's name.</param>
/// <param name="Fits">Fits per seed.</param>
/// <param name="Steps">Optimiser steps per seed.</param>
/// <param name="Hypervolume">Held-out hypervolume from chance agreement over the seeds.</param>
/// <param name="TrainingSeconds">Training wall time over the seeds.</param>
public sealed record MethodSummary(string Method, int Fits, int Steps, SeedInterval Hypervolume, SeedInterval TrainingSeconds)
{
    /// <summary>Optimiser steps taken over the seeds (HPT's early stopping may take fewer than its budget; <see cref="Steps"/> is the first seed's).</summary>
    public SeedInterval? StepsTaken { get; init; }
}

/// <summary>A greedy answer to a held-out question at one grid weight, with every computed objective's score of it.</summary>
/// <param name="Question">The question.</param>
/// <param name="Weights">The weights.</param>
/// <param name="Answer">The greedy answer.</param>
/// <param name="Scores">Each computed objective's value of the answer.</param>
public sealed record GreedyAnswer(string Question, float[] Weights, string Answer, IReadOnlyDictionary<string, double> Scores);

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
/// <param name="Methods">Each method's front, first seed.</param>
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
    double TotalSeconds)
{
    /// <summary>Every seed's run (the first one's methods are <see cref="Methods"/>).</summary>
    public IReadOnlyList<SeedRun> Seeds { get; init; } = Array.Empty<SeedRun>();

    /// <summary>Per method, the figures over the seeds.</summary>
    public IReadOnlyList<MethodSummary> Summary { get; init; } = Array.Empty<MethodSummary>();

    /// <summary>The first seed's HPT model's greedy answers at every grid weight to the first held-out questions.</summary>
    public IReadOnlyList<GreedyAnswer> Answers { get; init; } = Array.Empty<GreedyAnswer>();

    /// <summary>Per computed objective, the sign test of <see cref="Answers"/>: its score at its own corner against the other corner, question by question.</summary>
    public IReadOnlyList<SteerabilityResult> GreedySteerability { get; init; } = Array.Empty<SteerabilityResult>();

    /// <summary>Share of the training lists HPT held out for early stopping (<see cref="AlignmentDemoOptions.HptValidationFraction"/>).</summary>
    public float HptValidationFraction { get; init; }

    /// <summary>The coefficient of the likelihood term every method trained with (<see cref="LanguageAlignmentOptions.LikelihoodWeight"/>; 0: off).</summary>
    public float LikelihoodWeight { get; init; }
}

/// <summary>A stage of the demo, reported as it starts and as it advances.</summary>
/// <param name="Stage">The stage's name.</param>
/// <param name="Done">Units done.</param>
/// <param name="Total">Units in the stage.</param>
/// <param name="Loss">The latest training loss, when the stage trains.</param>
public sealed record DemoProgress(string Stage, int Done, int Total, double? Loss = null);
