using System.Diagnostics;

namespace Microsoft.ML.HyperDpo.Tests;

/// <summary>Runs a program as a user would from a shell, for the tests that build, pack or execute things outside the test process.</summary>
internal static class ChildProcess
{
    /// <summary>The repository root (the folder of Microsoft.ML.HyperDpo.sln above the test assembly), or a skip of the calling test.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Microsoft.ML.HyperDpo.sln"))) return dir.FullName;
        Assert.Inconclusive("Skipped: the repository (Microsoft.ML.HyperDpo.sln) is not above the test assembly.");
        return "";
    }

    /// <summary>Runs <paramref name="fileName"/> to completion; returns its exit code and its standard output and error.</summary>
    public static (int ExitCode, string Output) Run(string fileName, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) start.ArgumentList.Add(a);
        // MSBuild variables of the test run must not leak into child builds.
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBuildSDKsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }
}
