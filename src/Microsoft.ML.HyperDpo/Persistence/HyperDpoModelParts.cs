using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// A HyperDPO model taken apart into the preparation that runs before the ranker and the ranker itself, as
/// <c>hyperdpo train --out</c> saves it: the ranker alone, or a chain of preparation steps that ends with the ranker.
/// </summary>
/// <remarks>
/// The ranker is a <see cref="HyperDpoRankingTransformer"/> or a <see cref="WeightedScoreTransformer"/>, whose
/// <see cref="WeightedScoreTransformer.Model"/> is taken (<see cref="ObjectiveWeightsColumnName"/> then says which column the
/// saved model read each row's weights from). Rescoring at other weights keeps the preparation:
/// <c>parts.WithRanker(parts.Ranker.WithObjectiveWeights(w))</c>.
/// </remarks>
public sealed class HyperDpoModelParts
{
    private readonly ITransformer[] _preparation;

    private HyperDpoModelParts(ITransformer[] preparation, HyperDpoRankingTransformer ranker, string? weightsColumn)
    {
        _preparation = preparation;
        Ranker = ranker;
        ObjectiveWeightsColumnName = weightsColumn;
    }

    /// <summary>The steps before the ranker as one chain, or null when the ranker was saved alone.</summary>
    public ITransformer? Preparation => _preparation.Length == 0 ? null : new TransformerChain<ITransformer>(_preparation);

    /// <summary>The HyperDPO ranker at the end.</summary>
    public HyperDpoRankingTransformer Ranker { get; }

    /// <summary>
    /// The column a saved <see cref="WeightedScoreTransformer"/> read each row's objective weights from, or null when the
    /// model scores at the fixed <see cref="HyperDpoRankingTransformer.ObjectiveWeights"/> of <see cref="Ranker"/>.
    /// </summary>
    public string? ObjectiveWeightsColumnName { get; }

    /// <summary>Takes <paramref name="model"/> (for example what <c>mlContext.Model.LoadHyperDpo</c> returned) apart.</summary>
    /// <param name="model">A HyperDPO ranker, or a chain whose last step is one.</param>
    /// <param name="source">What the model came from (a file name), for the error message; null for "The model".</param>
    /// <exception cref="InvalidDataException">The model is neither a HyperDPO ranker nor a chain ending with one; the message names
    /// what it holds.</exception>
    public static HyperDpoModelParts Of(ITransformer model, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var steps = model is TransformerChain<ITransformer> chain ? chain.ToArray() : new[] { model };
        var last = steps.Length == 0 ? null : steps[^1];
        var preparation = steps.Length == 0 ? steps : steps[..^1];
        return last switch
        {
            HyperDpoRankingTransformer ranker => new HyperDpoModelParts(preparation, ranker, null),
            WeightedScoreTransformer weighted => new HyperDpoModelParts(preparation, weighted.Model, weighted.ObjectiveWeightsColumnName),
            _ => throw new InvalidDataException(
                $"{(source is null ? "The model" : $"'{source}'")} holds {(last is null ? "an empty chain" : $"a {last.GetType().Name}" + (steps.Length > 1 ? " at the end of its chain" : ""))}, " +
                "not a HyperDPO ranker (a HyperDpoRankingTransformer or WeightedScoreTransformer, alone or at the end of a chain); " +
                "score other models with mlContext.Model.Load."),
        };
    }

    /// <summary>The preparation followed by <paramref name="ranker"/> (the ranker alone when there is no preparation).</summary>
    public ITransformer WithRanker(HyperDpoRankingTransformer ranker)
    {
        ArgumentNullException.ThrowIfNull(ranker);
        return _preparation.Length == 0 ? ranker : new TransformerChain<ITransformer>([.. _preparation, ranker]);
    }
}
