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
        using var process = Process.Start(StartInfo(fileName, workingDirectory, args))!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    /// <summary>
    /// Starts <paramref name="fileName"/> and returns at once, for a program that keeps running (a service); its standard
    /// output and error lines are appended to <paramref name="output"/> as they come (lock it to read).
    /// </summary>
    public static Process Start(string fileName, string workingDirectory, System.Text.StringBuilder output, params string[] args)
    {
        var process = new Process { StartInfo = StartInfo(fileName, workingDirectory, args) };
        DataReceivedEventHandler append = (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
        };
        process.OutputDataReceived += append;
        process.ErrorDataReceived += append;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Sends SIGTERM (what a service manager sends to stop a service) and waits up to <paramref name="timeout"/>; kills the process tree if it is still running then.</summary>
    public static bool Terminate(Process process, TimeSpan timeout)
    {
        if (!process.HasExited) Run("kill", Path.GetTempPath(), "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (process.WaitForExit(timeout))
        {
            process.WaitForExit(); // the redirected output is complete only after this overload returns
            return true;
        }
        process.Kill(entireProcessTree: true);
        return false;
    }

    private static ProcessStartInfo StartInfo(string fileName, string workingDirectory, string[] args)
    {
        var start = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) start.ArgumentList.Add(a);
        // MSBuild variables of the test run must not leak into child builds.
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBuildSDKsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        return start;
    }
}
