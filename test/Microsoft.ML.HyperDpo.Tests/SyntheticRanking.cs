using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo.Tests;

/// <summary>One document of the synthetic two-objective ranking data.</summary>
public sealed class RankingRow
{
    [VectorType(SyntheticRanking.FeatureCount)]
    public float[] Features { get; set; }

    /// <summary>Objective A: a grade 0..4 that rises with feature 0.</summary>
    public float RelevanceA { get; set; }

    /// <summary>Objective B: a grade 0..4 that rises with feature 1.</summary>
    public float RelevanceB { get; set; }

    /// <summary>The query, as a plain number; <see cref="SyntheticRanking.Load"/> maps it to the key column GroupId.</summary>
    public uint QueryId { get; set; }
}

/// <summary>A row with one feature more than <see cref="SyntheticRanking.FeatureCount"/>.</summary>
public sealed class FiveFeatureRow
{
    [VectorType(5)]
    public float[] Features { get; set; }
    public float RelevanceA { get; set; }
    public float RelevanceB { get; set; }
    public uint QueryId { get; set; }
}

/// <summary>The Score column that a HyperDPO transformer adds, for prediction engines and CreateEnumerable.</summary>
public sealed class ScoreRow
{
    public float Score { get; set; }
}

/// <summary>
/// Small in-memory ranking data with two conflicting objectives: A's label is feature 0 graded into 0..4,
/// B's is feature 1 graded into 0..4, features 2 and 3 are noise. Features 0 and 1 are independent, so a
/// ranking good for one objective is no better than random for the other, and a model that learned both
/// shows it by ranking differently at w = (1, 0) and w = (0, 1).
/// </summary>
internal static class SyntheticRanking
{
    public const int FeatureCount = 4;
    public const string LabelA = nameof(RankingRow.RelevanceA);
    public const string LabelB = nameof(RankingRow.RelevanceB);
    public static readonly string[] Labels = { LabelA, LabelB };

    /// <summary>
    /// <paramref name="queries"/> queries of <paramref name="minDocs"/>..<paramref name="maxDocs"/> documents each, in query
    /// order (contiguous groups, as ML.NET's evaluator needs), reproducible from <paramref name="seed"/>.
    /// </summary>
    public static List<RankingRow> Rows(int queries, int minDocs, int maxDocs, int seed)
    {
        var random = new Random(seed);
        var rows = new List<RankingRow>();
        for (uint q = 0; q < queries; q++)
        {
            int docs = random.Next(minDocs, maxDocs + 1);
            for (int d = 0; d < docs; d++)
            {
                var f = new float[FeatureCount];
                for (int j = 0; j < FeatureCount; j++) f[j] = (float)random.NextDouble();
                rows.Add(new RankingRow { Features = f, RelevanceA = Grade(f[0]), RelevanceB = Grade(f[1]), QueryId = 100 + q });
            }
        }
        return rows;
    }

    private static float Grade(float x) => Math.Min(4, (int)(5 * x));

    /// <summary>The rows as a data view with the key column GroupId made from QueryId (MapValueToKey).</summary>
    public static IDataView Load(MLContext mlContext, IEnumerable<RankingRow> rows)
    {
        var view = mlContext.Data.LoadFromEnumerable(rows);
        return mlContext.Transforms.Conversion.MapValueToKey("GroupId", nameof(RankingRow.QueryId)).Fit(view).Transform(view);
    }

    /// <summary>Options for a fit that takes well under a second on this data: a small network, no dropout, a constant rate.</summary>
    public static HyperDpoRankingTrainer.Options FastOptions(int epochs = 10, int seed = 1) => new()
    {
        LabelColumnNames = (string[])Labels.Clone(),
        Seed = seed,
        Network = { HiddenSizes = new[] { 16 }, Dropout = 0 },
        Optimiser = { NumberOfEpochs = epochs, BatchSize = 8, LearningRate = 0.01f, LearningRateSchedule = LearningRateSchedule.Constant },
        Runtime = { Device = TorchDevice.Cpu },
    };

    /// <summary>A FastTree LambdaMART ranker on <paramref name="label"/> small enough to fit this data in a moment: a reference model.</summary>
    public static IEstimator<ITransformer> SmallFastTree(MLContext mlContext, string label, int trees) =>
        mlContext.Ranking.Trainers.FastTree(new Microsoft.ML.Trainers.FastTree.FastTreeRankingTrainer.Options
        {
            LabelColumnName = label, NumberOfTrees = trees, NumberOfLeaves = 4, MinimumExampleCountPerLeaf = 2,
        });

    /// <summary>The Score column of <paramref name="scored"/>.</summary>
    public static float[] Scores(IDataView scored) => scored.GetColumn<float>("Score").ToArray();

    /// <summary>NDCG@<paramref name="k"/> of <paramref name="label"/> by mlContext.Ranking.Evaluate (default gains).</summary>
    public static double Ndcg(MLContext mlContext, IDataView scored, string label, int k = 10) =>
        mlContext.Ranking.Evaluate(scored, label, "GroupId").NormalizedDiscountedCumulativeGains[k - 1];
}
