using System.Text.Json;
using Microsoft.Extensions.Configuration.Memory;
using RankingService;

// Started as: dotnet run -c Release --project samples/RankingService -- --model PATH --urls http://127.0.0.1:PORT
var builder = WebApplication.CreateBuilder(args);
// Defaults below every other source (appsettings.json, Logging__LogLevel__Default, --Logging:LogLevel:Default=...):
// ASP.NET Core logs several Information lines per request, so only warnings and the start/stop lines are on by default.
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
{
    InitialData = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
    },
});
string? modelPath = builder.Configuration["model"];
if (string.IsNullOrWhiteSpace(modelPath))
    return StartupError("pass the model file: --model PATH (a file written by 'hyperdpo train --out').");
var limits = new RequestLimits(
    builder.Configuration.GetValue("max-body-bytes", RequestLimits.Default.MaxBodyBytes),
    builder.Configuration.GetValue("max-documents", RequestLimits.Default.MaxDocuments));
RankingModel model;
try
{
    model = RankingModel.Load(modelPath);
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
{
    // The loader's messages name the file and the problem; a stack trace would only hide them.
    return StartupError($"cannot serve the model '{modelPath}': {e.Message.ReplaceLineEndings(" ")}");
}
builder.Services.AddSingleton(model);
builder.Services.AddSingleton(limits);
builder.Services.AddProblemDetails();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase);

var app = builder.Build();
app.UseExceptionHandler();

app.MapGet("/objectives", (RankingModel served) => Results.Ok(new ObjectivesResponse(served.Objectives)));

app.MapPost("/rank", async (HttpContext context, RankingModel served, RequestLimits requestLimits) =>
{
    var (request, problem) = await RankRequestReader.ReadAsync(context, requestLimits);
    if (problem is not null) return problem;
    var error = RankRequestReader.Validate(request!, served, requestLimits, out var weighted);
    if (error is not null) return error;
    var documents = request!.Documents!;
    float[] scores = served.Score(weighted!, documents.Select(d => d.Features!).ToList());
    // Best first; equal scores keep the request's order.
    var ranking = Enumerable.Range(0, documents.Count)
        .OrderByDescending(i => scores[i]).ThenBy(i => i)
        .Select(i => new RankedDocument(documents[i].Id!, scores[i]))
        .ToList();
    return Results.Ok(new RankResponse(ranking));
});

app.Run();
return 0;

// One line on standard error and exit code 2, as the CLI reports its errors.
static int StartupError(string message)
{
    Console.Error.WriteLine("error: " + message);
    return 2;
}

/// <summary>The entry point (public for the HTTP tests' WebApplicationFactory).</summary>
public partial class Program;
