using System.Diagnostics;

namespace Microsoft.ML.HyperDpo.Tests.Cli;

/// <summary>
/// The <c>hyperdpo</c> tool and the benchmarks program built beside the tests (the test project references both), run in a new
/// process as a user (or a developer) runs them.
/// </summary>
internal static class HyperdpoProcess
{
    /// <summary>The path of the tool's <c>hyperdpo.dll</c>, built beside the tests; fails the test where it was not built.</summary>
    public static string Tool => Built(Path.Combine("src", "Microsoft.ML.HyperDpo.Cli"), "hyperdpo.dll");

    /// <summary>The path of the benchmarks program's <c>hyperdpo-benchmarks.dll</c>, built beside the tests; fails the test where it was not built.</summary>
    public static string Benchmarks => Built(Path.Combine("benchmarks", "Microsoft.ML.HyperDpo.Benchmarks"), "hyperdpo-benchmarks.dll");

    private static string Built(string project, string dll)
    {
        string path = Path.Combine(AppContext.BaseDirectory.Replace(Path.Combine("test", "Microsoft.ML.HyperDpo.Tests"), project), dll);
        if (!File.Exists(path)) Assert.Fail($"'{project}' was not built at '{path}'; build the solution (the test project references it).");
        return path;
    }

    /// <summary>Runs the tool in <paramref name="workingDirectory"/>; returns the exit code, standard output and standard error apart.</summary>
    public static (int ExitCode, string Out, string Error) Run(string workingDirectory, params string[] args) => RunProgram(Tool, workingDirectory, args);

    /// <summary>Runs <paramref name="program"/> (<see cref="Tool"/> or <see cref="Benchmarks"/>) in <paramref name="workingDirectory"/>.</summary>
    public static (int ExitCode, string Out, string Error) RunProgram(string program, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(program);
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    /// <summary>A small LETOR file: 12 queries (qid 0..11) of 8 documents with 46 features, from <paramref name="seed"/>.</summary>
    public static string LetorFile(string path, int seed = 7)
    {
        var random = new Random(seed);
        var lines = Enumerable.Range(0, 96).Select(i =>
            $"{random.Next(3)} qid:{i / 8} " + string.Join(" ", Enumerable.Range(1, 46).Select(f => FormattableString.Invariant($"{f}:{random.NextDouble():F4}"))));
        File.WriteAllLines(path, lines);
        return path;
    }
}
