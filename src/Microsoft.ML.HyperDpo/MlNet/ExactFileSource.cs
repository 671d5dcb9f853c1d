using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// A list of files handed to an ML.NET loader exactly as given, in order.
/// </summary>
/// <remarks>
/// ML.NET's <see cref="MultiFileSource"/> reinterprets each path (wildcards, <c>+</c> as a separator,
/// <c>folder/...</c>), which would misread legal file names; this source never does.
/// </remarks>
internal sealed class ExactFileSource : IMultiStreamSource
{
    private readonly string[] _paths;

    /// <summary>Wraps the given full paths, which the caller has checked to exist.</summary>
    public ExactFileSource(IReadOnlyList<string> paths) => _paths = [.. paths];

    /// <inheritdoc/>
    public int Count => _paths.Length;

    /// <inheritdoc/>
    public string GetPathOrNull(int index) => _paths[CheckIndex(index)];

    /// <inheritdoc/>
    public Stream Open(int index)
    {
        string path = _paths[CheckIndex(index)];
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"File '{path}' was removed after it was checked.", path, e);
        }
    }

    /// <inheritdoc/>
    public TextReader OpenTextReader(int index) => new StreamReader(Open(index));

    private int CheckIndex(int index)
    {
        if (index < 0 || index >= _paths.Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"There are {_paths.Length} files.");
        return index;
    }
}
