using Microsoft.ML.HyperDpo.Modeling.Conditioning;

namespace Microsoft.ML.HyperDpo.Tests.Scoring;

/// <summary>
/// One small fitted model per registered conditioning kind (<see cref="ConditioningRegistry"/>, so a kind added
/// later is covered without editing the tests), shared by the scorer, export and persistence tests.
/// </summary>
internal static class ScorerVariants
{
    private static readonly Dictionary<ConditioningKind, HyperDpoRankingTransformer> Models = new();
    private static readonly object Gate = new();

    public static IEnumerable<ConditioningKind> Kinds => ConditioningRegistry.Kinds;

    /// <summary>True when the kind's network reads the objective weights (it learns the whole front).</summary>
    public static bool ReadsWeights(ConditioningKind kind) => !ConditioningRegistry.Get(kind).IgnoresCondition;

    /// <summary>Fast options for <paramref name="kind"/>: a kind that ignores the weights trains the one trade-off (0.5, 0.5).</summary>
    public static HyperDpoRankingTrainer.Options Options(ConditioningKind kind, int epochs, int seed)
    {
        var options = SyntheticRanking.FastOptions(epochs, seed);
        options.Network.Conditioning = kind;
        if (!ReadsWeights(kind)) options.Loss.FixedObjectiveWeights = new[] { 0.5f, 0.5f };
        return options;
    }

    /// <summary>A model with two hidden layers, trained for a few epochs so that FiLM and hypernetwork weights have left zero.</summary>
    public static HyperDpoRankingTransformer Model(ConditioningKind kind)
    {
        lock (Gate)
        {
            if (!Models.TryGetValue(kind, out var model))
            {
                var ml = new MLContext(seed: 3);
                var options = Options(kind, epochs: 4, seed: 5);
                options.Network.HiddenSizes = new[] { 24, 10 };
                model = ml.Ranking.Trainers.HyperDpo(options).Fit(SyntheticRanking.Load(ml, SyntheticRanking.Rows(30, 5, 12, seed: 21)));
                Models[kind] = model;
            }
            return model;
        }
    }

    /// <summary>Random features (some far outside the training range) and random simplex weights, row-major.</summary>
    public static (float[] Features, float[] Weights) RandomInputs(int rows, int features, int objectives, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows * features];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 3 - 1);
        var w = new float[rows * objectives];
        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            for (int k = 0; k < objectives; k++) sum += w[r * objectives + k] = (float)random.NextDouble() + 1e-3f;
            for (int k = 0; k < objectives; k++) w[r * objectives + k] = (float)(w[r * objectives + k] / sum);
        }
        return (x, w);
    }
}
