using System.Runtime.InteropServices;
using TorchSharp;

namespace Microsoft.ML.HyperDpo.Native;

/// <summary>
/// Checks, once per process and before the library's first TorchSharp call, that the application carries a native
/// LibTorch backend package, and otherwise throws one error that names the package to add.
/// </summary>
/// <remarks>
/// <para>
/// The library depends on the managed TorchSharp only; the application adds TorchSharp-cpu, TorchSharp-cuda-linux or
/// TorchSharp-cuda-windows. Without one, TorchSharp fails in two different ways depending on the first call: a call that
/// goes through its backend loader may find a libtorch package in the local NuGet cache and copy it beside the
/// application (so training works on the developer's machine), while a call straight into a native function (building
/// a network to load a saved model) dies with <c>DllNotFoundException: LibTorchSharp</c>. So an application could
/// pass in development and crash when deployed.
/// </para>
/// <para>
/// The check therefore asks what the application itself provides: <c>LibTorchSharp</c> must load through the
/// application's own native assets (the backend package puts it beside libtorch). Only when TorchSharp.dll itself was
/// loaded from a NuGet package folder (a notebook's <c>#r "nuget: TorchSharp-cpu"</c>), where TorchSharp's loader
/// gathers the native packages of that folder by design, is the loader's success accepted instead.
/// The networks' constructors (the ranking networks, and Microsoft.ML.HyperDpo.Language's GPT-2 model) and the fit's
/// device choice call <see cref="Require"/> before their first TorchSharp call, so every route goes through it: fit,
/// <c>LoadHyperDpo</c>, checkpoint load, fine-tuning, language-model loading.
/// </para>
/// </remarks>
public static class TorchBackend
{
    /// <summary>The backend package for the CPU.</summary>
    internal const string CpuPackage = "TorchSharp-cpu";

    /// <summary>The CUDA 12 backend packages, for Linux and Windows.</summary>
    internal const string CudaPackages = "TorchSharp-cuda-linux or TorchSharp-cuda-windows";

    // Null when the backend loaded; else the reason it did not.
    private static readonly Lazy<string?> Problem = new(Probe, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The TorchSharp version the backend package must have (the managed TorchSharp's own), e.g. 0.107.0.</summary>
    internal static string PackageVersion =>
        typeof(torch).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "";

    /// <summary>The error for an application without a backend; <paramref name="detail"/> says what TorchSharp reported.</summary>
    internal static string MissingBackendMessage(string detail) =>
        $"Microsoft.ML.HyperDpo trains and loads models with TorchSharp, whose native backend is missing from this application: " +
        $"add the package {CpuPackage} (or {CudaPackages} for CUDA 12), version {PackageVersion}, to the application " +
        $"(dotnet add package {CpuPackage} --version {PackageVersion}). The library itself references only the managed TorchSharp, " +
        $"so that the application chooses the backend; see docs/troubleshooting.md. ({detail})";

    /// <summary>
    /// Throws <see cref="InvalidOperationException"/> naming the backend package when the application has none; returns
    /// <paramref name="passThrough"/> so that a network's constructor can call it before its base constructor's first
    /// native call.
    /// </summary>
    public static string Require(string passThrough = "")
    {
        if (Problem.Value is { } problem)
            throw new InvalidOperationException(MissingBackendMessage(problem));
        return passThrough;
    }

    private static string? Probe()
    {
        // The Debian 12 fix must have patched the copies before anything tries to load one.
        TorchSharpNativeFix.EnsureApplied();
        string? folder = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (!IsNuGetPackageFolder(folder) && !NativeLibrary.TryLoad("LibTorchSharp", typeof(torch).Assembly, null, out _))
            return $"TorchSharp's native LibTorchSharp does not load from the application's folder '{folder}'";
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            return null;
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            return "TorchSharp: " + e.Message.Split('\n')[0].Trim();
        }
    }

    /// <summary>True for <c>&lt;packages&gt;/torchsharp/&lt;version&gt;/lib/&lt;tfm&gt;</c>, where a NuGet package folder keeps TorchSharp.dll.</summary>
    internal static bool IsNuGetPackageFolder(string? directory)
    {
        if (string.IsNullOrEmpty(directory)) return false;
        var tfm = new DirectoryInfo(directory);
        var lib = tfm.Parent;
        var package = lib?.Parent?.Parent;
        return lib is { Name: "lib" } && package is not null && package.Name.Equals("torchsharp", StringComparison.OrdinalIgnoreCase);
    }
}
