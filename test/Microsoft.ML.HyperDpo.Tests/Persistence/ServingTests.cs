using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Tests.Scoring;

namespace Microsoft.ML.HyperDpo.Tests.Persistence;

[TestClass]
public class ServingTests
{
    private static ITransformer LoadedModel(MLContext ml, out IDataView data)
    {
        data = SyntheticRanking.Load(ml, SyntheticRanking.Rows(40, 5, 10, seed: 70));
        string path = Path.Combine(Path.GetTempPath(), "hyperdpo-serving-" + Guid.NewGuid().ToString("N") + ".zip");
        try
        {
            ml.Model.SaveAtomically(ScorerVariants.Model(ConditioningKind.FiLM).WithObjectiveWeights(0.4f, 0.6f), data.Schema, path);
            return new MLContext(5).Model.LoadWithClearErrors(path, out _);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void LoadedModelScoresFromEightThreadsExactlyAsFromOne()
    {
        var ml = new MLContext(1);
        var loaded = LoadedModel(ml, out var data);
        var rows = ml.Data.CreateEnumerable<RankingRow>(data, reuseRowObject: false).ToList();
        var reference = ml.Model.CreatePredictionEngine<RankingRow, ScoreRow>(loaded);
        float[] expected = rows.Select(r => reference.Predict(r).Score).ToArray();

        var results = new float[8][];
        using var start = new Barrier(8);
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            // One prediction engine per thread: an engine is not thread-safe, the loaded model is.
            var engine = ml.Model.CreatePredictionEngine<RankingRow, ScoreRow>(loaded);
            var mine = new float[rows.Count];
            start.SignalAndWait();
            for (int pass = 0; pass < 3; pass++)
                for (int i = 0; i < rows.Count; i++)
                {
                    int r = (i * 7 + t * 13) % rows.Count;
                    mine[r] = engine.Predict(rows[r]).Score;
                }
            results[t] = mine;
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        for (int t = 0; t < 8; t++)
            CollectionAssert.AreEqual(expected, results[t], $"thread {t}");
    }

    [TestMethod]
    public void MemoryStaysFlatOverManySingleRowPredictions()
    {
        var ml = new MLContext(1);
        var loaded = LoadedModel(ml, out var data);
        var row = ml.Data.CreateEnumerable<RankingRow>(data, reuseRowObject: false).First();
        var engines = new (string Name, PredictionEngine<RankingRow, ScoreRow> Engine)[]
        {
            ("loaded", ml.Model.CreatePredictionEngine<RankingRow, ScoreRow>(loaded)),
            ("in memory", ml.Model.CreatePredictionEngine<RankingRow, ScoreRow>(ScorerVariants.Model(ConditioningKind.FiLM))),
        };
        foreach (var (name, engine) in engines)
        {
            for (int i = 0; i < 2000; i++) engine.Predict(row);
            long before = Settled();
            for (int i = 0; i < 30_000; i++) engine.Predict(row);
            long growth = Settled() - before;
            // A leak of even 100 bytes per prediction would show as 3 MB here.
            Assert.IsLessThan(1_000_000, growth, $"{name}: managed memory grew by {growth:N0} bytes over 30,000 predictions");
        }
    }

    private static long Settled()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
