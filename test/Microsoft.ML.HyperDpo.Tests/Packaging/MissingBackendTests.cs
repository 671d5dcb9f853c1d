using System.Xml.Linq;

namespace Microsoft.ML.HyperDpo.Tests.Packaging;

/// <summary>
/// An application that references the library but no TorchSharp backend package (built outside the repository, so that
/// Directory.Build.targets adds none): its first fit, <c>LoadHyperDpo</c> and checkpoint load each fail with the one
/// error that names the package to add, in development as when deployed, although TorchSharp could copy a libtorch it
/// finds in the NuGet cache.
/// </summary>
[TestClass]
public class MissingBackendTests
{
    private static string _work, _app, _model, _checkpoint, _torchSharpVersion;

    [ClassInitialize]
    public static void BuildApplicationWithoutBackend(TestContext _)
    {
        string root = ChildProcess.RepositoryRoot();
        _torchSharpVersion = XDocument.Load(Path.Combine(root, "Directory.Packages.props")).Descendants("PackageVersion")
            .Single(e => (string)e.Attribute("Include") == "TorchSharp-cpu").Attribute("Version")!.Value;
        _work = Path.Combine(Path.GetTempPath(), "hyperdpo-nobackend-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_work);
        string program = Path.Combine(_work, "app.cs");
        File.WriteAllText(program, $$"""
            #:project {{Path.Combine(root, "src", "Microsoft.ML.HyperDpo", "Microsoft.ML.HyperDpo.csproj")}}
            #:property PublishAot=false
            #:property NoWarn=NU1603
            using Microsoft.ML;
            using Microsoft.ML.HyperDpo;
            var ml = new MLContext(seed: 1);
            switch (args[0])
            {
                case "fit":
                    var data = SyntheticRankingData.GenerateSplits(ml, new SyntheticRankingDataOptions { Queries = 20, Seed = 3 });
                    ml.Ranking.Trainers.HyperDpo(new HyperDpoRankingTrainer.Options { LabelColumnNames = new[] { "Relevance", "Quality" }, Optimiser = { NumberOfEpochs = 1 }, Seed = 1 }).Fit(data.Train);
                    break;
                case "load":
                    ml.Model.LoadHyperDpo(args[1]);
                    break;
                case "checkpoint":
                    HyperDpoCheckpoint.Load(ml, args[1]);
                    break;
            }
            Console.WriteLine("done");
            """);
        var build = ChildProcess.Run("dotnet", _work, "build", program, "--artifacts-path", Path.Combine(_work, "artifacts"));
        Assert.AreEqual(0, build.ExitCode, build.Output);
        _app = Path.Combine(_work, "artifacts", "bin", "debug", "app.dll");
        Assert.IsTrue(File.Exists(_app), "the build wrote " + _app);

        // The files to load, written here, where the test project has the CPU backend.
        var ml = new MLContext(1);
        var rows = SyntheticRanking.Load(ml, SyntheticRanking.Rows(12, 4, 6, seed: 70));
        var model = ml.Ranking.Trainers.HyperDpo(SyntheticRanking.FastOptions(epochs: 1)).Fit(rows);
        _model = Path.Combine(_work, "model.zip");
        ml.Model.SaveAtomically(model, rows.Schema, _model);
        _checkpoint = Path.Combine(_work, "model.ckpt");
        HyperDpoCheckpoint.Save(model, _checkpoint);
    }

    [ClassCleanup]
    public static void DeleteApplication()
    {
        if (_work is not null && Directory.Exists(_work)) Directory.Delete(_work, recursive: true);
    }

    private static void AssertTheBackendError(params string[] args)
    {
        var run = ChildProcess.Run("dotnet", _work, new[] { "exec", _app }.Concat(args).ToArray());
        Assert.AreNotEqual(0, run.ExitCode, run.Output);
        Assert.DoesNotContain("done", run.Output, "the operation did not succeed");
        StringAssert.Contains(run.Output, "System.InvalidOperationException: Microsoft.ML.HyperDpo trains and loads models with TorchSharp, whose native backend is missing from this application", run.Output);
        StringAssert.Contains(run.Output, $"add the package TorchSharp-cpu (or TorchSharp-cuda-linux or TorchSharp-cuda-windows for CUDA 12), version {_torchSharpVersion}", run.Output);
        Assert.DoesNotContain("DllNotFoundException", run.Output, "the clear error, not TorchSharp's");
        // TorchSharp's loader did not copy libtorch out of the NuGet cache beside the application.
        Assert.IsFalse(Directory.Exists(Path.Combine(Path.GetDirectoryName(_app)!, "cpu")), "no consolidated libtorch beside the application");
    }

    [TestMethod]
    [Timeout(300_000)]
    public void FitWithoutABackendNamesThePackageToAdd() => AssertTheBackendError("fit");

    [TestMethod]
    [Timeout(300_000)]
    public void LoadHyperDpoWithoutABackendNamesThePackageToAdd() => AssertTheBackendError("load", _model);

    [TestMethod]
    [Timeout(300_000)]
    public void CheckpointLoadWithoutABackendNamesThePackageToAdd() => AssertTheBackendError("checkpoint", _checkpoint);
}
