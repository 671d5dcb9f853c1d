using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Evaluation;
using Microsoft.ML.HyperDpo.Cli;
using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Benchmarks;

/// <summary>
/// <c>benchmark</c>: on MQ2008 Fold1 (train S1-S3, valid S4, test S5), relevance vs. PageRank (feature 41,
/// graded within the query and removed from the inputs), one HyperDPO fit against 11 FastTree LambdaMART fits on
/// scalarised labels, in one run. Prints a table and writes its section of docs/benchmarks.md.
/// </summary>
internal static class BenchmarkCommand
{
    private const int GridDivisions = 10;

    public static System.CommandLine.Command Create()
    {
        var data = BenchmarkOptions.Mq2008();
        var output = BenchmarkOptions.BenchmarksPage();
        var seed = SharedOptions.Seed("Seed of the HyperDPO fit.");
        var command = new System.CommandLine.Command("benchmark", "HyperDPO vs. FastTree LambdaMART on MQ2008 Fold1: fronts, hypervolume, time, scoring and training throughput.") { data, output, seed };
        command.SetAction(r => Run(r.GetValue(data)!, r.GetValue(output)!, r.GetValue(seed)));
        return command;
    }

    private static int Run(string folder, string output, int seed)
    {
        CliPaths.RequireOutputFile(output, "--benchmarks");
        var (train, valid, test) = Mq2008Folds.Files(folder, 1);
        var ml = new MLContext(seed);
        var objectives = ObjectiveSpec.ParseList("label,feature:41:higher");
        var data = RankingDataSets.FromLetor(ml, train, valid, test, objectives);
        var grid = SimplexLattice.Points(2, GridDivisions);

        var clock = Stopwatch.StartNew();
        var hyper = TrainingProgressBar.Fit(ml, new HyperDpoRankingTrainer.Options { LabelColumnNames = data.Objectives, Seed = seed }, data);
        double hyperSeconds = clock.Elapsed.TotalSeconds;
        var hyperFront = ObjectiveNdcg.AlongGrid(ml, hyper, data.Test!, grid).Select(r => r.At(10)).ToList();

        var treeFront = new List<double[]>();
        ITransformer? middleTree = null;
        double treeSeconds = 0;
        AnsiConsole.Progress().Start(context =>
        {
            var task = context.AddTask("FastTree LambdaMART, one fit per weight", maxValue: grid.Count);
            foreach (var w in grid)
            {
                var scalarised = ScalariseLabels(ml, data.Train, data.Objectives, w[0]);
                clock.Restart();
                var tree = ml.Ranking.Trainers.FastTree(labelColumnName: "Scalarised").Fit(scalarised);
                treeSeconds += clock.Elapsed.TotalSeconds;
                treeFront.Add(ObjectiveNdcg.Measure(ml, tree.Transform(data.Test!), data.Objectives).Select(n => n[9]).ToArray());
                if (Math.Abs(w[0] - 0.5f) < 1e-6) middleTree = tree;
                task.Increment(1);
            }
        });

        var bigTest = Measurements.Replicate(ml, data.Test!, 100_000);
        var hyperScored = hyper.WithObjectiveWeights(0.5f, 0.5f).Transform(bigTest);
        var treeScored = middleTree!.Transform(bigTest);
        // Best of three passes each, after a pass that fills the data cache and compiles the code paths.
        Measurements.RowsPerSecond(treeScored);
        double hyperRowsPerSecond = Enumerable.Range(0, 3).Max(_ => Measurements.RowsPerSecond(hyperScored));
        double treeRowsPerSecond = Enumerable.Range(0, 3).Max(_ => Measurements.RowsPerSecond(treeScored));
        var report = hyper.TrainingReport!;
        double docsPerSecond = report.DocumentsProcessed / report.TrainingTime.TotalSeconds;
        double flopsPerSlot = 6.0 * hyper.ScoringModel.Network.Module.parameters().Where(p => p.dim() == 2).Sum(p => (double)p.shape[0] * p.shape[1]);
        double impliedFlops = report.PaddedDocumentsProcessed / report.TrainingTime.TotalSeconds * flopsPerSlot;
        double matmulFlops = Measurements.MatmulRate();

        double hvHyper = Hypervolume.Compute(hyperFront), hvTree = Hypervolume.Compute(treeFront);
        var md = new StringBuilder();
        md.AppendLine("## MQ2008 Fold1: one HyperDPO fit vs. 11 FastTree fits (relevance vs. PageRank)").AppendLine();
        md.AppendLine(ReportHeader.WrittenBy(Program.Run) + ".").AppendLine();
        md.AppendLine("Train S1-S3, validation S4 (HyperDPO early stopping only), test S5. PageRank = feature 41 graded 0..4 by rank within the query and removed from the inputs. ");
        md.AppendLine("FastTree: one LambdaMART fit per weight on the label round(2 w rel + (1 - w) PageRank). NDCG@10 on S5 by `mlContext.Ranking.Evaluate` (default gains). Defaults everywhere.").AppendLine();
        md.AppendLine("| w (relevance) | HyperDPO relevance | HyperDPO PageRank | FastTree relevance | FastTree PageRank |");
        md.AppendLine("|---|---|---|---|---|");
        for (int i = 0; i < grid.Count; i++)
            md.AppendLine(Invariant($"| {grid[i][0]:0.0} | {hyperFront[i][0]:F4} | {hyperFront[i][1]:F4} | {treeFront[i][0]:F4} | {treeFront[i][1]:F4} |"));
        md.AppendLine();
        md.AppendLine("| figure | HyperDPO | FastTree x 11 | ratio |");
        md.AppendLine("|---|---|---|---|");
        md.AppendLine(Invariant($"| hypervolume (reference (0,0)) | {hvHyper:F4} | {hvTree:F4} | {hvHyper / hvTree:F3} |"));
        md.AppendLine(Invariant($"| training wall time, s | {hyperSeconds:F1} | {treeSeconds:F1} | {hyperSeconds / treeSeconds:F3} |"));
        md.AppendLine(Invariant($"| scoring, rows/s ({bigTest.GetRowCount():N0} rows, cursor over Score) | {hyperRowsPerSecond:N0} | {treeRowsPerSecond:N0} | {hyperRowsPerSecond / treeRowsPerSecond:F2} |"));
        md.AppendLine();
        md.AppendLine(Invariant($"HyperDPO training: {report.Epochs.Count} epochs (kept {report.BestEpoch}), {docsPerSecond:N0} real documents/s, {report.PaddedDocumentsProcessed / report.TrainingTime.TotalSeconds:N0} document slots/s with padding, "));
        md.AppendLine(Invariant($"about {impliedFlops / 1e9:F2} GFLOP/s implied ({flopsPerSlot:N0} FLOP per slot for forward + backward), against {matmulFlops / 1e9:F1} GFLOP/s for a 1024x1024 fp32 matmul in TorchSharp on this machine in the same run."));
        BenchmarkReport.Publish(output, "benchmark", md.ToString());
        return 0;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private sealed class ScalariseInput { public float Label { get; set; } public float Feature41 { get; set; } }
    private sealed class ScalariseOutput { public float Scalarised { get; set; } }

    private static IDataView ScalariseLabels(MLContext ml, IDataView data, string[] objectives, float w)
    {
        // round(2 w rel + (1 - w) aux): relevance 0..2 and PageRank grades 0..4 on one 0..4 scale.
        var mapping = ml.Transforms.CustomMapping<ScalariseInput, ScalariseOutput>(
            (i, o) => o.Scalarised = MathF.Round(2 * w * i.Label + (1 - w) * i.Feature41, MidpointRounding.AwayFromZero), contractName: null);
        return mapping.Fit(data).Transform(data);
    }
}
