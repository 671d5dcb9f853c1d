using Microsoft.ML.Data;

namespace Microsoft.ML;

/// <summary>
/// Safer forms of <c>mlContext.Model.Save</c> and <c>Load</c> for files: an atomic save, and a load whose errors
/// name the file and say what is wrong with it. They work for any ML.NET model, HyperDPO's or not.
/// </summary>
public static class ModelFileCatalog
{
    /// <summary>
    /// Saves <paramref name="model"/> like <c>mlContext.Model.Save(model, inputSchema, path)</c>, atomically: the zip
    /// is written to a temporary file in the same folder, flushed to disk, and renamed over <paramref name="path"/>.
    /// If anything fails (a model that cannot be saved, a full disk, an I/O error), the temporary file is removed and
    /// a file already at <paramref name="path"/> is left as it was. (ML.NET's own Save truncates the file first.)
    /// </summary>
    /// <param name="catalog">The model operations catalog.</param>
    /// <param name="model">The model to save.</param>
    /// <param name="inputSchema">The schema of the model's input, saved with it; may be null.</param>
    /// <param name="path">The model file.</param>
    public static void SaveAtomically(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema? inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        SaveAtomically(path, stream => catalog.Save(model, inputSchema, stream));
    }

    /// <summary>Writes <paramref name="path"/> through a temporary file in its folder and a rename (see <see cref="SaveAtomically(ModelOperationsCatalog, ITransformer, DataViewSchema?, string)"/>).</summary>
    internal static void SaveAtomically(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>
    /// Loads a model like <c>mlContext.Model.Load(path, out inputSchema)</c>, with clear errors: a missing file, or a
    /// file that is not an ML.NET model zip (corrupt, truncated, another format) gives an <see cref="InvalidDataException"/>
    /// naming the file, with ML.NET's own error as the inner exception.
    /// </summary>
    /// <param name="catalog">The model operations catalog.</param>
    /// <param name="path">The model file.</param>
    /// <param name="inputSchema">The input schema saved with the model.</param>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a loadable ML.NET model.</exception>
    public static ITransformer LoadWithClearErrors(this ModelOperationsCatalog catalog, string path, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        try
        {
            return catalog.Load(path, out inputSchema);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"Model file '{path}' could not be loaded as an ML.NET model: it is corrupt, truncated, or not a model zip written by mlContext.Model.Save (ML.NET: {e.Message})", e);
        }
    }
}
