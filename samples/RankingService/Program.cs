using System.Text.Json;
using RankingService;

// Started as: dotnet run -c Release --project samples/RankingService -- --model PATH --urls http://127.0.0.1:PORT
var builder = WebApplication.CreateBuilder(args);
string modelPath = builder.Configuration["model"]
    ?? throw new ArgumentException("Pass the model file: --model PATH (a file written by 'hyperdpo train --out').");
var limits = new RequestLimits(
    builder.Configuration.GetValue("max-body-bytes", RequestLimits.Default.MaxBodyBytes),
    builder.Configuration.GetValue("max-documents", RequestLimits.Default.MaxDocuments));
builder.Services.AddSingleton(RankingModel.Load(modelPath));
builder.Services.AddSingleton(limits);
builder.Services.AddProblemDetails();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase);

var app = builder.Build();
app.UseExceptionHandler();

app.MapGet("/objectives", (RankingModel model) => Results.Ok(new ObjectivesResponse(model.Objectives)));

app.MapPost("/rank", async (HttpContext context, RankingModel model, RequestLimits limits) =>
{
    var (request, problem) = await RankRequestReader.ReadAsync(context, limits);
    if (problem is not null) return problem;
    var error = RankRequestReader.Validate(request!, model, limits, out var weighted);
    if (error is not null) return error;
    var documents = request!.Documents!;
    float[] scores = model.Score(weighted!, documents.Select(d => d.Features!).ToList());
    // Best first; equal scores keep the request's order.
    var ranking = Enumerable.Range(0, documents.Count)
        .OrderByDescending(i => scores[i]).ThenBy(i => i)
        .Select(i => new RankedDocument(documents[i].Id!, scores[i]))
        .ToList();
    return Results.Ok(new RankResponse(ranking));
});

app.Run();

/// <summary>The entry point (public for the HTTP tests' WebApplicationFactory).</summary>
public partial class Program;
