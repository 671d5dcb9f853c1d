using Microsoft.ML.HyperDpo.Modeling.Transformer;

namespace Microsoft.ML.HyperDpo.Modeling;

/// <summary>Builds the scoring network the options name (<see cref="HyperDpoRankingTrainer.Options.Architecture"/>).</summary>
internal static class RankingNetworks
{
    /// <summary>A network with fresh parameters for <paramref name="features"/> features and <paramref name="objectives"/> objectives.</summary>
    public static IRankingNetwork Create(HyperDpoRankingTrainer.Options o, int features, int objectives, float[] mean, float[] scale)
    {
        int width = ConditionVector.Width(objectives, o.TemperatureRange is not null);
        return o.Architecture == RankerArchitecture.Transformer
            ? new TransformerRanker(new TransformerShape(features, width, o.Conditioning, o.TransformerWidth, o.AttentionHeads, o.TransformerBlocks, o.PromptCount, o.Dropout), mean, scale)
            : new ConditionedScorer(features, width, o.HiddenSizes, o.Dropout, o.Conditioning, mean, scale);
    }

    /// <summary>An untrained network of the same architecture as <paramref name="o"/>, for saved state to be read into.</summary>
    public static IRankingNetwork CreateEmpty(HyperDpoRankingTrainer.Options o, int features, int objectives) =>
        Create(o, features, objectives, new float[features], Enumerable.Repeat(1f, features).ToArray());
}
