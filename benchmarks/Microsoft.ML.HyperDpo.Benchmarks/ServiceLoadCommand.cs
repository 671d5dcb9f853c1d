using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.ML.HyperDpo.Cli;
using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Benchmarks;

/// <summary>
/// <c>benchmark-service</c>: a bounded load test of the ranking service sample (samples/RankingService). It
/// saves a model as <c>train --out</c> does (or takes one), starts the service in its own process on 127.0.0.1, sends a
/// fixed number of POST /rank requests from concurrent clients, and reports errors, latency percentiles, throughput and
/// the service process's memory before and after. Writes its section of docs/benchmarks.md.
/// </summary>
internal static class ServiceLoadCommand
{
    public static System.CommandLine.Command Create()
    {
        var model = new Option<string?>("--model") { Description = "A model written by 'hyperdpo train --out'; omitted: one trained here on the embedded synthetic data." };
        var requests = new Option<int>("--requests") { Description = "POST /rank requests in all.", DefaultValueFactory = _ => 20_000 };
        var clients = new Option<int>("--clients") { Description = "Concurrent clients.", DefaultValueFactory = _ => 16 };
        var documents = new Option<int>("--documents") { Description = "Documents per request.", DefaultValueFactory = _ => 100 };
        var project = new Option<string>("--service-project") { Description = "The service's project folder.", DefaultValueFactory = _ => Path.Combine("samples", "RankingService") };
        var output = BenchmarkOptions.BenchmarksPage();
        var command = new System.CommandLine.Command("benchmark-service", "Load test of the ranking service sample: errors, p50/p99 latency and memory under concurrent POST /rank requests.")
        {
            model, requests, clients, documents, project, output,
        };
        command.SetAction((r, token) => RunAsync(r.GetValue(model), r.GetValue(requests), r.GetValue(clients), r.GetValue(documents), r.GetValue(project)!, r.GetValue(output)!, token));
        return command;
    }

    private static async Task<int> RunAsync(string? modelPath, int requestCount, int clientCount, int documentCount, string project, string output, CancellationToken token)
    {
        if (requestCount < 1 || clientCount < 1 || documentCount < 1)
            throw new ArgumentException("--requests, --clients and --documents must be at least 1.");
        CliPaths.RequireOutputFile(output, "--benchmarks");
        if (modelPath is not null && !File.Exists(modelPath))
            throw new FileNotFoundException($"--model file '{modelPath}' does not exist.", modelPath);
        if (!Directory.Exists(project))
            throw new DirectoryNotFoundException($"--service-project folder '{project}' does not exist; run from the repository root or pass the service's project folder.");
        string folder = Path.Combine(Path.GetTempPath(), "hyperdpo-service-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string description = modelPath is null ? "a HyperDPO model trained for 3 epochs on the embedded synthetic data (objectives Relevance and Quality), saved as `train --out` saves it" : "the model given with --model";
            modelPath ??= TrainModel(Path.Combine(folder, "model.zip"));
            string dll = BuildService(project);
            int port = FreePort();
            using var service = StartService(dll, modelPath, port);
            try
            {
                using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clientCount }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                var objectives = await WaitForService(client, service, token);
                int features = LoadedFeatureCount(modelPath);
                var bodies = Bodies(objectives.Length, features, documentCount, count: 64);

                // Warm-up (JIT, pools), then memory at the start.
                await Load(client, bodies, Math.Min(500, requestCount), clientCount, documentCount, token);
                long startMemory = WorkingSet(service);
                var clock = Stopwatch.StartNew();
                var result = await Load(client, bodies, requestCount, clientCount, documentCount, token);
                clock.Stop();
                long endMemory = WorkingSet(service);
                Write(output, description, objectives, features, requestCount, clientCount, documentCount, result, clock.Elapsed, startMemory, endMemory);
                return result.Errors == 0 ? 0 : 1;
            }
            finally
            {
                if (!service.HasExited) service.Kill(entireProcessTree: true);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string TrainModel(string path)
    {
        var ml = new MLContext(1);
        var data = RankingDataSets.Synthetic(ml, 1);
        var options = new HyperDpoRankingTrainer.Options { LabelColumnNames = data.Objectives, Seed = 1, Optimiser = { NumberOfEpochs = 3 } };
        AnsiConsole.MarkupLine("Training a model on the embedded data...");
        var model = ml.Ranking.Trainers.HyperDpo(options).Fit(data.Train, data.Validation);
        ml.Model.SaveAtomically(model, data.Train.Schema, path);
        return path;
    }

    private static int LoadedFeatureCount(string modelPath) => new MLContext(1).Model.LoadHyperDpo(modelPath) switch
    {
        HyperDpoRankingTransformer h => h.FeatureCount,
        WeightedScoreTransformer w => w.Model.FeatureCount,
        var other => throw new InvalidDataException($"Model file '{modelPath}' holds a {other.GetType().Name}, not a HyperDPO ranker."),
    };

    /// <summary>Builds the service in Release and returns its assembly, so that the measured process is the service itself.</summary>
    private static string BuildService(string project)
    {
        if (!Directory.Exists(project))
            throw new ArgumentException($"The service project '{project}' does not exist; run from the repository root or pass --service-project.");
        AnsiConsole.MarkupLine($"Building {Markup.Escape(project)}...");
        var build = Process.Start(new ProcessStartInfo("dotnet", new[] { "build", "-c", "Release", "--nologo", "-v", "q", project }) { RedirectStandardOutput = true })!;
        string log = build.StandardOutput.ReadToEnd();
        build.WaitForExit();
        if (build.ExitCode != 0)
            throw new InvalidOperationException($"Building '{project}' failed:\n{log}");
        string name = Path.GetFileName(Path.GetFullPath(project).TrimEnd(Path.DirectorySeparatorChar));
        string dll = Path.Combine(project, "bin", "Release", "net10.0", name + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"The service build wrote no '{dll}'.", dll);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Process StartService(string dll, string model, int port) =>
        Process.Start(new ProcessStartInfo("dotnet", new[] { dll, "--model", Path.GetFullPath(model), "--urls", $"http://127.0.0.1:{port}" })
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Logging__LogLevel__Default"] = "Warning" },
        })!;

    private static async Task<string[]> WaitForService(HttpClient client, Process service, CancellationToken token)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (service.HasExited)
                throw new InvalidOperationException($"The service exited with code {service.ExitCode}: {await service.StandardError.ReadToEndAsync(token)}");
            try
            {
                var body = await client.GetFromJsonAsync<JsonElement>("/objectives", token);
                return body.GetProperty("objectives").EnumerateArray().Select(e => e.GetString()!).ToArray();
            }
            catch (HttpRequestException)
            {
                await Task.Delay(200, token);
            }
        }
        throw new InvalidOperationException("The service did not answer GET /objectives within 120 s.");
    }

