using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Cli;
using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Benchmarks;

/// <summary>
/// <c>benchmark-scoring</c>: scoring speed of HyperDPO against FastTree on the same ~100k rows, in one run:
/// rows per second through a cursor over Score (in memory and after mlContext.Model.Save/Load), single-row latency
/// through a prediction engine (p50, p99), and memory over many single-row predictions. Writes its section of
/// docs/benchmarks.md.
/// </summary>
internal static class ScoringBenchmarkCommand
{
    public static System.CommandLine.Command Create()
    {
        var mq2008 = new Option<string?>("--mq2008") { Description = "Folder with MQ2008's S1.txt..S5.txt; omitted: the embedded synthetic data with 46 features." };
        var output = BenchmarkOptions.BenchmarksPage();
        var rows = new Option<int>("--rows") { Description = "Rows scored per pass.", DefaultValueFactory = _ => 100_000 };
        var predictions = new Option<int>("--predictions") { Description = "Single-row predictions in the memory check.", DefaultValueFactory = _ => 1_000_000 };
        var seed = SharedOptions.Seed("Seed of data and fits.");
        var command = new System.CommandLine.Command("benchmark-scoring", "Scoring throughput, latency and memory of HyperDPO (in memory and after Load) against FastTree.")
        {
            mq2008, output, rows, predictions,
        };
        var trainerFlags = TrainerFlags.Bind(command, ["--epochs"], new Dictionary<string, string> { ["--epochs"] = $"HyperDPO training epochs (default here: {DefaultEpochs}; scoring speed does not depend on them)." });
        command.Options.Add(seed);
        command.SetAction(r => Run(r.GetValue(mq2008), r.GetValue(output)!, r.GetValue(rows), r.GetValue(predictions),
            trainerFlags.Apply(new HyperDpoRankingTrainer.Options { Seed = r.GetValue(seed), Optimiser = { NumberOfEpochs = DefaultEpochs } }, r), r.GetValue(seed)));
        return command;
    }

    /// <summary>Few epochs: the network's size, not its training, sets the scoring speed.</summary>
    private const int DefaultEpochs = 5;

