using System.Runtime.CompilerServices;
using System.Text;

namespace Microsoft.ML.HyperDpo.Native;

/// <summary>
/// Makes TorchSharp 0.107's native library loadable on systems whose libstdc++ predates GCC 13
/// (Debian 12 and similar), before TorchSharp first touches it.
/// </summary>
/// <remarks>
/// <para>
/// <c>libLibTorchSharp.so</c> requires the symbol version <c>GLIBCXX_3.4.32</c> for exactly one
/// symbol, <c>_ZSt21ios_base_library_initv</c>, which nothing calls (GCC 13's iostream header only
/// names it to link the iostream initialiser in). Older libstdc++ lacks the version, so the loader
/// refuses the whole library and TorchSharp reports a misleading "no reference to libtorch-cpu".
/// </para>
/// <para>
/// The fix marks that one version requirement as weak in every copy of the library that TorchSharp
/// may load: beside the application (<c>runtimes/linux-x64/native</c> and the <c>cpu</c> or
/// <c>cuda</c> folder TorchSharp consolidates into), next to a TorchSharp.dll loaded from the NuGet
/// cache (notebooks' <c>#r "nuget: ..."</c>), and in the NuGet package folder that TorchSharp copies
/// from. It runs once per process, from this assembly's module initialiser, and does nothing where
/// the running libstdc++ already defines the version, on other operating systems, or when the
/// environment variable <c>HYPERDPO_SKIP_NATIVE_FIX</c> is <c>1</c>.
/// </para>
/// </remarks>
public static class TorchSharpNativeFix
{
    internal const string MissingVersion = "GLIBCXX_3.4.32";
    internal const string LibraryFileName = "libLibTorchSharp.so";
    internal static readonly IReadOnlySet<string> UnusedSymbols = new HashSet<string> { "_ZSt21ios_base_library_initv" };

    private static readonly Lazy<IReadOnlyList<string>> Applied = new(Apply, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Applies the fix if this system needs it (idempotent, thread-safe) and returns the files it changed
    /// in this process. Called automatically when this library is loaded; call it yourself only if you
    /// use TorchSharp before any type of this library.
    /// </summary>
    public static IReadOnlyList<string> EnsureApplied() => Applied.Value;

#pragma warning disable CA2255 // A module initialiser is the one hook that runs before any TorchSharp call made through this library.
    [ModuleInitializer]
    internal static void OnModuleLoad() => EnsureApplied();
#pragma warning restore CA2255

    /// <summary>True when the libstdc++ mapped into this process defines <see cref="MissingVersion"/>.</summary>
    internal static bool RunningLibStdCxxHasVersion()
    {
        string? path = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(parts => parts.Length >= 6 && parts[5].Contains("libstdc++.so", StringComparison.Ordinal))
            .Select(parts => parts[5])
            .FirstOrDefault();
        // A process without libstdc++ mapped (not the case for .NET on glibc) has nothing to compare to: leave files alone.
        if (path is null || !File.Exists(path)) return true;
        byte[] needle = Encoding.ASCII.GetBytes(MissingVersion + "\0");
        return File.ReadAllBytes(path).AsSpan().IndexOf(needle) >= 0;
    }

    /// <summary>Every place TorchSharp's loader may take <see cref="LibraryFileName"/> from.</summary>
    internal static IEnumerable<string> CandidateFiles()
    {
        var dirs = new List<string>();
        void AddAppDir(string? dir)
        {
            if (string.IsNullOrEmpty(dir)) return;
            dirs.Add(dir);
            dirs.Add(Path.Combine(dir, "runtimes", "linux-x64", "native"));
            if (Directory.Exists(dir))
                dirs.AddRange(Directory.EnumerateDirectories(dir).Where(d => Path.GetFileName(d) is "cpu" || Path.GetFileName(d).StartsWith("cuda", StringComparison.Ordinal)));
        }

        AddAppDir(AppContext.BaseDirectory);
        string torchSharpDll = typeof(TorchSharp.torch).Assembly.Location;
        string? torchSharpDir = Path.GetDirectoryName(torchSharpDll);
        AddAppDir(torchSharpDir);
        if (torchSharpDir is not null)
            // Loaded from a NuGet package folder: <pkg>/lib/<tfm>/TorchSharp.dll next to <pkg>/runtimes/...
            dirs.Add(Path.GetFullPath(Path.Combine(torchSharpDir, "..", "..", "runtimes", "linux-x64", "native")));
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirs)
            dirs.AddRange(searchDirs.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));

        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string version = typeof(TorchSharp.torch).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "";
        dirs.Add(Path.Combine(packages, "torchsharp", version, "runtimes", "linux-x64", "native"));

        return dirs
            .Select(d => Path.Combine(d, LibraryFileName))
            .Where(File.Exists)
            .Select(Path.GetFullPath)
            .Distinct(StringComparer.Ordinal);
    }

    private static IReadOnlyList<string> Apply()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("HYPERDPO_SKIP_NATIVE_FIX") == "1")
            return Array.Empty<string>();
        if (RunningLibStdCxxHasVersion())
            return Array.Empty<string>();

        var changed = new List<string>();
        foreach (string file in CandidateFiles())
        {
            try
            {
                if (ElfVersionNeedPatcher.TryPatch(file, MissingVersion, UnusedSymbols) == ElfVersionNeedPatcher.Finding.Patchable)
                    changed.Add(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A read-only copy (a shared package cache, say) may never be the one loaded; if it is,
                // TorchSharp's own error follows, and this line says what to do about it.
                Console.Error.WriteLine($"Microsoft.ML.HyperDpo: could not patch '{file}' for {MissingVersion} ({e.Message}); " +
                    "make that folder writable, or set NUGET_PACKAGES to a writable folder, if TorchSharp then fails to load.");
            }
        }
        return changed;
    }
}
