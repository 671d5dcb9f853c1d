using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Cli;
using Spectre.Console;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Benchmarks;

/// <summary>
/// <c>benchmark-web</c>: one HyperDPO fit and one FastTree fit on MSLR-WEB30K-shaped synthetic data
/// (<see cref="WebScaleRankingData"/>, a fraction of its 31.5k queries): fit times, documents/s, useful FLOP/s (real
/// documents only) against TorchSharp's matmul rate at the same thread count in the same run, relevance NDCG@10 on the
/// test queries, and peak memory against the raw feature bytes. Writes its section of docs/benchmarks.md.
/// </summary>
internal static class WebScaleBenchmarkCommand
{
    public static System.CommandLine.Command Create()
    {
        var fraction = new Option<double>("--fraction") { Description = "Fraction of MSLR-WEB30K's 31,531 queries to generate (1 = full size).", DefaultValueFactory = _ => 1.0 };
        var sweep = SharedOptions.Numbers("--sweep-rows-per-step", "Comma-separated rows-per-step values: fit HyperDPO once with each (no FastTree) and compare their validation fronts; 1 keeps BatchSize lists per step. Writes the benchmark-web-steps section.");
        var output = BenchmarkOptions.BenchmarksPage();
        var command = new System.CommandLine.Command("benchmark-web", "HyperDPO against FastTree on MSLR-WEB30K-shaped synthetic data: fit time, throughput, FLOP/s, NDCG@10, peak memory.")
        {
            fraction,
        };
        var trainerFlags = TrainerFlags.Bind(command, ["--epochs", "--batch-size", "--threads", "--rows-per-step"], new Dictionary<string, string>
        {
            ["--epochs"] = "HyperDPO epochs (default: the trainer's, with early stopping on the validation queries).",
            ["--threads"] = "LibTorch threads for the fit and the matmul reference (NumberOfThreads; default: the trainer's).",
        });
        command.Options.Add(sweep);
        command.Options.Add(output);
        command.SetAction(r =>
        {
            Queries(r.GetValue(fraction));
            CliPaths.RequireOutputFile(r.GetValue(output), "--benchmarks");
            // The fits' options: the objectives and seed of this benchmark, then the flags given.
            HyperDpoRankingTrainer.Options Options() => trainerFlags.Apply(new HyperDpoRankingTrainer.Options { LabelColumnNames = WebScaleRankingData.Objectives.ToArray(), Seed = 1 }, r);
            return r.GetValue(sweep) is { } values
                ? Sweep(r.GetValue(fraction), Options, NumberList.ParseCounts(values, "--sweep-rows-per-step"), r.GetValue(output)!)
                : Run(r.GetValue(fraction), Options(), r.GetValue(output)!);
        });
        return command;
    }

    private static int Queries(double fraction) => fraction > 0 && fraction <= 1
        ? Math.Max(10, (int)Math.Round(WebScaleRankingData.FullQueryCount * fraction))
        : throw new ArgumentException($"--fraction must be in (0, 1]; got {fraction}.");

