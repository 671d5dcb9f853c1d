using System.Globalization;

namespace Microsoft.ML.HyperDpo.Evaluation;

/// <summary>
/// Chooses a point on the front from requirements: among the grid weights whose validation NDCG meets every
/// <see cref="NdcgConstraint"/>, the one with the highest NDCG@k of a primary objective, and returns the model set to it.
/// </summary>
/// <remarks>
/// Choose on validation data, never on the test data the choice will be judged on. Ties on the primary objective go to the
/// point with the larger sum of the other objectives' NDCG@k. When no grid point meets the constraints, an
/// <see cref="InvalidOperationException"/> says so, with the best value the grid reaches for each constraint, so that the
/// user can see which requirement to relax.
/// </remarks>
public static class TradeOffPicker
{
    /// <summary>
    /// Profiles <paramref name="model"/> on <paramref name="validationData"/> and returns it set to the weights that maximise the primary
    /// objective's NDCG@k (k = <see cref="ParetoProfileOptions.NdcgAt"/>) subject to <paramref name="constraints"/>.
    /// </summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="model">A fitted HyperDPO model.</param>
    /// <param name="validationData">Held-out data with every objective's label column.</param>
    /// <param name="primaryObjective">The objective to maximise (a label column name of the model).</param>
    /// <param name="constraints">Requirements every chosen point meets; may be empty.</param>
    /// <param name="options">The grid and truncation; null for the defaults (11 weights for two objectives).</param>
    /// <returns>The model at the chosen weights, the weights and the validation figures.</returns>
    /// <exception cref="ArgumentException">An objective name is unknown or a constraint is malformed; the message names it.</exception>
    /// <exception cref="InvalidOperationException">No grid point meets every constraint; the message gives the best each can reach.</exception>
    public static TradeOffChoice<HyperDpoRankingTransformer> Pick(MLContext mlContext, HyperDpoRankingTransformer model, IDataView validationData,
        string primaryObjective, IEnumerable<NdcgConstraint> constraints, ParetoProfileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var profile = ParetoProfiler.Profile(mlContext, model, validationData, options);
        return Pick(profile, w => model.WithObjectiveWeights(w), primaryObjective, constraints);
    }

    /// <summary>Chooses among the points of a profile already measured on validation data, and returns <paramref name="modelAt"/> of the chosen weights.</summary>
    /// <param name="validationProfile">The ranker's profile on validation data.</param>
    /// <param name="modelAt">The ranker at given weights.</param>
    /// <param name="primaryObjective">The objective to maximise.</param>
    /// <param name="constraints">Requirements every chosen point meets; may be empty.</param>
    /// <returns>The model at the chosen weights, the weights and the validation figures.</returns>
    /// <exception cref="ArgumentException">An objective name is unknown or a constraint is malformed; the message names it.</exception>
    /// <exception cref="InvalidOperationException">No grid point meets every constraint; the message gives the best each can reach.</exception>
    public static TradeOffChoice<TModel> Pick<TModel>(ParetoProfile validationProfile, Func<float[], TModel> modelAt, string primaryObjective,
        IEnumerable<NdcgConstraint> constraints) where TModel : ITransformer
    {
        ArgumentNullException.ThrowIfNull(validationProfile);
        ArgumentNullException.ThrowIfNull(modelAt);
        ArgumentNullException.ThrowIfNull(constraints);
        var profile = validationProfile;
        int primary = profile.ObjectiveIndex(primaryObjective);
        var checkedConstraints = constraints.Select(c => (Constraint: c ?? throw new ArgumentException("A constraint is null.", nameof(constraints)), Index: c.Check(profile))).ToList();
        int k = profile.NdcgAt;

        var feasible = Enumerable.Range(0, profile.Points.Count)
            .Where(i => checkedConstraints.All(c => c.Constraint.IsMetBy(profile.Points[i], c.Index)))
            .ToList();
        if (feasible.Count == 0)
            throw new InvalidOperationException(NoSolutionMessage(profile, checkedConstraints));

        double Others(int i) => profile.Points[i].At(k).Where((_, j) => j != primary).Sum();
        int best = feasible
            .OrderByDescending(i => profile.Points[i].Ndcg[primary][k - 1])
            .ThenByDescending(Others)
            .First();
        var point = profile.Points[best];
        return new TradeOffChoice<TModel>(modelAt((float[])point.Weights.Clone()), point.Weights, point, profile, feasible.Count);
    }

    private static string NoSolutionMessage(ParetoProfile profile, List<(NdcgConstraint Constraint, int Index)> constraints)
    {
        string Weights(WeightedNdcg p) => "(" + string.Join(", ", p.Weights.Select(w => w.ToString("0.###", CultureInfo.InvariantCulture))) + ")";
        var parts = constraints.Select(c =>
        {
            var best = profile.Points.MaxBy(p => p.Ndcg[c.Index][c.Constraint.K - 1])!;
            double value = best.Ndcg[c.Index][c.Constraint.K - 1];
            return string.Create(CultureInfo.InvariantCulture,
                $"{c.Constraint}: {(value >= c.Constraint.Minimum ? "met" : "never met")}, best {value:F4} at weights {Weights(best)}");
        });
        return $"No weight vector of the {profile.Points.Count}-point validation grid meets every constraint together. " +
               $"Per constraint: {string.Join("; ", parts)}. Relax a constraint, or profile a finer grid.";
    }
}
