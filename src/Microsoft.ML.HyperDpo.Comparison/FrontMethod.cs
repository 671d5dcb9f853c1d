namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>
/// A way of obtaining a ranker for every weight of a grid: HyperDPO (one conditioned fit) or a baseline (one fit per weight,
/// or K fits mixed at prediction time). <see cref="ParetoComparison"/> fits each method on the same splits and measures its front.
/// </summary>
public abstract class FrontMethod
{
    /// <summary>The name shown in reports, e.g. "DPO-LS".</summary>
    public abstract string Name { get; }

    /// <summary>
    /// A short stable identifier, e.g. "dpo-ls": the CLI's <c>--methods</c> value, and what reports match rows by (names are
    /// for people and may change).
    /// </summary>
    public abstract string Key { get; }

    /// <summary>
    /// Whether a fit depends on <see cref="FrontFitContext.Seed"/>. True unless a method draws nothing at random; a comparison with
    /// several seeds fits a method that does not once per split and pairs that fit with every seed of the others.
    /// </summary>
    public virtual bool UsesSeed => true;

    /// <summary>How many models one <see cref="Fit"/> trains for <paramref name="objectives"/> objectives and a grid of <paramref name="gridPoints"/> weights.</summary>
    public abstract int FitCount(int objectives, int gridPoints);

    /// <summary>Trains on <see cref="FrontFitContext.Split"/>'s training data and returns the ranker for each grid weight.</summary>
    /// <param name="context">The data, objectives, grid and seed; reports each finished model through <see cref="FrontFitContext.ModelFitted"/>.</param>
    /// <returns>The fitted front with its training time.</returns>
    public abstract FittedFront Fit(FrontFitContext context);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
