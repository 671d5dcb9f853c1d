using System.Diagnostics;
using System.Globalization;

namespace Microsoft.ML.HyperDpo.Tests.Persistence;

/// <summary>
/// Runs the LoadCheck program (test/Microsoft.ML.HyperDpo.LoadCheck, which references stock ML.NET and ONNX
/// Runtime but not this library) in a new process: it loads a saved model, scores data, and reports the scores and
/// the loaded model's type.
/// </summary>
internal static class ModelProcess
{
    public static (float[] Scores, string LoadedType, string HyperDpoAssemblies) Score(MLContext ml, string modelPath, IDataView input)
    {
        string folder = Path.GetDirectoryName(modelPath)!;
        string data = Path.Combine(folder, Path.GetFileNameWithoutExtension(modelPath) + ".idv");
        string output = Path.Combine(folder, Path.GetFileNameWithoutExtension(modelPath) + ".scores.txt");
        using (var stream = File.Create(data))
            ml.Data.SaveAsBinary(input, stream);

        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Program());
        start.ArgumentList.Add(modelPath);
        start.ArgumentList.Add(data);
        start.ArgumentList.Add(output);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("LoadCheck did not finish within two minutes.");
        }
        Assert.AreEqual(0, process.ExitCode, $"LoadCheck failed: {stderr.Result}{stdout.Result}");
        var lines = File.ReadAllLines(output);
        var last = lines[^1];
        int open = last.IndexOf('['), close = last.LastIndexOf(']');
        return (lines[..^1].Select(l => float.Parse(l, CultureInfo.InvariantCulture)).ToArray(),
            last[2..open].Trim(), last[(open + 1)..close]);
    }

    /// <summary>LoadCheck's dll, built beside this assembly's output in the same configuration.</summary>
    private static string Program()
    {
        string mine = AppContext.BaseDirectory;
        string path = Path.Combine(mine.Replace("Microsoft.ML.HyperDpo.Tests", "Microsoft.ML.HyperDpo.LoadCheck"), "Microsoft.ML.HyperDpo.LoadCheck.dll");
        if (!File.Exists(path))
            Assert.Fail($"LoadCheck was not built at '{path}'; build the solution (the test project references it).");
        return path;
    }
}