    /// <summary>
    /// Rows per step on the validation queries only: one HyperDPO fit per value, the same epochs each, and the validation figure
    /// early stopping follows (the hypervolume of per-objective NDCG@10 over the weight lattice) at the epoch kept.
    /// </summary>
    private static int Sweep(double fraction, Func<HyperDpoRankingTrainer.Options> trainerOptions, int[] values, string output)
    {
        int queries = Queries(fraction);
        var (train, validation, _) = WebScaleRankingData.GenerateSplits(queries, seed: 1);
        var ml = new MLContext(1);
        var md = new StringBuilder();
        md.AppendLine("## Web-sized training: rows per step, chosen on the validation queries").AppendLine();
        md.AppendLine(ReportHeader.WrittenBy(Program.Run) + ".");
        md.AppendLine();
        md.AppendLine(Invariant($"`WebScaleRankingData`, {queries:N0} queries, {train.GetRowCount():N0} training documents; HyperDPO with default options except `LargeData.RowsPerStep` (1: `Optimiser.BatchSize` lists per step; the other large-data settings apply to every fit). Documents/s are wall-clock figures of one fit each, as noisy as the machine's load. "));
        md.AppendLine("Validation figure: the early-stopping figure (hypervolume of the per-objective NDCG@10 over the weight lattice) on the validation queries, at the epoch kept. The test queries are not used.").AppendLine();
        md.AppendLine("| rows per step | lists per step | learning rate | epochs (kept) | validation figure | documents/s | fit s |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (int rows in values)
        {
            var options = trainerOptions();
            options.LargeData.RowsPerStep = rows;
            var clock = Stopwatch.StartNew();
            var report = ml.Ranking.Trainers.HyperDpo(options).Fit(train, validation).TrainingReport!;
            double seconds = clock.Elapsed.TotalSeconds;
            double figure = report.Epochs.Single(r => r.Epoch == report.BestEpoch).ValidationScore!.Value;
            string line = Invariant($"| {rows:N0} | {report.ListsPerStep} | {report.LearningRate:G3} | {report.Epochs.Count} ({report.BestEpoch}) | {figure:F4} | {report.DocumentsProcessed / report.TrainingTime.TotalSeconds:N0} | {seconds:F1} |");
            AnsiConsole.WriteLine(line);
            md.AppendLine(line);
        }
        BenchmarkReport.Publish(output, "benchmark-web-steps", md.ToString());
        return 0;
    }

    private static int Run(double fraction, HyperDpoRankingTrainer.Options options, string output)
    {
        int queries = Queries(fraction);
        var (train, validation, test) = WebScaleRankingData.GenerateSplits(queries, seed: 1);
        long trainRows = train.GetRowCount()!.Value;
        double rawFeatureBytes = trainRows * (double)WebScaleRankingData.FeatureCount * sizeof(float);
        AnsiConsole.MarkupLine(Invariant($"Generated {queries:N0} queries: {trainRows:N0} training documents ({rawFeatureBytes / 1e6:N0} MB of float32 features), {validation.GetRowCount():N0} validation, {test.GetRowCount():N0} test."));

        var ml = new MLContext(1);
        using var process = Process.GetCurrentProcess();
        GC.Collect();
        process.Refresh();
        long baseline = process.WorkingSet64;

        // The fixed overhead (LibTorch, ML.NET, the network, the optimiser): the peak of a two-epoch fit on 20 queries
        // (about 2,400 documents), measured first because the peak working set only grows.
        var (tinyTrain, tinyValidation, _) = WebScaleRankingData.GenerateSplits(25, seed: 2);
        var tinyOptions = new HyperDpoRankingTrainer.Options { LabelColumnNames = options.LabelColumnNames, Seed = 1, Optimiser = { NumberOfEpochs = 2, BatchSize = options.Optimiser.BatchSize }, Runtime = { NumberOfThreads = options.Runtime.NumberOfThreads } };
        ml.Ranking.Trainers.HyperDpo(tinyOptions).Fit(tinyTrain, tinyValidation);
        process.Refresh();
        long overhead = process.PeakWorkingSet64 - baseline;

        // The matmul reference is measured just before and just after the fit, at its thread count, so that it sees the same
        // load from other processes (the mean of the two is reported).
        int fitThreads = options.Runtime.NumberOfThreads ?? get_num_threads();
        double matmulBefore = Measurements.MatmulRate(fitThreads);
        AnsiConsole.MarkupLine("Fitting HyperDPO...");
        var clock = Stopwatch.StartNew();
        var hyper = ml.Ranking.Trainers.HyperDpo(options).Fit(train, validation);
        double hyperSeconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        long peak = process.PeakWorkingSet64;
        double matmulAfter = Measurements.MatmulRate(fitThreads);

        AnsiConsole.MarkupLine("Fitting FastTree...");
        clock.Restart();
        var tree = ml.Ranking.Trainers.FastTree(labelColumnName: "Label").Fit(train);
        double treeSeconds = clock.Elapsed.TotalSeconds;

        double Ndcg10(IDataView scored) => ml.Ranking.Evaluate(scored, labelColumnName: "Label").NormalizedDiscountedCumulativeGains[9];
        double hyperNdcg = Ndcg10(hyper.WithObjectiveWeights(1, 0, 0).Transform(test));
        double treeNdcg = Ndcg10(tree.Transform(test));

        var report = hyper.TrainingReport!;
        double flopsPerDocument = 6.0 * hyper.ScoringModel.Network.Module.parameters().Where(p => p.dim() == 2).Sum(p => (double)p.shape[0] * p.shape[1]);
        double documentsPerSecond = report.DocumentsProcessed / report.TrainingTime.TotalSeconds;
        double usefulFlops = documentsPerSecond * flopsPerDocument;
        double matmul = (matmulBefore + matmulAfter) / 2;
        int validationQueries = queries / 10;
        int validationUsed = trainRows >= options.LargeData.Rows ? Math.Min(validationQueries, options.LargeData.ValidationLists) : validationQueries;

        var md = new StringBuilder();
        md.AppendLine("## Web-sized training: MSLR-WEB30K-shaped synthetic data").AppendLine();
        md.AppendLine(ReportHeader.WrittenBy(Program.Run) + ".");
        md.AppendLine();
        md.AppendLine(Invariant($"`WebScaleRankingData`, {queries:N0} queries ({fraction:P1} of MSLR-WEB30K's 31,531), 136 features, objectives relevance (MSLR's label shares), quality and freshness; split 80/10/10 by query: {trainRows:N0} training documents. "));
        md.AppendLine(Invariant($"HyperDPO: default options ({options.Network.Conditioning}, {string.Join("-", options.Network.HiddenSizes)}, {fitThreads} LibTorch thread(s); {(trainRows >= options.LargeData.Rows ? "large-data settings" : "below LargeData.Rows, so the small-data settings")}: {report.ListsPerStep} lists per step at learning rate {report.LearningRate:G3}), early stopping on {validationUsed:N0} of the {validationQueries:N0} validation queries; FastTree: LambdaMART with defaults on the relevance label. NDCG@10 of relevance on the test queries by `mlContext.Ranking.Evaluate`, HyperDPO at w = (1, 0, 0).")).AppendLine();
        md.AppendLine("| figure | HyperDPO | FastTree | ratio |");
        md.AppendLine("|---|---|---|---|");
        md.AppendLine(Invariant($"| fit wall time, s (data read included) | {hyperSeconds:F1} | {treeSeconds:F1} | {hyperSeconds / treeSeconds:F2} |"));
        md.AppendLine(Invariant($"| relevance NDCG@10, test | {hyperNdcg:F4} | {treeNdcg:F4} | {hyperNdcg / treeNdcg:F3} |"));
        md.AppendLine();
        md.AppendLine(Invariant($"HyperDPO: {report.Epochs.Count} epochs (kept {report.BestEpoch}), {documentsPerSecond:N0} real documents/s ({(double)report.DocumentsProcessed / report.PaddedDocumentsProcessed:P0} of the padded slots are real documents: lists are bucketed by length), {flopsPerDocument:N0} FLOP per document (forward + backward), "));
        md.AppendLine(Invariant($"so {usefulFlops / 1e9:F2} GFLOP/s of useful work (real documents only), against {matmul / 1e9:F1} GFLOP/s for a 1024x1024 fp32 matmul in TorchSharp with {fitThreads} thread(s) in the same run (mean of {matmulBefore / 1e9:F1} just before the fit and {matmulAfter / 1e9:F1} just after): {usefulFlops / matmul:P1}. "));
        double perRawByte = (peak - baseline - overhead) / rawFeatureBytes;
        md.AppendLine(Invariant($"Memory: the process's peak working set grew by {(peak - baseline) / 1e6:N0} MB during the fits; a two-epoch fit on 20 queries first measured the fixed overhead (LibTorch, ML.NET, network, optimiser) at {overhead / 1e6:N0} MB, "));
        md.AppendLine(Invariant($"so the data-dependent part is {(peak - baseline - overhead) / 1e6:N0} MB for {rawFeatureBytes / 1e6:N0} MB of raw training features (training documents x 136 features x 4 bytes of float32): {perRawByte:F2}x (bound: 1.5x plus the fixed overhead). The fit reads the lazy view once into one compact float32 copy of the features, which LibTorch's tensors share on the CPU; the validation lists (a tenth of the queries) are a second, smaller copy, counted in the data-dependent part. "));
        md.AppendLine("Memory is the process's peak working set (`Process.PeakWorkingSet64`), read after the HyperDPO fit and before FastTree's, so FastTree's own memory does not enter it.");
        BenchmarkReport.Publish(output, "benchmark-web", md.ToString());
        return 0;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
