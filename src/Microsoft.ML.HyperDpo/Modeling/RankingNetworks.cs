using Microsoft.ML.HyperDpo.Modeling.Transformer;

namespace Microsoft.ML.HyperDpo.Modeling;

/// <summary>Builds the scoring network the options name (<see cref="HyperDpoRankingTrainer.NetworkOptions.Architecture"/>).</summary>
internal static class RankingNetworks
{
    /// <summary>A network with fresh parameters for <paramref name="features"/> features and <paramref name="objectives"/> objectives.</summary>
    public static IRankingNetwork Create(HyperDpoRankingTrainer.Options o, int features, int objectives, float[] mean, float[] scale)
    {
        int width = ConditionVector.Width(objectives, o.Loss.TemperatureRange is not null);
        return o.Network.Architecture == RankerArchitecture.Transformer
            ? new TransformerRanker(new TransformerShape(features, width, o.Network.Conditioning, o.Network.TransformerWidth, o.Network.AttentionHeads, o.Network.TransformerBlocks, o.Network.PromptCount, o.Network.Dropout,
                o.Network.TransformerDocumentScorer ? o.Network.HiddenSizes : null), mean, scale)
            : new ConditionedScorer(features, width, o.Network.HiddenSizes, o.Network.Dropout, o.Network.Conditioning, mean, scale,
                o.References.Reweighting == ReferenceReweighting.PerObjective ? objectives : 0);
    }

    /// <summary>
    /// A lower bound on the parameter count of the network the options describe for <paramref name="features"/> inputs, from the
    /// numbers alone: the feature standardisation (2F) and the weights of the layers every kind has (F x H1, H1 x H2, ... for
    /// the MLP; F x width for the transformer's input projection). A saved state smaller than this cannot be of that network,
    /// so loaders refuse it before building anything. A double, since crafted numbers overflow a long.
    /// </summary>
    public static double LeastParameters(HyperDpoRankingTrainer.Options o, long features) =>
        LeastParameters(o.Network.Architecture, features, o.Network.HiddenSizes, o.Network.TransformerWidth);

    /// <inheritdoc cref="LeastParameters(HyperDpoRankingTrainer.Options, long)"/>
    public static double LeastParameters(RankerArchitecture architecture, long features, IReadOnlyList<int> hiddenSizes, int transformerWidth)
    {
        double least = 2.0 * features;
        if (architecture == RankerArchitecture.Transformer)
            return least + (double)features * transformerWidth;
        double inputs = features;
        foreach (int h in hiddenSizes)
        {
            least += inputs * h;
            inputs = h;
        }
        return least;
    }

    /// <summary>An untrained network of the same architecture as <paramref name="o"/>, for saved state to be read into.</summary>
    public static IRankingNetwork CreateEmpty(HyperDpoRankingTrainer.Options o, int features, int objectives) =>
        Create(o, features, objectives, new float[features], Enumerable.Repeat(1f, features).ToArray());
}
