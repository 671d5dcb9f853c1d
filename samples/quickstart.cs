#:project ../src/Microsoft.ML.HyperDpo/Microsoft.ML.HyperDpo.csproj
// The application picks TorchSharp's native backend: CPU here (the version comes from Directory.Packages.props).
#:package TorchSharp-cpu
#:property NoWarn=NU1603
// File-based apps default to native-AOT settings, under which ML.NET (which emits code at run time) cannot run.
#:property PublishAot=false

// HyperDPO quick start as a .NET 10 file-based app:  dotnet run samples/quickstart.cs
// Uses MQ2008 from ../shared/data when it is there (or the folder in HYPERDPO_MQ2008), else the embedded synthetic data.
using Microsoft.ML;
using Microsoft.ML.HyperDpo;
using Microsoft.ML.HyperDpo.Evaluation;

var mlContext = new MLContext(seed: 1);
string mq2008 = Environment.GetEnvironmentVariable("HYPERDPO_MQ2008")
    ?? Path.Combine(AppContext.GetData("EntryPointFileDirectoryPath") as string ?? ".", "..", "..", "shared", "data", "letor4-mq2008");

IDataView train, validation, test;
string[] objectives;
if (File.Exists(Path.Combine(mq2008, "S1.txt")))
{
    // 1. LETOR files through ML.NET, and a second objective from a feature: PageRank (feature 41 = slot 40),
    //    graded 0..4 by its rank within each query and removed from the inputs.
    var pageRank = mlContext.Transforms.FeatureRankObjective("PageRank", featureIndex: 40, removeFromFeatures: true);
    var raw = mlContext.Data.LoadLetorFiles(Path.Combine(mq2008, "S1.txt"), Path.Combine(mq2008, "S2.txt"), Path.Combine(mq2008, "S3.txt"));
    var prep = pageRank.Fit(raw);
    train = prep.Transform(raw);
    validation = prep.Transform(mlContext.Data.LoadLetorFiles(Path.Combine(mq2008, "S4.txt")));
    test = prep.Transform(mlContext.Data.LoadLetorFiles(Path.Combine(mq2008, "S5.txt")));
    objectives = new[] { "Label", "PageRank" };
    Console.WriteLine("Data: MQ2008 Fold1 (relevance and PageRank)");
}
else
{
    var splits = SyntheticRankingData.GenerateSplits(mlContext, new SyntheticRankingDataOptions { Seed = 1 });
    (train, validation, test) = (splits.Train, splits.Validation, splits.Test);
    objectives = new[] { "Relevance", "Quality" };
    Console.WriteLine("Data: embedded synthetic data (relevance and quality)");
}

// 2. One fit for every trade-off.
var model = mlContext.Ranking.Trainers.HyperDpo(new HyperDpoRankingTrainer.Options
{
    LabelColumnNames = objectives,
    Seed = 1,
}).Fit(train, validation);
var report = model.TrainingReport!;
// Early stopping keeps the best epoch on the validation data, not the last one trained.
Console.WriteLine($"Trained {report.Epochs.Count} epochs in {report.TrainingTime.TotalSeconds:F1} s; kept epoch {report.BestEpoch}");

// 3. Move along the front after training: each weight vector is just another transformer.
foreach (var w in SimplexLattice.Points(2, 4))
{
    var scored = model.WithObjectiveWeights(w).Transform(test);
    var ndcg = ObjectiveNdcg.Measure(mlContext, scored, objectives);
    Console.WriteLine($"w = ({w[0]:0.00}, {w[1]:0.00}): NDCG@10 {objectives[0]} {ndcg[0][9]:F4}, {objectives[1]} {ndcg[1][9]:F4}");
}