    private static int Run(string? mq2008, string output, int rowCount, int predictionCount, HyperDpoRankingTrainer.Options options, int seed)
    {
        CliPaths.RequireOutputFile(output, "--benchmarks");
        var ml = new MLContext(seed);
        var data = mq2008 is null ? Synthetic46(ml, seed) : Letor(ml, mq2008);
        AnsiConsole.MarkupLine($"[bold]Data:[/] {Markup.Escape(data.Description)}");

        options.LabelColumnNames = data.Objectives;
        int epochs = options.Optimiser.NumberOfEpochs;
        var hyper = ml.Ranking.Trainers.HyperDpo(options)
            .Fit(data.Train).WithObjectiveWeights(0.5f, 0.5f);
        var tree = ml.Ranking.Trainers.FastTree(labelColumnName: data.Objectives[0]).Fit(data.Train);
        string folder = Path.Combine(Path.GetTempPath(), "hyperdpo-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        ITransformer hyperLoaded, hyperLibraryLoaded, treeLoaded;
        try
        {
            hyperLoaded = SaveAndLoad(ml, hyper, data.Train.Schema, Path.Combine(folder, "hyperdpo.zip"));
            hyperLibraryLoaded = new MLContext(1).Model.LoadHyperDpo(Path.Combine(folder, "hyperdpo.zip"));
            treeLoaded = SaveAndLoad(ml, tree, data.Train.Schema, Path.Combine(folder, "fasttree.zip"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        var big = Measurements.Replicate(ml, data.Test!, rowCount);
        var models = new (string Name, ITransformer Model)[]
        {
            ("HyperDPO, in memory", hyper),
            ("HyperDPO, after Load", hyperLoaded),
            ("HyperDPO, after LoadHyperDpo", hyperLibraryLoaded),
            ("FastTree, in memory", tree),
            ("FastTree, after Load", treeLoaded),
        };
        var throughput = new Dictionary<string, double>();
        var latency = new Dictionary<string, (double P50, double P99)>();
        int featureCount = ((VectorDataViewType)big.Schema["Features"].Type).Size;
        var rowsForEngines = big.GetColumn<float[]>("Features").Take(2000).ToArray();
        var schema = SchemaDefinition.Create(typeof(Measurements.ScoringRow));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);
        AnsiConsole.Status().Start("Measuring", context =>
        {
            foreach (var (name, model) in models)
            {
                context.Status($"{name}: rows/s");
                var scored = model.Transform(big);
                Measurements.RowsPerSecond(scored);
                throughput[name] = Enumerable.Range(0, 3).Max(_ => Measurements.RowsPerSecond(scored));
                context.Status($"{name}: latency");
                latency[name] = Latency(ml.Model.CreatePredictionEngine<Measurements.ScoringRow, ScoreOutput>(model, inputSchemaDefinition: schema), rowsForEngines);
            }
        });
        var memory = new List<(string Name, MemoryTrace Trace)>();
        foreach (var (name, model) in models.Where(m => m.Name.StartsWith("HyperDPO", StringComparison.Ordinal)))
        {
            AnsiConsole.MarkupLine($"{Markup.Escape(name)}: {predictionCount:N0} single-row predictions...");
            memory.Add((name, MemoryOver(ml.Model.CreatePredictionEngine<Measurements.ScoringRow, ScoreOutput>(model, inputSchemaDefinition: schema), rowsForEngines, predictionCount)));
        }

        var md = new StringBuilder();
        md.AppendLine("## Scoring: HyperDPO vs. FastTree, in memory and after Save/Load").AppendLine();
        md.AppendLine(ReportHeader.WrittenBy(Program.Run, Invariant($", {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}, Vector<float> of {System.Numerics.Vector<float>.Count} lanes")) + ".");
        md.AppendLine();
        md.AppendLine(Invariant($"{data.Description}. HyperDPO: default network ({Defaults.Network.Conditioning}, {string.Join("-", Defaults.Network.HiddenSizes)}), {epochs} epochs, scored at w = (0.5, 0.5); FastTree: LambdaMART with defaults on {data.Objectives[0]}. "));
        md.AppendLine(Invariant($"Throughput: {big.GetRowCount():N0} test rows (replicated, cached), a cursor over Score, best of three passes after a warm-up pass. Latency: `PredictionEngine.Predict` on one row, {LatencyCalls:N0} calls after {LatencyCalls / 10:N0} warm-up calls. "));
        md.AppendLine("In memory and after `mlContext.Model.LoadHyperDpo` HyperDPO scores with its managed forward pass (docs/persistence.md); after stock `Load` it is ML.NET's OnnxTransformer, which calls ONNX Runtime once per row.").AppendLine();
        md.AppendLine("| model | rows/s | vs. FastTree in memory | latency p50, us | latency p99, us |");
        md.AppendLine("|---|---|---|---|---|");
        double baseline = throughput["FastTree, in memory"];
        foreach (var (name, _) in models)
            md.AppendLine(Invariant($"| {name} | {throughput[name]:N0} | {throughput[name] / baseline:F2} | {latency[name].P50:F1} | {latency[name].P99:F1} |"));
        md.AppendLine();
        md.AppendLine(Invariant($"HyperDPO after LoadHyperDpo against FastTree after Load: {throughput["HyperDPO, after LoadHyperDpo"] / throughput["FastTree, after Load"]:F2}x the rows/s.")).AppendLine();
        md.AppendLine(Invariant($"Memory over {predictionCount:N0} single-row predictions through one prediction engine (managed heap after a full collection, and the process working set, after 10,000 warm-up predictions and then every quarter):")).AppendLine();
        md.AppendLine("| model | managed heap, MB (start -> end, max) | working set, MB (start -> end, max) | us per prediction |");
        md.AppendLine("|---|---|---|---|");
        foreach (var (name, trace) in memory)
            md.AppendLine(Invariant($"| {name} | {trace.Heap[0] / 1e6:F1} -> {trace.Heap[^1] / 1e6:F1}, {trace.Heap.Max() / 1e6:F1} | {trace.WorkingSet[0] / 1e6:F0} -> {trace.WorkingSet[^1] / 1e6:F0}, {trace.WorkingSet.Max() / 1e6:F0} | {trace.MicrosecondsPerPrediction:F2} |"));
        BenchmarkReport.Publish(output, "benchmark-scoring", md.ToString());
        return 0;
    }

    private const int LatencyCalls = 20_000;

    private sealed class ScoreOutput
    {
        public float Score { get; set; }
    }

    private sealed record MemoryTrace(List<long> Heap, List<long> WorkingSet, double MicrosecondsPerPrediction);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static RankingDataSets Synthetic46(MLContext ml, int seed)
    {
        var splits = SyntheticRankingData.GenerateSplits(ml, new SyntheticRankingDataOptions { Seed = seed, Features = 46 });
        return new RankingDataSets(splits.Train, splits.Validation, splits.Test, new[] { "Relevance", "Quality" },
            $"Embedded synthetic data (SyntheticRankingData, 46 features, seed {seed}): objectives Relevance and Quality");
    }

    private static RankingDataSets Letor(MLContext ml, string folder)
    {
        var (train, _, test) = Mq2008Folds.Files(folder, 1);
        var data = RankingDataSets.FromLetor(ml, train, Array.Empty<string>(), test, ObjectiveSpec.ParseList("label,feature:41:higher"));
        return data with { Description = "MQ2008 Fold1 (train S1-S3, test S5), objectives relevance and PageRank (feature 41, removed from the 46 inputs)" };
    }

    private static ITransformer SaveAndLoad(MLContext ml, ITransformer model, DataViewSchema schema, string path)
    {
        ml.Model.SaveAtomically(model, schema, path);
        return new MLContext(1).Model.LoadWithClearErrors(path, out _);
    }

    private static (double P50, double P99) Latency(PredictionEngine<Measurements.ScoringRow, ScoreOutput> engine, float[][] rows)
    {
        var input = new Measurements.ScoringRow();
        for (int i = 0; i < LatencyCalls / 10; i++)
        {
            input.Features = rows[i % rows.Length];
            engine.Predict(input);
        }
        var ticks = new long[LatencyCalls];
        for (int i = 0; i < LatencyCalls; i++)
        {
            input.Features = rows[i % rows.Length];
            long start = Stopwatch.GetTimestamp();
            engine.Predict(input);
            ticks[i] = Stopwatch.GetTimestamp() - start;
        }
        Array.Sort(ticks);
        double Micro(double quantile) => ticks[(int)(quantile * (ticks.Length - 1))] * 1e6 / Stopwatch.Frequency;
        return (Micro(0.50), Micro(0.99));
    }

    private static MemoryTrace MemoryOver(PredictionEngine<Measurements.ScoringRow, ScoreOutput> engine, float[][] rows, int count)
    {
        var input = new Measurements.ScoringRow();
        var heap = new List<long>();
        var workingSet = new List<long>();
        void Sample()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            heap.Add(GC.GetTotalMemory(forceFullCollection: true));
            using var process = Process.GetCurrentProcess();
            workingSet.Add(process.WorkingSet64);
        }
        for (int i = 0; i < 10_000; i++)
        {
            input.Features = rows[i % rows.Length];
            engine.Predict(input);
        }
        Sample();
        var clock = Stopwatch.StartNew();
        int quarter = Math.Max(1, count / 4);
        for (int i = 0; i < count; i++)
        {
            input.Features = rows[i % rows.Length];
            engine.Predict(input);
            if ((i + 1) % quarter == 0)
            {
                clock.Stop();
                Sample();
                clock.Start();
            }
        }
        return new MemoryTrace(heap, workingSet, clock.Elapsed.TotalMilliseconds * 1000 / count);
    }

    private static readonly HyperDpoRankingTrainer.Options Defaults = new();
}
