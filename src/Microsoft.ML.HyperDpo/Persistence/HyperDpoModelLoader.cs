using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo;
using Microsoft.ML.HyperDpo.Persistence;

namespace Microsoft.ML;

/// <summary>
/// <c>mlContext.Model.LoadHyperDpo(path)</c>: loads an ML.NET model zip like <c>mlContext.Model.Load</c>, and gives
/// every HyperDPO transformer in it back as the HyperDPO transformer it was saved from, which scores with the
/// managed forward pass (blocks of rows, no ONNX Runtime call per row) and rejects invalid objective weights.
/// </summary>
/// <remarks>
/// A HyperDPO transformer is saved as a chain of stock ML.NET transformers over its ONNX graph (docs/persistence.md);
/// the graph's metadata carries the network and the transformer's columns. This loader finds such chains anywhere in
/// the loaded model (alone, or inside a pipeline's chain next to pre-processing and other steps, which stay as
/// ML.NET loaded them) and replaces each with a <see cref="HyperDpoRankingTransformer"/> (fixed weights) or a
/// <see cref="WeightedScoreTransformer"/> (weights from a column), with its reference model. Everything else is
/// returned as <c>Load</c> returns it. A model loaded this way scores, moves along the front
/// (<see cref="HyperDpoRankingTransformer.WithObjectiveWeights"/>) and exports to ONNX; it carries no training state
/// (optimiser, options), so it cannot be checkpointed: keep a <see cref="HyperDpoCheckpoint"/> to train further.
/// </remarks>
public static class HyperDpoModelLoader
{
    /// <summary>Loads the model at <paramref name="path"/>, with its HyperDPO parts rebuilt (see the remarks of <see cref="HyperDpoModelLoader"/>).</summary>
    /// <param name="catalog">The model operations catalog.</param>
    /// <param name="path">An ML.NET model zip written by <c>mlContext.Model.Save</c> or <c>SaveAtomically</c>.</param>
    /// <returns>The model: a <see cref="HyperDpoRankingTransformer"/> or <see cref="WeightedScoreTransformer"/> when that is what was saved, else a chain.</returns>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a loadable ML.NET model, or holds a HyperDPO part that is corrupt; the message names the file.</exception>
    public static ITransformer LoadHyperDpo(this ModelOperationsCatalog catalog, string path) => LoadHyperDpo(catalog, path, out _);

    /// <summary>Loads the model at <paramref name="path"/> and its input schema, with its HyperDPO parts rebuilt.</summary>
    /// <param name="catalog">The model operations catalog.</param>
    /// <param name="path">An ML.NET model zip written by <c>mlContext.Model.Save</c> or <c>SaveAtomically</c>.</param>
    /// <param name="inputSchema">The input schema saved with the model.</param>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a loadable ML.NET model, or holds a HyperDPO part that is corrupt; the message names the file.</exception>
    public static ITransformer LoadHyperDpo(this ModelOperationsCatalog catalog, string path, out DataViewSchema inputSchema)
    {
        var loaded = catalog.LoadWithClearErrors(path, out inputSchema);
        var env = MlNetInternals.FromCatalog(catalog);
        try
        {
            return Rebuild(loaded, env);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Model file '{path}' holds a HyperDPO model that cannot be read: {e.Message}.", e);
        }
    }

    private static ITransformer Rebuild(ITransformer model, Runtime.IHostEnvironment env)
    {
        if (model is not TransformerChain<ITransformer> chain) return model;
        var parts = chain.ToArray();
        if (SavedForm.TryRebuild(parts, env) is { } hyperDpo) return hyperDpo;
        var rebuilt = parts.Select(p => Rebuild(p, env)).ToArray();
        return rebuilt.SequenceEqual(parts) ? chain : new TransformerChain<ITransformer>(rebuilt);
    }
}
