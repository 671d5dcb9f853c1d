using System.IO.Compression;

namespace Microsoft.ML.HyperDpo.Persistence;

/// <summary>
/// Reads the entries of a model or checkpoint zip with limits checked from the archive's directory before anything is
/// allocated: no two entries of one name, no entry declaring more than <see cref="MaxEntryBytes"/>, and no entry whose data
/// inflates to more than it declares. Problems are <see cref="InvalidDataException"/>s phrased to follow "the file ...".
/// </summary>
internal static class ZipEntries
{
    /// <summary>The most bytes read from one entry (1 GiB): far above any network, optimiser state or reference model this library writes.</summary>
    public const long MaxEntryBytes = 1L << 30;

    /// <summary>The entries by name; throws for a name that occurs twice (a zip may hold that, and readers disagree on which one counts).</summary>
    public static Dictionary<string, ZipArchiveEntry> Index(ZipArchive archive)
    {
        var index = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var entry in archive.Entries)
            if (!index.TryAdd(entry.FullName, entry))
                throw new InvalidDataException($"it has two entries named '{entry.FullName}'");
        return index;
    }

    /// <summary>Throws when an entry declares more than <paramref name="limit"/> bytes.</summary>
    public static void CheckSize(ZipArchiveEntry entry, long limit = MaxEntryBytes)
    {
        if (entry.Length > limit)
            throw new InvalidDataException($"its entry {entry.FullName} declares {entry.Length} bytes, more than the {limit} bytes this library reads from one entry");
    }

    /// <summary>The bytes of <paramref name="entry"/>, after <see cref="CheckSize"/>; never more than it declares.</summary>
    public static byte[] Read(ZipArchiveEntry entry, long limit = MaxEntryBytes)
    {
        CheckSize(entry, limit);
        // The declared length bounds the copy, and memory grows with the bytes actually read, not with the declaration.
        using var stream = entry.Open();
        using var memory = new MemoryStream((int)Math.Min(entry.Length, 1 << 20));
        var buffer = new byte[81920];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            if (memory.Length + read > entry.Length)
                throw new InvalidDataException($"its entry {entry.FullName} holds more than the {entry.Length} bytes it declares");
            memory.Write(buffer, 0, read);
        }
        return memory.ToArray();
    }
}
