namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>A method's rankers for every weight of the grid, and what they cost to train.</summary>
public sealed class FittedFront
{
    private readonly Func<float[], ITransformer> _modelAt;

    /// <summary>Creates a fitted front.</summary>
    /// <param name="modelAt">The ranker for given weights (a grid weight for one-model-per-weight methods).</param>
    /// <param name="trainingTime">Wall time of all the fits (and of any statistics they need, such as a score soup's standardisation).</param>
    /// <param name="fits">Number of models trained.</param>
    /// <param name="reports">The HyperDPO trainer's report of each fit that has one, in fit order; null for none (FastTree and LightGBM fits).</param>
    public FittedFront(Func<float[], ITransformer> modelAt, TimeSpan trainingTime, int fits, IReadOnlyList<TrainingReport>? reports = null)
    {
        _modelAt = modelAt ?? throw new ArgumentNullException(nameof(modelAt));
        TrainingTime = trainingTime;
        Fits = fits;
        Reports = reports ?? Array.Empty<TrainingReport>();
    }

    /// <summary>
    /// The HyperDPO trainer's report (epochs, optimiser steps, training time) of each HyperDPO-trainer fit, in fit order: one for
    /// HyperDPO, one per grid weight for DPO-LS, one per objective for DPO Soup; empty for the FastTree and LightGBM methods.
    /// </summary>
    public IReadOnlyList<TrainingReport> Reports { get; }

    /// <summary>Wall time of all the fits.</summary>
    public TimeSpan TrainingTime { get; }

    /// <summary>Number of models trained.</summary>
    public int Fits { get; }

    /// <summary>The ranker for <paramref name="weights"/>; it adds a <c>Score</c> column.</summary>
    public ITransformer ModelAt(float[] weights) => _modelAt(weights);

    /// <summary>
    /// A lookup for methods with one model per grid weight: the model whose weight equals the given weights (within 1e-6),
    /// or an <see cref="ArgumentException"/> naming the weights when none was trained for them.
    /// </summary>
    internal static Func<float[], ITransformer> PerWeight(string method, IReadOnlyList<(float[] Weights, ITransformer Model)> models) => weights =>
    {
        foreach (var (w, model) in models)
            if (w.Length == weights.Length && w.Zip(weights).All(p => Math.Abs(p.First - p.Second) < 1e-6f))
                return model;
        throw new ArgumentException($"{method} trains one model per grid weight, and none was trained for ({string.Join(", ", weights)}).", nameof(weights));
    };
}