    /// <summary>Request bodies with random features and weights, serialised once so that the clients spend their time on HTTP.</summary>
    private static byte[][] Bodies(int objectives, int features, int documents, int count)
    {
        var random = new Random(7);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var weights = Enumerable.Range(0, objectives).Select(_ => (float)random.NextDouble() + 0.01f).ToArray();
            var docs = Enumerable.Range(0, documents).Select(d => new
            {
                id = "d" + d.ToString(CultureInfo.InvariantCulture),
                features = Enumerable.Range(0, features).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray(),
            }).ToArray();
            return JsonSerializer.SerializeToUtf8Bytes(new { objectiveWeights = weights, documents = docs });
        }).ToArray();
    }

    private sealed record LoadResult(double[] LatenciesMs, int Errors, string? FirstError);

    private static async Task<LoadResult> Load(HttpClient client, byte[][] bodies, int count, int clients, int documents, CancellationToken token)
    {
        var latencies = new double[count];
        int next = -1, errors = 0;
        string? firstError = null;
        async Task Client()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                long start = Stopwatch.GetTimestamp();
                string? error = null;
                try
                {
                    using var content = new ByteArrayContent(bodies[i % bodies.Length]);
                    content.Headers.ContentType = new("application/json");
                    using var response = await client.PostAsync("/rank", content, token);
                    var text = await response.Content.ReadAsStringAsync(token);
                    if (response.StatusCode != HttpStatusCode.OK) error = $"{(int)response.StatusCode}: {text}";
                    else if (JsonDocument.Parse(text).RootElement.GetProperty("ranking").GetArrayLength() != documents) error = "a ranking of the wrong length";
                }
                catch (HttpRequestException e)
                {
                    error = e.Message;
                }
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (error is not null && Interlocked.Increment(ref errors) == 1) firstError = error;
            }
        }
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(Client, token)));
        return new LoadResult(latencies, errors, firstError);
    }

    private static long WorkingSet(Process service)
    {
        service.Refresh();
        return service.WorkingSet64;
    }

    private static void Write(string output, string description, string[] objectives, int features, int requests, int clients, int documents,
        LoadResult result, TimeSpan elapsed, long startMemory, long endMemory)
    {
        var sorted = result.LatenciesMs.Order().ToArray();
        double Quantile(double q) => sorted[(int)Math.Round(q * (sorted.Length - 1))];
        string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        var md = new StringBuilder();
        md.AppendLine("## Serving: the ranking service sample under load").AppendLine();
        md.AppendLine(ReportHeader.WrittenBy(Program.Run) + ". ");
        md.AppendLine(Invariant($"The service (samples/RankingService, Release, Kestrel on 127.0.0.1) loaded {description}; {objectives.Length} objectives, {features} features. "));
        md.AppendLine(Invariant($"{clients} concurrent clients in the same machine (they share its cores with the service) sent {requests:N0} POST /rank requests of {documents} documents each, with random features and weights, after 500 warm-up requests. An error is any answer other than 200 with a ranking of all the documents, or a failed connection.")).AppendLine();
        md.AppendLine("| requests | errors | requests/s | documents/s | latency p50, ms | p90, ms | p99, ms | max, ms | service working set, MB (start -> end) |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        md.AppendLine(Invariant($"| {requests:N0} | {result.Errors} | {requests / elapsed.TotalSeconds:N0} | {requests * (double)documents / elapsed.TotalSeconds:N0} | {Quantile(0.5):F2} | {Quantile(0.9):F2} | {Quantile(0.99):F2} | {sorted[^1]:F2} | {startMemory / 1e6:F0} -> {endMemory / 1e6:F0} |"));
        if (result.FirstError is not null) md.AppendLine().AppendLine(Invariant($"First error: {result.FirstError}"));
        BenchmarkReport.Publish(output, "benchmark-service", md.ToString());
    }
}
