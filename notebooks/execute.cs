// Executes every notebook of this folder headless with dotnet-repl and writes the outputs into the notebook, so that
// it reads well on GitHub:  dotnet build -c Release (at the root), then  dotnet run notebooks/execute.cs
// Needs the tool: dotnet tool install -g dotnet-repl --version 0.3.259
#:property PublishAot=false
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

string folder = Path.GetDirectoryName(Path.GetFullPath(AppContext.GetData("EntryPointFilePath") as string ?? "execute.cs"))!;
int failures = 0;
foreach (string notebook in Directory.EnumerateFiles(folder, "*.ipynb").Order())
{
    string output = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".ipynb");
    var start = new ProcessStartInfo("dotnet", ["repl", "--run", Path.GetFileName(notebook), "--exit-after-run", "--output-path", output])
    {
        WorkingDirectory = folder,
        RedirectStandardOutput = true,
    };
    using (var process = Process.Start(start)!)
    {
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();   // its exit code is 1 even on success: the outputs are the verdict
    }
    if (!File.Exists(output))
    {
        Console.Error.WriteLine($"{Path.GetFileName(notebook)}: dotnet-repl wrote nothing");
        failures++;
        continue;
    }
    var executed = JsonNode.Parse(File.ReadAllText(output))!;
    File.Delete(output);
    foreach (var cell in executed["cells"]!.AsArray())
    {
        if (cell!["outputs"] is not JsonArray outputs) continue;
        // The package installer redraws its progress many times; keep only the final "Installed Packages" frame. The kernel's
        // "Loading extensions from <NuGet cache>" lines name a folder of the machine that ran the notebook: drop them too.
        foreach (var frame in outputs.Where(o => o!.ToJsonString() is var json && (json.Contains("Installing Packages") || json.Contains("Loading extensions from"))).ToList())
            outputs.Remove(frame);
        foreach (var o in outputs.Where(o => (string?)o!["output_type"] == "error"))
        {
            Console.Error.WriteLine($"{Path.GetFileName(notebook)}: {o!["ename"]}: {o["evalue"]}");
            failures++;
        }
    }
    File.WriteAllText(notebook, executed.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    Console.WriteLine($"{Path.GetFileName(notebook)}: executed");
}
return failures == 0 ? 0 : 1;
