using System.Diagnostics;
using System.Text;

namespace Microsoft.ML.HyperDpo.Tests.Cli;

/// <summary>
/// <c>hyperdpo train</c> in its own process, as a user runs it: stopped by SIGINT (what Ctrl-C sends) in the middle of training,
/// and trained on grades past ML.NET's default gains table.
/// </summary>
[TestClass]
public class InterruptionCliTests
{
    /// <summary>A LETOR file of <paramref name="queries"/> queries of 8 documents, 46 features, grades 0..<paramref name="maxGrade"/>.</summary>
    private static string LetorFile(TemporaryFolder folder, string name, int queries, int maxGrade)
    {
        var random = new Random(17);
        var lines = Enumerable.Range(0, queries * 8).Select(i =>
            $"{(i % 8 == 0 ? maxGrade : random.Next(maxGrade + 1))} qid:{i / 8} " + string.Join(" ", Enumerable.Range(1, 46).Select(f => FormattableString.Invariant($"{f}:{random.NextDouble():F4}"))));
        string path = folder.File(name);
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>Starts the tool built beside the tests in <paramref name="folder"/>, with its output read as it comes.</summary>
    private static (Process Process, StringBuilder Out, StringBuilder Error) Start(TemporaryFolder folder, params string[] args)
    {
        string tool = Cli.HyperdpoProcess.Tool;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(tool);
        foreach (string a in args) start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (error) error.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output, error);
    }

    /// <summary>Whether <paramref name="pid"/> ignores SIGINT, as a command started with '&amp;' by a non-interactive shell does (Linux).</summary>
    private static bool IgnoresSigint(int pid)
    {
        string status = File.ReadAllText($"/proc/{pid}/status");
        string mask = status.Split('\n').Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal))["SigIgn:".Length..].Trim();
        return (Convert.ToUInt64(mask, 16) & (1UL << (2 - 1))) != 0;
    }

    [TestMethod]
    public void SigintMidTrainingStopsWithOneLineAndExitCode130_LeavingTheOldModelAndACompleteCheckpoint()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/bin/kill")) Assert.Inconclusive("Skipped: needs Linux and /bin/kill to send SIGINT.");
        using var folder = new TemporaryFolder("hyperdpo-sigint");
        string data = LetorFile(folder, "long.txt", queries: 40, maxGrade: 2);
        string model = folder.File("model.zip"), checkpoint = folder.File("run.ckpt");
        File.WriteAllText(model, "the previous model");
        var (process, output, error) = Start(folder, "train", "--train", data, "--epochs", "100000", "--out", model, "--checkpoint", checkpoint);
        using (process)
        {
            try
            {
                // Training is under way once the first epoch's checkpoint is there.
                var deadline = Stopwatch.StartNew();
                while (!File.Exists(checkpoint) && !process.HasExited && deadline.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(100);
                Assert.IsFalse(process.HasExited, $"the tool ended before training got under way: {output}{error}");
                Assert.IsTrue(File.Exists(checkpoint), "no checkpoint after 3 minutes");
                if (IgnoresSigint(process.Id))
                    Assert.Inconclusive("Skipped: this test run ignores SIGINT (started in the background by a non-interactive shell), and so does the tool it starts.");

                using (var kill = Process.Start("/bin/kill", new[] { "-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) })!)
                    kill.WaitForExit();
                Assert.IsTrue(process.WaitForExit(TimeSpan.FromMinutes(1)), "still training a minute after SIGINT");
                process.WaitForExit();
            }
            finally
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }

            string all = output.ToString() + error;
            Assert.AreEqual(130, process.ExitCode, all);
            Assert.AreEqual("cancelled by Ctrl-C (SIGINT): stopped before the next step; files written before are complete, and nothing else was written.",
                error.ToString().Trim());
            Assert.DoesNotContain("   at ", all, "no stack trace");
        }
        Assert.AreEqual("the previous model", File.ReadAllText(model), "--out is written only by a finished run");
        Assert.IsGreaterThanOrEqualTo(1, HyperDpoCheckpoint.Load(new MLContext(1), checkpoint).EpochsCompleted);
        CollectionAssert.AreEquivalent(new[] { "long.txt", "model.zip", "run.ckpt" }, Directory.GetFiles(folder.Path).Select(Path.GetFileName).ToArray(),
            "no temporary or partial file is left");
    }

    [TestMethod]
    public void TrainingOnGradesUpTo7PrintsTheNdcgTableAndSaves()
    {
        // ML.NET's default gains stop at grade 4: this run once trained, then crashed (exit 134) in the NDCG table.
        using var folder = new TemporaryFolder("hyperdpo-grades");
        string data = LetorFile(folder, "graded.txt", queries: 12, maxGrade: 7), saved = folder.File("graded.zip");
        var (process, output, error) = Start(folder, "train", "--train", data, "--epochs", "1", "--grid", "2", "--out", saved);
        using (process)
        {
            Assert.IsTrue(process.WaitForExit(TimeSpan.FromMinutes(5)), "still running after 5 minutes");
            process.WaitForExit();
            Assert.AreEqual(0, process.ExitCode, output.ToString() + error);
        }
        string table = output.ToString();
        StringAssert.Contains(table, "NDCG on the training data along the weight grid");
        Assert.IsTrue(table.Split('\n').Any(l => l.Contains("(1, 0)", StringComparison.Ordinal)), table);
        Assert.IsTrue(File.Exists(saved));
    }
}
