namespace Microsoft.ML.HyperDpo.Evaluation;

/// <summary>The trade-off <see cref="TradeOffPicker"/> chose: the model set to the chosen weights, and why.</summary>
/// <typeparam name="TModel">The model type: <see cref="HyperDpoRankingTransformer"/> for a HyperDPO model, or any transformer.</typeparam>
/// <param name="Model">The model ranking at <paramref name="Weights"/>.</param>
/// <param name="Weights">The chosen objective weights.</param>
/// <param name="Validation">The chosen point's NDCG on the validation data.</param>
/// <param name="ValidationProfile">Every grid point's NDCG on the validation data: the choice was made among these.</param>
/// <param name="FeasibleCount">How many grid points met every constraint.</param>
public sealed record TradeOffChoice<TModel>(TModel Model, float[] Weights, WeightedNdcg Validation, ParetoProfile ValidationProfile, int FeasibleCount)
    where TModel : ITransformer;
