using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Microsoft.ML.HyperDpo.Tests.Serving;

/// <summary>The ranking service sample (samples/RankingService) over HTTP, in process, with a model saved as <c>hyperdpo train --out</c> saves it.</summary>
[TestClass]
public class RankingServiceTests
{
    private static TemporaryFolder _folder;
    private static string _modelPath;
    private static HyperDpoRankingTransformer _model;
    private static WebApplicationFactory<Program> _factory;
    private static HttpClient _client;

    [ClassInitialize]
    public static void StartService(TestContext _)
    {
        _folder = new TemporaryFolder("hyperdpo-service");
        var ml = new MLContext(1);
        var data = SyntheticRanking.Load(ml, SyntheticRanking.Rows(30, 4, 10, seed: 60));
        _model = ml.Ranking.Trainers.HyperDpo(SyntheticRanking.FastOptions(epochs: 3)).Fit(data);
        _modelPath = _folder.File("model.zip");
        ml.Model.SaveAtomically(_model, data.Schema, _modelPath);
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("model", _modelPath);
            b.UseSetting("max-body-bytes", "20000");
        });
        _client = _factory.CreateClient();
    }

    [ClassCleanup]
    public static void StopService()
    {
        _client?.Dispose();
        _factory?.Dispose();
        _folder?.Dispose();
    }

    private static object Request(float[] weights, int documents, int seed, int features = SyntheticRanking.FeatureCount)
    {
        var random = new Random(seed);
        return new
        {
            objectiveWeights = weights,
            documents = Enumerable.Range(0, documents).Select(i => new
            {
                id = "d" + i,
                features = Enumerable.Range(0, features).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(),
            }).ToArray(),
        };
    }

    private static async Task<JsonElement> Post(object body, HttpStatusCode expected)
    {
        using var response = await _client.PostAsJsonAsync("/rank", body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(expected, response.StatusCode, text);
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>Asserts a 400 problem details response whose errors name <paramref name="field"/>.</summary>
    private static async Task AssertProblem(HttpContent content, string field, string because)
    {
        using var response = await _client.PostAsync("/rank", content);
        string text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, because + ": " + text);
        StringAssert.StartsWith(response.Content.Headers.ContentType?.MediaType, "application/problem+json", because);
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.IsTrue(errors.TryGetProperty(field, out _), $"{because}: the problem names '{field}': {text}");
    }

    private static Task AssertProblem(object body, string field, string because) => AssertProblem(JsonContent.Create(body), field, because);

    [TestMethod]
    public async Task ObjectivesAreTheModelsInWeightOrder()
    {
        var body = await _client.GetFromJsonAsync<JsonElement>("/objectives");
        CollectionAssert.AreEqual(SyntheticRanking.Labels, body.GetProperty("objectives").EnumerateArray().Select(e => e.GetString()).ToArray());
    }

    [TestMethod]
    public async Task RankOrdersTheDocumentsByTheModelsScoreAtTheRequestedWeights()
    {
        var weights = new[] { 0.3f, 0.7f };
        var request = Request(weights, 25, seed: 1);
        var ranking = (await Post(request, HttpStatusCode.OK)).GetProperty("ranking").EnumerateArray().ToList();

        // Independently: the in-memory model at the same weights, through ML.NET.
        var ml = new MLContext(1);
        var rows = Enumerable.Range(0, 25).Select(i => new RankingRow
        {
            Features = JsonSerializer.SerializeToElement(request).GetProperty("documents")[i].GetProperty("features").EnumerateArray().Select(e => e.GetSingle()).ToArray(),
        }).ToList();
        var expected = SyntheticRanking.Scores(_model.WithObjectiveWeights(weights).Transform(ml.Data.LoadFromEnumerable(rows)));
        Assert.HasCount(25, ranking);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 25).Select(i => "d" + i).ToArray(), ranking.Select(r => r.GetProperty("id").GetString()).ToArray());
        for (int i = 0; i < ranking.Count; i++)
        {
            int document = int.Parse(ranking[i].GetProperty("id").GetString()![1..]);
            Assert.AreEqual(expected[document], ranking[i].GetProperty("score").GetSingle(), 1e-5f, $"score of d{document}");
            if (i > 0) Assert.IsGreaterThanOrEqualTo(ranking[i].GetProperty("score").GetSingle(), ranking[i - 1].GetProperty("score").GetSingle(), "best first");
        }
    }

    [TestMethod]
    public async Task BadRequestsGetProblemDetailsNamingTheField()
    {
        await AssertProblem(Request(new[] { 0.5f, 0.5f }, 3, seed: 2, features: 5), "documents[0].features", "wrong feature count");
        await AssertProblem(Request(new[] { 1f }, 3, seed: 2), "objectiveWeights", "one weight for two objectives");
        await AssertProblem(Request(new[] { 1f, -0.5f }, 3, seed: 2), "objectiveWeights[1]", "a negative weight");
        await AssertProblem(Request(new[] { 0f, 0f }, 3, seed: 2), "objectiveWeights", "all-zero weights");
        await AssertProblem(new { objectiveWeights = new[] { 0.5f, 0.5f }, documents = Array.Empty<object>() }, "documents", "an empty list");
        await AssertProblem(new { documents = new[] { new { id = "a", features = new float[4] } } }, "objectiveWeights", "no weights");
        await AssertProblem(Request(new[] { 0.5f, 0.5f }, 400, seed: 2), "body", "a body over the 20,000-byte limit");
        await AssertProblem(new StringContent("not json", Encoding.UTF8, "application/json"), "body", "not JSON");
        await AssertProblem(new StringContent("{\"objectiveWeights\": [0.5, ", Encoding.UTF8, "application/json"), "objectiveWeights[1]", "JSON cut off inside the weights");
        await AssertProblem(new StringContent("{\"objectiveWeights\": [0.5, \"NaN\"], \"documents\": []}", Encoding.UTF8, "application/json"), "objectiveWeights[1]", "a string for a number");
    }

    [TestMethod]
    public async Task ConcurrentRequestsGetTheSameAnswersAsSequentialOnes()
    {
        var requests = Enumerable.Range(0, 64).Select(i => Request(new[] { i % 8 / 7f, 1 - i % 8 / 7f }, 30, seed: 100 + i)).ToArray();
        var sequential = new List<string>();
        foreach (var request in requests) sequential.Add((await Post(request, HttpStatusCode.OK)).GetRawText());
        var concurrent = await Task.WhenAll(requests.Select(r => Task.Run(async () => (await Post(r, HttpStatusCode.OK)).GetRawText())));
        CollectionAssert.AreEqual(sequential, concurrent);
    }
}
