using System.Xml.Linq;
using Microsoft.ML.HyperDpo.Native;

namespace Microsoft.ML.HyperDpo.Tests.Native;

/// <summary>The parts of the backend check that an application without a backend cannot show (Packaging/MissingBackendTests runs one).</summary>
[TestClass]
public sealed class TorchBackendTests
{
    [TestMethod]
    public void TheMessageNamesTheBackendPackageAtTheCentralTorchSharpVersion()
    {
        var versions = XDocument.Load(Path.Combine(ChildProcess.RepositoryRoot(), "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include"), e => (string)e.Attribute("Version"));
        string message = TorchBackend.MissingBackendMessage("reason");
        StringAssert.Contains(message, $"add the package TorchSharp-cpu (or TorchSharp-cuda-linux or TorchSharp-cuda-windows for CUDA 12), version {versions["TorchSharp-cpu"]}");
        Assert.AreEqual(versions["TorchSharp-cpu"], versions["TorchSharp-cuda-linux"], "one version for every backend package");
        Assert.AreEqual(versions["TorchSharp-cpu"], versions["TorchSharp-cuda-windows"], "one version for every backend package");
        StringAssert.EndsWith(message, "(reason)");
    }

    [TestMethod]
    public void OnlyANuGetPackageFolderOfTorchSharpCountsAsOne()
    {
        string packages = Path.Combine(Path.GetTempPath(), "packages");
        // Where a notebook's #r "nuget: TorchSharp-cpu" loads TorchSharp.dll from: TorchSharp's own loader is trusted there.
        Assert.IsTrue(TorchBackend.IsNuGetPackageFolder(Path.Combine(packages, "torchsharp", "0.107.0", "lib", "net6.0")));
        Assert.IsTrue(TorchBackend.IsNuGetPackageFolder(Path.Combine(packages, "TorchSharp", "0.107.0", "lib", "net8.0")));
        // An application's output folder, another package's lib folder, a folder without the version level.
        Assert.IsFalse(TorchBackend.IsNuGetPackageFolder(Path.Combine(Path.GetTempPath(), "app", "bin", "Release", "net10.0")));
        Assert.IsFalse(TorchBackend.IsNuGetPackageFolder(Path.Combine(packages, "microsoft.ml", "5.0.1", "lib", "net6.0")));
        Assert.IsFalse(TorchBackend.IsNuGetPackageFolder(Path.Combine(packages, "torchsharp", "lib", "net6.0")));
        Assert.IsFalse(TorchBackend.IsNuGetPackageFolder(null));
        // This test run's own TorchSharp.dll is the application's copy (the test project references TorchSharp-cpu).
        Assert.IsFalse(TorchBackend.IsNuGetPackageFolder(Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location)));
    }
}
