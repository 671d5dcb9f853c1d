using System.CommandLine;
using System.Globalization;
using Microsoft.ML.Data;
using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary>
/// <c>hyperdpo score</c>: loads a saved HyperDPO model (<c>mlContext.Model.LoadHyperDpo</c>) or a training checkpoint
/// (<see cref="HyperDpoCheckpoint.Load"/>), scores a LETOR text file (read with <c>LoadLetorFiles</c>) or an
/// ML.NET binary data file at the given objective weights and writes one score per line. The model's reference rankers, if
/// any, run from the saved chain.
/// </summary>
internal static class ScoreCommand
{
    public static System.CommandLine.Command Create()
    {
        var model = new Option<string?>("--model") { Description = "A model saved with mlContext.Model.Save (or 'hyperdpo train --out')." };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Instead of --model: a training checkpoint (HyperDpoCheckpoint)." };
        var data = new Option<string>("--data") { Description = "The rows to score: a LETOR/SVMlight text file (as 'train' reads), or an ML.NET binary data file (mlContext.Data.SaveAsBinary) with the model's feature column.", Required = true };
        var weights = SharedOptions.Numbers("--weights", "Objective weights, comma-separated, one per objective (default: the model's own).");
        var output = new Option<string>("--output") { Description = "Where the scores go, one per line, in row order.", Required = true };
        var command = new System.CommandLine.Command("score", "Score a LETOR file or an ML.NET binary data file with a saved HyperDPO model or checkpoint, at chosen objective weights.")
        {
            model, checkpoint, data, weights, output,
        };
        command.SetAction(r => Run(r.GetValue(model), r.GetValue(checkpoint), r.GetValue(data)!, r.GetValue(weights), r.GetValue(output)!));
        return command;
    }

    /// <summary>The first eight bytes of a file written by <c>mlContext.Data.SaveAsBinary</c> ("CML\0DVB\0", ML.NET's binary loader's signature).</summary>
    private static ReadOnlySpan<byte> BinarySignature => "CML\0DVB\0"u8;

    private static int Run(string? modelPath, string? checkpointPath, string dataPath, string? weightsText, string output)
    {
        // Everything the command reads or writes is checked before the model is loaded and the rows scored.
        if ((modelPath is null) == (checkpointPath is null))
            throw new ArgumentException("Give either --model or --checkpoint.");
        string modelFile = modelPath ?? checkpointPath!;
        if (!File.Exists(modelFile))
            throw new FileNotFoundException($"{(modelPath is null ? "--checkpoint" : "--model")} file '{modelFile}' does not exist.", modelFile);
        if (!File.Exists(dataPath))
            throw new FileNotFoundException($"Data file '{dataPath}' does not exist.", dataPath);
        CliPaths.RequireOutputFile(output, "--output");
        float[]? objectiveWeights = weightsText is null ? null : NumberList.Parse(weightsText, "--weights");

        var ml = new MLContext(seed: 1);
        DataViewSchema? inputSchema = null;
        var loaded = checkpointPath is not null ? HyperDpoCheckpoint.Load(ml, checkpointPath).Model : ml.Model.LoadHyperDpo(modelPath!, out inputSchema);
        var parts = HyperDpoModelParts.Of(loaded, modelFile);
        if (parts.ObjectiveWeightsColumnName is { } weightsColumn && objectiveWeights is null)
            throw new ArgumentException($"'{modelFile}' reads each row's objective weights from the column '{weightsColumn}'; give --weights.");
        var ranker = objectiveWeights is null ? parts.Ranker : parts.Ranker.WithObjectiveWeights(objectiveWeights);
        // A loaded chain (preparation, then the ranker) scores through all of it; the weights change only the ranker.
        ITransformer scorer = parts.WithRanker(ranker);

        // The feature count the user's rows must have: the saved input's (the raw features, before a preparation removes the
        // objective features), else the network's own.
        string featureColumn = ranker.FeatureColumnName;
        int featureCount = inputSchema?.GetColumnOrNull(featureColumn)?.Type is VectorDataViewType { Size: > 0 } raw ? raw.Size : ranker.FeatureCount;
        string takes = $"'{modelFile}' takes {featureCount} features per row" + (featureCount != ranker.FeatureCount
            ? $" (the raw features it was trained on; its preparation removes {featureCount - ranker.FeatureCount} of them before the network, which reads {ranker.FeatureCount})"
            : "");
        IDataView rows;
        if (IsBinary(dataPath))
        {
            rows = ml.Data.LoadFromBinary(dataPath);
            var column = rows.Schema.GetColumnOrNull(featureColumn)
                ?? throw new InvalidDataException($"Data file '{dataPath}' has no column '{featureColumn}'; {takes}, in a vector column '{featureColumn}'.");
            if (column.Type is not VectorDataViewType { Size: > 0 } vector || vector.ItemType != NumberDataViewType.Single)
                throw new InvalidDataException($"Data file '{dataPath}': column '{featureColumn}' is a {column.Type}; {takes}, as a known-size vector of Single.");
            if (vector.Size != featureCount)
                throw new InvalidDataException($"Data file '{dataPath}' has {vector.Size} features per row in '{featureColumn}'; {takes}.");
        }
        else
        {
            try
            {
                rows = ml.Data.LoadLetorFiles(featureCount, dataPath);
            }
            catch (InvalidDataException e) when (e.Data.Contains(LetorTextLoader.FeatureIdBeyondCount))
            {
                throw new InvalidDataException($"{e.Message} {takes}.", e);
            }
        }
        var scores = scorer.Transform(rows).GetColumn<float>("Score");
        Microsoft.ML.HyperDpo.Persistence.AtomicFile.WriteAllLines(output, scores.Select(s => s.ToString("R", CultureInfo.InvariantCulture)));
        AnsiConsole.MarkupLine(Markup.Escape($"Scored '{dataPath}' at weights ({string.Join(", ", ranker.ObjectiveWeights.Select(w => w.ToString("G4", CultureInfo.InvariantCulture)))}) into '{output}'."));
        return 0;
    }

    /// <summary>Whether <paramref name="path"/> starts with ML.NET's binary signature; anything else is read as LETOR text.</summary>
    private static bool IsBinary(string path)
    {
        Span<byte> head = stackalloc byte[8];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head.SequenceEqual(BinarySignature);
    }
}
