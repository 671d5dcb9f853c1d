using Microsoft.ML.HyperDpo.Evaluation;
using Microsoft.ML.HyperDpo.Language.Data;

namespace Microsoft.ML.HyperDpo.Language.Evaluation;

/// <summary>One weight's evaluation: per objective, Kendall's tau between the implicit rewards and the objective's scores, mapped to [0, 1].</summary>
/// <param name="Weights">The objective weights.</param>
/// <param name="Agreement">Per objective, the mean over lists of (tau_b + 1) / 2 (lists where tau is undefined are left out).</param>
public sealed record FrontPoint(float[] Weights, double[] Agreement);

/// <summary>A method's front on held-out lists.</summary>
/// <param name="Method">The method's name.</param>
/// <param name="Points">One point per evaluated weight.</param>
/// <param name="Hypervolume">The hypervolume of the points' non-dominated set with respect to <paramref name="Reference"/>.</param>
/// <param name="Reference">The reference point: by default chance agreement, 0.5 for every objective (implicit rewards unrelated to
/// the objective), which scores 0; from the origin, chance alone would already score 0.5^K.</param>
public sealed record HeldOutFrontResult(string Method, IReadOnlyList<FrontPoint> Points, double Hypervolume, double[] Reference);

/// <summary>Evaluates aligned models on held-out preference lists.</summary>
public static class HeldOutFront
{
    /// <summary>The agreement of the model's implicit rewards at <paramref name="weights"/> with each objective.</summary>
    /// <param name="model">The aligned model.</param>
    /// <param name="lists">Held-out lists with scores of every objective.</param>
    /// <param name="weights">The weights.</param>
    public static FrontPoint Evaluate(AlignedLanguageModel model, IReadOnlyList<PreferenceList> lists, float[] weights)
    {
        var rewards = model.ImplicitRewards(lists, weights);
        var agreement = model.Objectives.Select(objective =>
        {
            var taus = lists.Select((l, q) => RankCorrelation.KendallTauB(rewards[q].Select(v => (double)v).ToArray(), l.Scores[objective]))
                .Where(t => t.HasValue).Select(t => (t!.Value + 1) / 2).ToList();
            return taus.Count == 0 ? double.NaN : taus.Average();
        }).ToArray();
        return new FrontPoint(weights, agreement);
    }

    /// <summary>The agreement of implicit rewards that are unrelated to an objective: Kendall's tau 0, mapped to 0.5.</summary>
    public const double ChanceAgreement = 0.5;

    /// <summary>A front: each model evaluated at its weights (one model per weight, as DPO-LS), with its hypervolume.</summary>
    /// <param name="method">The method's name.</param>
    /// <param name="lists">Held-out lists.</param>
    /// <param name="models">Each weight with the model to evaluate there (the same model for a conditioned method).</param>
    /// <param name="reference">The hypervolume's reference point; null: chance agreement (<see cref="ChanceAgreement"/> per objective).</param>
    public static HeldOutFrontResult Evaluate(string method, IReadOnlyList<PreferenceList> lists, IEnumerable<(float[] Weights, AlignedLanguageModel Model)> models,
        double[]? reference = null)
    {
        var points = models.Select(m => Evaluate(m.Model, lists, m.Weights)).ToList();
        var finite = points.Where(p => p.Agreement.All(double.IsFinite)).Select(p => p.Agreement).ToList();
        reference ??= Enumerable.Repeat(ChanceAgreement, points.Count == 0 ? 0 : points[0].Agreement.Length).ToArray();
        return new HeldOutFrontResult(method, points, Hypervolume.Compute(finite, reference), reference);
    }
}
