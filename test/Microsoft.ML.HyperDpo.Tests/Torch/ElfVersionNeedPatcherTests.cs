using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.ML.HyperDpo.Native;
using static Microsoft.ML.HyperDpo.Native.ElfVersionNeedPatcher;

namespace Microsoft.ML.HyperDpo.Tests.Native;

[TestClassWithSkipReasons]
public sealed class ElfVersionNeedPatcherTests
{
    private string _dir;

    [TestInitialize]
    public void CreateTempDir() => _dir = Directory.CreateTempSubdirectory("hyperdpo-elf-").FullName;

    [TestCleanup]
    public void DeleteTempDir() => Directory.Delete(_dir, recursive: true);

    /// <summary>A copy of libLibTorchSharp.so straight from the TorchSharp package, never touched by the fix.</summary>
    private string PristineLibrary()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string nupkg = Path.Combine(packages, "torchsharp", "0.107.0", "torchsharp.0.107.0.nupkg");
        if (!File.Exists(nupkg)) Assert.Inconclusive($"Skipped: the TorchSharp package '{nupkg}' is not in the NuGet cache.");
        using var zip = ZipFile.OpenRead(nupkg);
        var entry = zip.GetEntry("runtimes/linux-x64/native/" + TorchSharpNativeFix.LibraryFileName);
        if (entry is null) Assert.Inconclusive("Skipped: the TorchSharp package has no linux-x64 libLibTorchSharp.so.");
        string path = Path.Combine(_dir, TorchSharpNativeFix.LibraryFileName);
        entry.ExtractToFile(path);
        return path;
    }

    [TestMethod]
    public void PristineTorchSharpLibraryIsPatchedInTwoBytesAndThenAlreadyWeak()
    {
        string path = PristineLibrary();
        byte[] before = File.ReadAllBytes(path);
        Assert.AreEqual(Finding.Patchable, Inspect(before, TorchSharpNativeFix.MissingVersion, TorchSharpNativeFix.UnusedSymbols, out int flagsOffset));
        Assert.IsGreaterThan(0, flagsOffset);

        Assert.AreEqual(Finding.Patchable, TryPatch(path, TorchSharpNativeFix.MissingVersion, TorchSharpNativeFix.UnusedSymbols));
        byte[] after = File.ReadAllBytes(path);
        Assert.HasCount(before.Length, after);
        int[] changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        Assert.IsGreaterThan(0, changed.Length);
        Assert.IsTrue(changed.All(i => i == flagsOffset || i == flagsOffset + 1),
            $"only the two bytes of vna_flags at {flagsOffset} may change; changed: {string.Join(", ", changed)}");
        ushort flags = BitConverter.ToUInt16(after, flagsOffset);
        Assert.AreEqual(0x2, flags & 0x2, "VER_FLG_WEAK is set");
        Assert.AreEqual(BitConverter.ToUInt16(before, flagsOffset) | 0x2, flags, "no other flag changes");

        Assert.AreEqual(Finding.AlreadyWeak, Inspect(after, TorchSharpNativeFix.MissingVersion, TorchSharpNativeFix.UnusedSymbols, out _));
        Assert.AreEqual(Finding.AlreadyWeak, TryPatch(path, TorchSharpNativeFix.MissingVersion, TorchSharpNativeFix.UnusedSymbols));
        CollectionAssert.AreEqual(after, File.ReadAllBytes(path), "a second patch changes nothing");
        Assert.HasCount(1, Directory.GetFiles(_dir), "no temporary file is left behind");
    }

    [TestMethod]
    public void VersionNeededByASymbolOutsideTheAllowListIsLeftAlone()
    {
        string path = PristineLibrary();
        byte[] hash = SHA256.HashData(File.ReadAllBytes(path));
        var none = new HashSet<string>();
        Assert.AreEqual(Finding.UsedBySymbols, Inspect(File.ReadAllBytes(path), TorchSharpNativeFix.MissingVersion, none, out _));
        Assert.AreEqual(Finding.UsedBySymbols, TryPatch(path, TorchSharpNativeFix.MissingVersion, none));
        CollectionAssert.AreEqual(hash, SHA256.HashData(File.ReadAllBytes(path)));
    }

    [TestMethod]
    public void VersionTheLibraryDoesNotNeedIsNotRequired()
    {
        string path = PristineLibrary();
        Assert.AreEqual(Finding.NotRequired, Inspect(File.ReadAllBytes(path), "GLIBCXX_99.0", TorchSharpNativeFix.UnusedSymbols, out int offset));
        Assert.AreEqual(-1, offset);
    }

    [TestMethod]
    public void NonElfFileIsRejected()
    {
        string path = Path.Combine(_dir, "not-a-library.so");
        File.WriteAllText(path, "This is a text file, long enough to be mistaken for a header if nobody checked the magic bytes.");
        byte[] hash = SHA256.HashData(File.ReadAllBytes(path));
        Assert.ThrowsExactly<InvalidDataException>(() => TryPatch(path, TorchSharpNativeFix.MissingVersion, TorchSharpNativeFix.UnusedSymbols));
        CollectionAssert.AreEqual(hash, SHA256.HashData(File.ReadAllBytes(path)));
        Assert.ThrowsExactly<InvalidDataException>(() => Inspect(new byte[10], "V", new HashSet<string>(), out _));

        var elf32 = new byte[64];
        elf32[0] = 0x7f; elf32[1] = (byte)'E'; elf32[2] = (byte)'L'; elf32[3] = (byte)'F'; elf32[4] = 1; elf32[5] = 1;
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Inspect(elf32, "V", new HashSet<string>(), out _));
        Assert.Contains("64-bit", e.Message);
    }
}
