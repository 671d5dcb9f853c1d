using System.IO.Compression;
using Microsoft.ML.HyperDpo.Native;

namespace Microsoft.ML.HyperDpo.Tests.Packaging;

/// <summary>
/// Packs the library, restores the package into a new project outside the solution (no Directory.Build.props,
/// no central versions, only the package feed and nuget.org) that chooses TorchSharp's CPU backend itself, as any
/// application does, then trains and scores there.
/// </summary>
[TestClassWithSkipReasons]
public class PackageConsumptionTests
{
    [TestMethod]
    [TestCategory("Package")]
    [Timeout(600_000)]
    public void PackageRestoresIntoAFreshProjectThatTrainsAndScores()
    {
        string root = ChildProcess.RepositoryRoot();
        string work = Path.Combine(Path.GetTempPath(), "hyperdpo-package-" + Guid.NewGuid().ToString("N"));
        string feed = Path.Combine(work, "feed"), app = Path.Combine(work, "app");
        string version = "";
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        Directory.CreateDirectory(app);
        try
        {
            var pack = ChildProcess.Run("dotnet", root, "pack", Path.Combine("src", "Microsoft.ML.HyperDpo", "Microsoft.ML.HyperDpo.csproj"), "-c", "Release", "-o", feed);
            Assert.AreEqual(0, pack.ExitCode, pack.Output);
            // Each pack has a prerelease version of its own, so that no earlier copy in the NuGet cache can stand in for this build.
            string nupkgName = Path.GetFileName(Directory.GetFiles(feed, "HyperDpo.MLNet.*.nupkg").Single());
            var versionMatch = System.Text.RegularExpressions.Regex.Match(nupkgName, @"^HyperDpo\.MLNet\.(0\.1\.0-dev\.\d{14})\.nupkg$");
            Assert.IsTrue(versionMatch.Success, "a per-pack prerelease version: " + nupkgName);
            version = versionMatch.Groups[1].Value;
            using (var nupkg = ZipFile.OpenRead(Path.Combine(feed, $"HyperDpo.MLNet.{version}.nupkg")))
            {
                var entries = nupkg.Entries.Select(e => e.FullName).ToList();
                CollectionAssert.Contains(entries, "lib/net10.0/Microsoft.ML.HyperDpo.dll");
                CollectionAssert.Contains(entries, "lib/net10.0/Microsoft.ML.HyperDpo.xml");
                CollectionAssert.Contains(entries, "PACKAGE.md");
                // The package leaves the native backend to the application: it depends on the managed TorchSharp only.
                using var nuspec = new StreamReader(nupkg.GetEntry("HyperDpo.MLNet.nuspec")!.Open());
                var dependencies = System.Xml.Linq.XDocument.Parse(nuspec.ReadToEnd()).Descendants()
                    .Where(e => e.Name.LocalName == "dependency").Select(e => (string)e.Attribute("id")).ToList();
                CollectionAssert.Contains(dependencies, "TorchSharp");
                Assert.IsFalse(dependencies.Any(d => d.StartsWith("TorchSharp-", StringComparison.Ordinal) || d.StartsWith("libtorch", StringComparison.Ordinal)),
                    "no native backend among the package's dependencies: " + string.Join(", ", dependencies));
            }
            Assert.IsTrue(File.Exists(Path.Combine(feed, $"HyperDpo.MLNet.{version}.snupkg")), "symbols package");

            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{feed}" />
                    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings><NoWarn>NU1603</NoWarn></PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="HyperDpo.MLNet" Version="{version}" />
                    <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
                using Microsoft.ML;
                using Microsoft.ML.HyperDpo;
                var ml = new MLContext(seed: 1);
                var data = SyntheticRankingData.GenerateSplits(ml, new SyntheticRankingDataOptions { Queries = 60, Seed = 3 });
                var model = ml.Ranking.Trainers.HyperDpo(new HyperDpoRankingTrainer.Options
                {
                    LabelColumnNames = new[] { "Relevance", "Quality" },
                    Optimiser = { NumberOfEpochs = 3 },
                    Seed = 1,
                }).Fit(data.Train);
                var metrics = ml.Ranking.Evaluate(model.WithObjectiveWeights(1f, 0f).Transform(data.Test), labelColumnName: "Relevance");
                Console.WriteLine($"NDCG@10 {metrics.NormalizedDiscountedCumulativeGains[9]:F4}");
                """);
            var build = ChildProcess.Run("dotnet", app, "build", "-c", "Release");
            Assert.AreEqual(0, build.ExitCode, build.Output);
            string bin = Path.Combine(app, "bin", "Release", "net10.0");

            // Put a pristine TorchSharp native library beside the app, as a fresh machine's NuGet cache would give it,
            // so that the run shows the library's own fix at work on Debian 12.
            string nupkgPath = Path.Combine(packages, "torchsharp", "0.107.0", "torchsharp.0.107.0.nupkg");
            string appLibrary = Path.Combine(bin, "runtimes", "linux-x64", "native", TorchSharpNativeFix.LibraryFileName);
            bool pristinePlaced = false;
            if (OperatingSystem.IsLinux() && File.Exists(nupkgPath) && File.Exists(appLibrary))
            {
                using var torchSharp = ZipFile.OpenRead(nupkgPath);
                torchSharp.GetEntry("runtimes/linux-x64/native/" + TorchSharpNativeFix.LibraryFileName)!.ExtractToFile(appLibrary, overwrite: true);
                pristinePlaced = true;
            }

            var run = ChildProcess.Run("dotnet", app, "exec", Path.Combine(bin, "app.dll"));
            Assert.AreEqual(0, run.ExitCode, run.Output);
            StringAssert.Matches(run.Output, new System.Text.RegularExpressions.Regex(@"NDCG@10 0\.\d{4}"));
            if (pristinePlaced && !TorchSharpNativeFix.RunningLibStdCxxHasVersion())
            {
                var finding = ElfVersionNeedPatcher.Inspect(File.ReadAllBytes(appLibrary), TorchSharpNativeFix.MissingVersion, TorchSharpNativeFix.UnusedSymbols, out _);
                Assert.AreEqual(ElfVersionNeedPatcher.Finding.AlreadyWeak, finding, "the app's own copy of the native library was repaired");
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
            string cached = Path.Combine(packages, "hyperdpo.mlnet", version);
            if (version.Length > 0 && Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
        }
    }
}
