using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Tests.Persistence;

namespace Microsoft.ML.HyperDpo.Tests.Serving;

/// <summary>
/// The ranking service sample started as samples/RankingService/README.md says, in its own process on a loopback port:
/// <c>dotnet run -c Release --project samples/RankingService -- --model model.zip --urls http://127.0.0.1:PORT</c>, on a
/// model written by <c>hyperdpo train --out model.zip</c> (the README's first command; the CLI built beside the tests).
/// Kestrel, not the in-process test server, so that slow bodies, logging and start-up errors are the real ones.
/// </summary>
[TestClass]
public class RankingServiceProcessTests
{
    // The first start builds the service in Release: minutes on a busy machine.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(10);
    private static TemporaryFolder _folder;
    private static string _root, _modelPath;
    private static Process _service;
    private static readonly StringBuilder ServiceOutput = new();
    private static HttpClient _client;
    private static int _port;

    [ClassInitialize]
    public static void StartService(TestContext _)
    {
        _root = ChildProcess.RepositoryRoot();
        _folder = new TemporaryFolder("hyperdpo-service-process");
        _modelPath = _folder.File("model.zip");
        var train = ChildProcess.Run("dotnet", _folder.Path, CliProcess.Cli(), "train", "--out", _modelPath);
        Assert.AreEqual(0, train.ExitCode, "hyperdpo train --out: " + train.Output);
        (_service, _port) = StartReadmeCommand(ServiceOutput, build: true);
        _client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}"), Timeout = TimeSpan.FromSeconds(60) };
        WaitUntilAnswering(_client, _service, ServiceOutput);
    }

    [ClassCleanup]
    public static void StopService()
    {
        _client?.Dispose();
        if (_service is not null)
        {
            ChildProcess.Terminate(_service, TimeSpan.FromSeconds(30));
            _service.Dispose();
        }
        _folder?.Dispose();
    }

    /// <summary>The README's command on a free loopback port; <paramref name="build"/> false adds <c>--no-build</c> (the first start built it).</summary>
    private static (Process Service, int Port) StartReadmeCommand(StringBuilder output, bool build, string model = null)
    {
        int port = FreePort();
        var args = new List<string> { "run", "-c", "Release", "--project", Path.Combine("samples", "RankingService") };
        if (!build) args.Add("--no-build");
        args.AddRange(new[] { "--", "--model", model ?? _modelPath, "--urls", $"http://127.0.0.1:{port}" });
        return (ChildProcess.Start("dotnet", _root, output, args.ToArray()), port);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Text(StringBuilder output)
    {
        lock (output) return output.ToString();
    }

    private static void WaitUntilAnswering(HttpClient client, Process service, StringBuilder output)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (service.HasExited)
            {
                service.WaitForExit();
                Assert.Fail($"The service exited with code {service.ExitCode} before answering:\n{Text(output)}");
            }
            try
            {
                using var response = client.GetAsync("/objectives").Result;
                if (response.IsSuccessStatusCode) return;
            }
            catch (AggregateException e) when (e.InnerException is HttpRequestException or TaskCanceledException)
            {
            }
            Thread.Sleep(500);
        }
        service.Kill(entireProcessTree: true);
        Assert.Fail($"The service did not answer GET /objectives within {StartTimeout.TotalMinutes} minutes:\n{Text(output)}");
    }

    private static int FeatureCount()
    {
        new MLContext(1).Model.Load(_modelPath, out var schema);
        return ((VectorDataViewType)schema["Features"].Type).Size;
    }

    private static float[][] Documents(int count, int features, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, features).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray()).ToArray();
    }

    private static object Request(float[][] documents) => new
    {
        objectiveWeights = new[] { 0.5f, 0.5f },
        documents = documents.Select((f, i) => new { id = "d" + i, features = f }).ToArray(),
    };

    private sealed class FeaturesRow
    {
        public float[] Features { get; set; }
    }

    [TestMethod]
    [Timeout(120_000)]
    public async Task TheReadmeCommandServesTheModelFileAsStockMlNetScoresIt()
    {
        var objectives = await _client.GetFromJsonAsync<JsonElement>("/objectives");
        Assert.AreEqual(2, objectives.GetProperty("objectives").GetArrayLength(), objectives.GetRawText());
        int features = FeatureCount();
        var documents = Documents(12, features, seed: 5);
        using var response = await _client.PostAsJsonAsync("/rank", Request(documents));
        string text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, text);
        var ranking = JsonDocument.Parse(text).RootElement.GetProperty("ranking").EnumerateArray().ToList();

        // Independently: the file loaded with stock ML.NET (its ONNX graph, saved at equal weights), on the same features.
        var ml = new MLContext(1);
        var definition = SchemaDefinition.Create(typeof(FeaturesRow));
        definition["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features);
        var data = ml.Data.LoadFromEnumerable(documents.Select(f => new FeaturesRow { Features = f }), definition);
        float[] expected = ml.Model.Load(_modelPath, out _).Transform(data).GetColumn<float>("Score").ToArray();
        Assert.HasCount(documents.Length, ranking);
        for (int i = 0; i < ranking.Count; i++)
        {
            int document = int.Parse(ranking[i].GetProperty("id").GetString()![1..]);
            Assert.AreEqual(expected[document], ranking[i].GetProperty("score").GetSingle(), 1e-4f, $"score of d{document}");
            if (i > 0) Assert.IsGreaterThanOrEqualTo(ranking[i].GetProperty("score").GetSingle(), ranking[i - 1].GetProperty("score").GetSingle(), "best first");
        }
        CollectionAssert.AreEquivalent(Enumerable.Range(0, documents.Length).Select(i => "d" + i).ToArray(), ranking.Select(r => r.GetProperty("id").GetString()).ToArray());
    }

    /// <summary>Sends a POST /rank whose Content-Length promises more bytes than it sends; returns the whole answer ("" if the connection closed without one).</summary>
    private static async Task<string> PostShortBody(bool closeSending)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _port);
        var stream = tcp.GetStream();
        byte[] part = Encoding.UTF8.GetBytes("{\"objectiveWeights\": [0.5, 0.5], \"docum");
        byte[] head = Encoding.ASCII.GetBytes($"POST /rank HTTP/1.1\r\nHost: 127.0.0.1:{_port}\r\nContent-Type: application/json\r\nContent-Length: {part.Length + 500}\r\n\r\n");
        await stream.WriteAsync(head);
        await stream.WriteAsync(part);
        await stream.FlushAsync();
        if (closeSending) tcp.Client.Shutdown(SocketShutdown.Send);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            // The service closes the connection after answering a body it could not read.
            return await reader.ReadToEndAsync(timeout.Token);
        }
        catch (IOException)
        {
            return "";
        }
    }

    [TestMethod]
    [Timeout(120_000)]
    public async Task ABodyShorterThanItsContentLengthIs408_NotAServerError()
    {
        // The client waits for the rest: Kestrel's MinRequestBodyDataRate (240 bytes/s after a 5 s grace period) ends the wait.
        var clock = Stopwatch.StartNew();
        string answer = await PostShortBody(closeSending: false);
        StringAssert.StartsWith(answer, "HTTP/1.1 408 Request Timeout", answer);
        StringAssert.Contains(answer, "application/problem+json", answer);
        StringAssert.Contains(answer, "\"errors\":{\"body\":", "the problem names the body: " + answer);
        Assert.IsLessThan(30, clock.Elapsed.TotalSeconds, "answered after the grace period");

        // The client hangs up mid-body: Kestrel closes the connection, so no answer can reach it; never a 500.
        answer = await PostShortBody(closeSending: true);
        Assert.IsTrue(answer == "" || answer.StartsWith("HTTP/1.1 400 Bad Request", StringComparison.Ordinal), "400 or closed: " + answer);

        using var response = await _client.GetAsync("/objectives");
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, "the service still answers");
        // Neither body is an unhandled exception in the service's log (the console logger writes within milliseconds).
        await Task.Delay(1000);
        Assert.DoesNotContain("fail: ", Text(ServiceOutput), Text(ServiceOutput));
    }

    [TestMethod]
    [Timeout(120_000)]
    public async Task AWrongContentTypeIs415NamingTheHeader()
    {
        string json = JsonSerializer.Serialize(Request(Documents(2, FeatureCount(), seed: 6)));
        foreach (var content in new HttpContent[] { new StringContent(json, Encoding.UTF8, "text/plain"), new ByteArrayContent(Encoding.UTF8.GetBytes(json)) })
        {
            using var response = await _client.PostAsync("/rank", content);
            string text = await response.Content.ReadAsStringAsync();
            Assert.AreEqual(HttpStatusCode.UnsupportedMediaType, response.StatusCode, text);
            Assert.IsTrue(JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty("Content-Type", out _), text);
        }
    }

    [TestMethod]
    [Timeout(300_000)]
    public async Task ByDefaultARequestLogsNoInformationLine()
    {
        var output = new StringBuilder();
        var (service, port) = StartReadmeCommand(output, build: false);
        using (service)
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
            WaitUntilAnswering(client, service, output);
            for (int i = 0; i < 3; i++)
            {
                using var response = await client.PostAsJsonAsync("/rank", Request(Documents(5, FeatureCount(), seed: 10 + i)));
                Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
            }
            // A graceful stop flushes the console logger: its shutdown line comes after every request's lines.
            Assert.IsTrue(ChildProcess.Terminate(service, TimeSpan.FromSeconds(60)), "the service stops on SIGTERM");
        }
        string log = Text(output);
        StringAssert.Contains(log, "Application is shutting down", "the start/stop lines stay on: " + log);
        var information = log.Split('\n').Where(l => l.StartsWith("info: ", StringComparison.Ordinal) && !l.StartsWith("info: Microsoft.Hosting.Lifetime", StringComparison.Ordinal)).ToList();
        Assert.IsEmpty(information, "no Information line per request by default:\n" + log);
    }

    [TestMethod]
    [Timeout(300_000)]
    public void ABadModelFileStopsTheStartWithOneLineNamingIt()
    {
        string bad = _folder.File("not-a-model.zip");
        File.WriteAllText(bad, "this is not a model");
        var output = new StringBuilder();
        var (service, _) = StartReadmeCommand(output, build: false, model: bad);
        using (service)
        {
            Assert.IsTrue(service.WaitForExit(TimeSpan.FromMinutes(4)), "the service exits instead of serving: " + Text(output));
            service.WaitForExit();
            string text = Text(output).Trim();
            Assert.AreNotEqual(0, service.ExitCode, text);
            Assert.AreNotEqual(134, service.ExitCode, "not an abort: " + text);
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.HasCount(1, lines, "one line: " + text);
            StringAssert.StartsWith(lines[0], "error: ");
            StringAssert.Contains(lines[0], bad);
            Assert.DoesNotContain("   at ", text, "no stack trace");
        }
    }
}
