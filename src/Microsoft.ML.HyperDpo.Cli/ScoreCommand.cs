using System.CommandLine;
using System.Globalization;
using Microsoft.ML.Data;
using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary>
/// <c>hyperdpo score</c>: loads a saved HyperDPO model (<c>mlContext.Model.LoadHyperDpo</c>) or a training checkpoint
/// (<see cref="HyperDpoCheckpoint.Load"/>), scores an ML.NET binary data file at the given objective weights and writes one score
/// per line. The model's reference rankers, if any, run from the saved chain.
/// </summary>
internal static class ScoreCommand
{
    public static System.CommandLine.Command Create()
    {
        var model = new Option<string?>("--model") { Description = "A model saved with mlContext.Model.Save (or 'hyperdpo train --out')." };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Instead of --model: a training checkpoint (HyperDpoCheckpoint)." };
        var data = new Option<string>("--data") { Description = "The rows to score: an ML.NET binary data file (mlContext.Data.SaveAsBinary) with the model's feature column.", Required = true };
        var weights = new Option<string?>("--weights") { Description = "Objective weights, comma-separated, one per objective (default: the model's own)." };
        var output = new Option<string>("--output") { Description = "Where the scores go, one per line, in row order.", Required = true };
        var command = new System.CommandLine.Command("score", "Score an ML.NET binary data file with a saved HyperDPO model or checkpoint, at chosen objective weights.")
        {
            model, checkpoint, data, weights, output,
        };
        command.SetAction(r => Run(r.GetValue(model), r.GetValue(checkpoint), r.GetValue(data)!, r.GetValue(weights), r.GetValue(output)!));
        return command;
    }

    private static int Run(string? modelPath, string? checkpointPath, string dataPath, string? weightsText, string output)
    {
        if ((modelPath is null) == (checkpointPath is null))
            throw new ArgumentException("Give either --model or --checkpoint.");
        if (!File.Exists(dataPath))
            throw new FileNotFoundException($"Data file '{dataPath}' does not exist.", dataPath);
        var ml = new MLContext(seed: 1);
        var loaded = checkpointPath is not null ? HyperDpoCheckpoint.Load(ml, checkpointPath).Model : ml.Model.LoadHyperDpo(modelPath!, out _);
        var ranker = loaded as HyperDpoRankingTransformer
            ?? (loaded as TransformerChain<ITransformer>)?.LastTransformer as HyperDpoRankingTransformer
            ?? throw new InvalidDataException($"'{modelPath}' holds no HyperDPO ranker at the end of its chain (a {loaded.GetType().Name}); score it with mlContext.Model.Load.");
        if (weightsText is not null)
        {
            ranker = ranker.WithObjectiveWeights(NumberList.Parse(weightsText, "--weights"));
        }
        // A loaded chain (preparation, then the ranker) scores through all of it; the weights change only the ranker.
        ITransformer scorer = loaded is TransformerChain<ITransformer> chain && !ReferenceEquals(loaded, ranker)
            ? new TransformerChain<ITransformer>(chain.Take(chain.Count() - 1).Append(ranker).ToArray())
            : ranker;
        var scores = scorer.Transform(ml.Data.LoadFromBinary(dataPath)).GetColumn<float>("Score");
        Microsoft.ML.HyperDpo.Persistence.AtomicFile.WriteAllLines(output, scores.Select(s => s.ToString("R", CultureInfo.InvariantCulture)));
        AnsiConsole.MarkupLine(Markup.Escape($"Scored '{dataPath}' at weights ({string.Join(", ", ranker.ObjectiveWeights.Select(w => w.ToString("G4", CultureInfo.InvariantCulture)))}) into '{output}'."));
        return 0;
    }
}
