namespace Microsoft.ML.HyperDpo.Language.Training;

/// <summary>
/// One objective's figures of an alignment step, like TRL's DPO logs but listwise (means over the step's lists).
/// </summary>
/// <param name="Objective">The objective's name.</param>
/// <param name="Loss">Its Plackett-Luce DPO loss.</param>
/// <param name="ChosenReward">Implicit reward z of the response this objective ranks first (TRL's rewards/chosen).</param>
/// <param name="RejectedReward">Implicit reward z of the response it ranks last (rewards/rejected).</param>
/// <param name="Margin">ChosenReward - RejectedReward (rewards/margins).</param>
/// <param name="RankingAccuracy">Fraction of response pairs with distinct scores that z orders as the objective does (rewards/accuracies, over all pairs).</param>
public sealed record ObjectiveStepMetrics(string Objective, double Loss, double ChosenReward, double RejectedReward, double Margin, double RankingAccuracy);

/// <summary>The figures of one alignment step, reported through <see cref="IProgress{T}"/>.</summary>
/// <param name="Step">1-based step number.</param>
/// <param name="Steps">Total number of steps.</param>
/// <param name="Loss">The step's loss, mean over lists of sum_k w_k L_k.</param>
/// <param name="Objectives">Per-objective figures.</param>
/// <param name="Elapsed">Time since training began (reference log-probabilities included).</param>
public sealed record AlignmentProgress(int Step, int Steps, double Loss, IReadOnlyList<ObjectiveStepMetrics> Objectives, TimeSpan Elapsed)
{
    /// <summary>
    /// With <see cref="LanguageAlignmentOptions.ValidationFraction"/> &gt; 0, the held-out lists' loss measured after this
    /// step (mean over lists of sum_k w_k L_k at their fixed draws of w), on the steps where it is measured; otherwise null.
    /// </summary>
    public double? ValidationLoss { get; init; }
}
