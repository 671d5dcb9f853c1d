using System.Globalization;

namespace Microsoft.ML.HyperDpo.Tests.Persistence;

/// <summary>Scores data with a checkpoint in a new process: 'hyperdpo score --checkpoint', the CLI built beside the tests.</summary>
internal static class CliProcess
{
    public static float[] ScoreCheckpoint(MLContext ml, string checkpointPath, IDataView input, string weights)
    {
        string folder = Path.GetDirectoryName(checkpointPath)!;
        string data = Path.Combine(folder, Path.GetFileNameWithoutExtension(checkpointPath) + ".cli.idv");
        string output = Path.Combine(folder, Path.GetFileNameWithoutExtension(checkpointPath) + ".cli-scores.txt");
        using (var stream = File.Create(data))
            ml.Data.SaveAsBinary(input, stream);
        var (exitCode, text) = ChildProcess.Run("dotnet", folder, Cli(), "score", "--checkpoint", checkpointPath, "--data", data, "--weights", weights, "--output", output);
        Assert.AreEqual(0, exitCode, $"'hyperdpo score' failed: {text}");
        return File.ReadAllLines(output).Select(l => float.Parse(l, CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>The CLI's dll, built beside this assembly's output in the same configuration (the test project references it).</summary>
    internal static string Cli()
    {
        string cli = Tests.Cli.HyperdpoProcess.Tool;
        return cli;
    }
}
