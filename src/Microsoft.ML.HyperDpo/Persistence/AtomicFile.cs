using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Microsoft.ML.HyperDpo.Persistence;

/// <summary>
/// The one routine through which the library, the CLI and the language-model code write files (models, checkpoints, reports):
/// the content goes to a temporary file beside the target, is flushed to disk, and is renamed over the target, so a reader sees
/// the old file or the new one and a failed save leaves the old file as it was.
/// </summary>
/// <remarks>
/// <para>The target must be a regular file or absent. A directory, FIFO, device node or socket is refused with an
/// <see cref="IOException"/> naming it (a rename would replace it with a regular file). A symbolic link is followed: the
/// file it points to is replaced, through a temporary file in that file's own folder, and the link is kept.</para>
/// <para>Temporary files are named <c>.NAME.GUID.tmp</c> beside the target and held open (with a shared lock on Unix) until
/// they are renamed. A process killed while writing leaves its temporary file; the next save to the same target deletes
/// those that no live writer holds, and leaves a concurrent writer's alone.</para>
/// </remarks>
public static partial class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>, atomically (see the remarks).</summary>
    /// <exception cref="IOException">The target is not a regular file, its folder does not exist, or writing failed.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string target = CheckTarget(path);
        string folder = Path.GetDirectoryName(target)!;
        RemoveStaleTemporaries(target);
        string temp = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            // FileShare.Delete: on Windows the file can be renamed while open; on Unix it takes a shared lock, which tells
            // another save's clean-up that this temporary file is live.
            using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.Delete);
            write(stream);
            stream.Flush(flushToDisk: true);
            if (!OperatingSystem.IsWindows() && File.Exists(target))
                File.SetUnixFileMode(temp, File.GetUnixFileMode(target));
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte order mark, atomically.</summary>
    public static void WriteAllText(string path, string text) => Write(path, stream => stream.Write(new UTF8Encoding(false).GetBytes(text)));

    /// <summary>Writes <paramref name="lines"/> as UTF-8 without a byte order mark, each ended by <see cref="Environment.NewLine"/> (as <see cref="File.WriteAllLines(string, IEnumerable{string})"/>), atomically.</summary>
    public static void WriteAllLines(string path, IEnumerable<string> lines) => Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
        foreach (string line in lines) writer.WriteLine(line);
    });

    /// <summary>Writes <paramref name="bytes"/>, atomically.</summary>
    internal static void WriteAllBytes(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes));

    /// <summary>
    /// The file a save to <paramref name="path"/> replaces: its full path, with symbolic links followed. Call it before long work
    /// (a fit) so that an unusable output path is refused first.
    /// </summary>
    /// <exception cref="IOException">The target is a directory or another non-regular file, or its folder does not exist.</exception>
    internal static string CheckTarget(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        string target = full;
        if (new FileInfo(full).LinkTarget is not null)
        {
            FileSystemInfo? final;
            try
            {
                final = File.ResolveLinkTarget(full, returnFinalTarget: true);
            }
            catch (IOException e)
            {
                throw new IOException($"Cannot save to '{path}': its symbolic link cannot be followed ({e.Message}).", e);
            }
            target = final?.FullName ?? full;
        }
        string shown = target == full ? $"'{path}'" : $"'{path}' (a link to '{target}')";
        if (Directory.Exists(target))
            throw new IOException($"Cannot save to {shown}: it is a directory. Give a file path inside it.");
        if (FileType(target) is { } kind)
            throw new IOException($"Cannot save to {shown}: it is a {kind}, not a regular file, and saving would replace it. Give the path of a regular file.");
        string folder = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(folder))
            throw new IOException($"Cannot save to {shown}: the folder '{folder}' does not exist.");
        return target;
    }

    /// <summary>Null for a regular file or no file; otherwise what the file is ("FIFO (named pipe)", "character device", ...).</summary>
    private static string? FileType(string path)
    {
        if (OperatingSystem.IsWindows())
            return File.Exists(path) && File.GetAttributes(path).HasFlag(FileAttributes.Device) ? "device" : null;
        // .NET reports no file type on Unix; the runtime's own stat (System.Native, shipped with every .NET) does. Its
        // FileStatus starts with two int32s, Flags and Mode, and Mode carries the type in the portable S_IFMT bits.
        Span<byte> status = stackalloc byte[256];
        int result;
        try
        {
            result = Stat(path, ref MemoryMarshal.GetReference(status));
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // A host without System.Native (none known): only directories are recognised.
            return null;
        }
        if (result != 0) return null;   // absent, or a dangling link: the save creates the file
        int type = BitConverter.ToInt32(status[4..8]) & 0xF000;
        return type switch
        {
            0x8000 => null,
            0x1000 => "FIFO (named pipe)",
            0x2000 => "character device",
            0x6000 => "block device",
            0xC000 => "socket",
            0x4000 => "directory",
            _ => $"special file (type 0x{type:X4})",
        };
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, ref byte status);

    /// <summary>Deletes the temporary files of earlier saves to <paramref name="target"/> that no live writer holds open.</summary>
    private static void RemoveStaleTemporaries(string target)
    {
        string folder = Path.GetDirectoryName(target)!, name = Path.GetFileName(target);
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(folder, $".{name}.*.tmp").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (string candidate in candidates)
        {
            string middle = Path.GetFileName(candidate)[(name.Length + 2)..^4];
            if (!TemporaryId().IsMatch(middle) || FileType(candidate) is not null) continue;
            try
            {
                // An exclusive open fails while the writer holds the file (its shared lock on Unix, its handle on Windows).
                using (new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                {
                }
                File.Delete(candidate);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Live, or not ours to delete: leave it.
            }
        }
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex TemporaryId();
}
