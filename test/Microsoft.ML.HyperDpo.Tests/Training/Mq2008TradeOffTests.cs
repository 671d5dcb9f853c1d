using System.Globalization;
using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo.Tests.Training;

/// <summary>
/// Real data: LETOR 4.0 MQ2008 with two objectives, the judged relevance and a PageRank grade (feature 41,
/// slot 40, ranked within each query and cut into five grades 0..4).
/// </summary>
[TestClassWithSkipReasons]
public class Mq2008TradeOffTests
{
    private const int PageRankSlot = 40;

    private sealed class TwoObjectiveRow
    {
        [VectorType(46)]
        public float[] Features { get; set; }
        public float Relevance { get; set; }
        public float PageRankGrade { get; set; }
        public ulong QueryId { get; set; }
    }

    private sealed record LetorLine(float Label, float[] Features, ulong GroupId);

    /// <summary>
    /// Parses a LETOR line, <c>label qid:N 1:v ... 46:v #comment</c>. Not mlContext.Data.LoadFromSvmLightFile:
    /// in ML.NET 5.0.1 it throws on dense files of more than 128 rows ("Duplicate keys found in dataset" or
    /// IndexOutOfRangeException from SvmLightLoader.OutputMapper; dotnet/machinelearning#5566, open).
    /// </summary>
    private static LetorLine Parse(string line)
    {
        var tokens = line.Split('#')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var features = new float[46];
        foreach (string t in tokens.Skip(2))
        {
            int colon = t.IndexOf(':');
            features[int.Parse(t[..colon], CultureInfo.InvariantCulture) - 1] = float.Parse(t[(colon + 1)..], CultureInfo.InvariantCulture);
        }
        return new LetorLine(float.Parse(tokens[0], CultureInfo.InvariantCulture), features, ulong.Parse(tokens[1]["qid:".Length..], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Reads a fold and adds the PageRank grade: within each query, floor(5 * (documents with lower PageRank) / n),
    /// so equal PageRanks share a grade and the highest fifth of a query gets 4.
    /// </summary>
    private static IDataView Read(MLContext ml, string path)
    {
        var rows = File.ReadLines(path).Where(l => l.Length > 0).Select(Parse).ToList();
        var result = new List<TwoObjectiveRow>(rows.Count);
        foreach (var query in rows.GroupBy(r => r.GroupId))
        {
            var docs = query.ToList();
            float[] pageRank = docs.Select(d => d.Features[PageRankSlot]).ToArray();
            foreach (var d in docs)
            {
                int lower = pageRank.Count(p => p < d.Features[PageRankSlot]);
                result.Add(new TwoObjectiveRow
                {
                    Features = d.Features,
                    Relevance = d.Label,
                    PageRankGrade = Math.Min(4, 5 * lower / docs.Count),
                    QueryId = d.GroupId,
                });
            }
        }
        var view = ml.Data.LoadFromEnumerable(result);
        return ml.Transforms.Conversion.MapValueToKey("GroupId", nameof(TwoObjectiveRow.QueryId)).Fit(view).Transform(view);
    }

    [TestMethod]
    public void TrainingImprovesBothObjectivesAndTheWeightGridTradesThemOff()
    {
        string s1 = SharedData.RequireFile("letor4-mq2008/S1.txt");
        string s2 = SharedData.RequireFile("letor4-mq2008/S2.txt");
        var ml = new MLContext(seed: 1);
        var train = Read(ml, s1);
        var test = Read(ml, s2);
        string[] labels = { nameof(TwoObjectiveRow.Relevance), nameof(TwoObjectiveRow.PageRankGrade) };

        HyperDpoRankingTrainer.Options Options(float learningRate, int epochs) => new()
        {
            LabelColumnNames = labels,
            Seed = 3,
            Network = { Conditioning = ConditioningKind.FiLM, HiddenSizes = new[] { 32 }, Dropout = 0 },
            Loss = { Beta = 10 },
            Optimiser = { NumberOfEpochs = epochs, BatchSize = 16, LearningRate = learningRate },
            Runtime = { Device = TorchDevice.Cpu },
        };
        var trained = ml.Ranking.Trainers.HyperDpo(Options(3e-3f, 25)).Fit(train);
        var untrained = ml.Ranking.Trainers.HyperDpo(Options(1e-9f, 1)).Fit(train);

        double[] Ndcg(HyperDpoRankingTransformer model, float wRelevance)
        {
            var scored = model.WithObjectiveWeights(wRelevance, 1 - wRelevance).Transform(test);
            return labels.Select(l => SyntheticRanking.Ndcg(ml, scored, l)).ToArray();
        }

        float[] grid = { 1, 0.75f, 0.5f, 0.25f, 0 };
        var front = grid.Select(w => Ndcg(trained, w)).ToArray();
        double untrainedRelevance = Ndcg(untrained, 1)[0], untrainedPageRank = Ndcg(untrained, 0)[1];
        string figures = string.Join("; ", grid.Select((w, i) => $"w=({w},{1 - w}): relevance {front[i][0]:F4}, PageRank {front[i][1]:F4}")) +
                         $"; untrained: relevance {untrainedRelevance:F4}, PageRank {untrainedPageRank:F4}";
        Console.WriteLine(figures);

        Assert.IsGreaterThan(untrainedRelevance + 0.03, front[0][0], figures);
        Assert.IsGreaterThan(untrainedPageRank + 0.03, front[^1][1], figures);
        Assert.IsGreaterThan(front[^1][0] + 0.02, front[0][0], "the trade-off is visible: " + figures);
        Assert.IsGreaterThan(front[0][1] + 0.02, front[^1][1], "the trade-off is visible: " + figures);
        for (int i = 1; i < grid.Length; i++)
        {
            Assert.IsLessThanOrEqualTo(front[i - 1][0] + 0.01, front[i][0], $"relevance rose from w={grid[i - 1]} to w={grid[i]}: {figures}");
            Assert.IsGreaterThanOrEqualTo(front[i - 1][1] - 0.01, front[i][1], $"PageRank fell from w={grid[i - 1]} to w={grid[i]}: {figures}");
        }
    }
}
