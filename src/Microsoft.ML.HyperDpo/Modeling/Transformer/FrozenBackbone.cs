using Microsoft.ML.HyperDpo.Data;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Modeling.Transformer;

/// <summary>
/// Builds the network of a fit with <see cref="HyperDpoRankingTrainer.NetworkOptions.FrozenBackbone"/>: a transformer ranker whose feature
/// standardisation, projection and blocks are copied from the backbone and frozen, and whose scoring head starts as the
/// backbone's; only the conditioning (prompt generator), the head and the per-document scorer (fresh, not copied) train.
/// </summary>
internal static class FrozenBackbone
{
    public static IRankingNetwork Create(HyperDpoRankingTrainer.Options o, HyperDpoRankingTransformer backbone, ListwiseDataset train)
    {
        string option = HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.Network), nameof(HyperDpoRankingTrainer.NetworkOptions.FrozenBackbone));
        var source = backbone.ScoringModel.Network as TransformerRanker
            ?? throw new ArgumentException($"{option} must be a fitted model of the Transformer architecture.", option);
        if (source.FeatureCount != train.FeatureCount)
            throw new ArgumentException($"{option} reads {source.FeatureCount} features per document; the training data has {train.FeatureCount}.", option);
        var network = (TransformerRanker)RankingNetworks.CreateEmpty(o, train.FeatureCount, train.ObjectiveCount);
        var from = source.state_dict();
        using (no_grad())
            foreach (var (name, tensor) in network.state_dict())
            {
                if (!TransformerRanker.IsBackboneEntry(name) && !TransformerRanker.IsHeadEntry(name)) continue;
                if (!from.TryGetValue(name, out var value) || !value.shape.SequenceEqual(tensor.shape))
                    throw new ArgumentException($"{option} has no '{name}' of shape [{string.Join(", ", tensor.shape)}]; its architecture differs from these options.", option);
                tensor.copy_(value);
            }
        network.FreezeBackbone();
        return network;
    }
}
