namespace Microsoft.ML.HyperDpo.Tests.Scoring;

/// <summary>
/// One small fitted model per conditioning kind (every value of <see cref="ConditioningKind"/>, so a kind added
/// later is covered without editing the tests), shared by the scorer, export and persistence tests.
/// </summary>
internal static class ScorerVariants
{
    private static readonly Dictionary<ConditioningKind, HyperDpoRankingTransformer> Models = new();
    private static readonly object Gate = new();

    public static IEnumerable<ConditioningKind> Kinds => Enum.GetValues<ConditioningKind>();

    /// <summary>A model with two hidden layers, trained for a few epochs so that FiLM and hypernetwork weights have left zero.</summary>
    public static HyperDpoRankingTransformer Model(ConditioningKind kind)
    {
        lock (Gate)
        {
            if (!Models.TryGetValue(kind, out var model))
            {
                var ml = new MLContext(seed: 3);
                var options = SyntheticRanking.FastOptions(epochs: 4, seed: 5);
                options.Conditioning = kind;
                options.HiddenSizes = new[] { 24, 10 };
                // An unconditioned network (ConditioningKind.None, added on another branch) trains one trade-off and
                // requires the option that names it; set through reflection so that this file compiles on either side.
                if (kind.ToString() == "None")
                    typeof(HyperDpoRankingTrainer.Options).GetProperty("FixedObjectiveWeights")?.SetValue(options, new[] { 0.5f, 0.5f });
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
