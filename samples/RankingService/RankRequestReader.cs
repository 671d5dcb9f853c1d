using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.ML.HyperDpo;

namespace RankingService;

/// <summary>
/// Reads and checks a POST /rank body. Every refusal is a problem details response whose <c>errors</c> name the
/// field (<c>Content-Type</c>, <c>body</c>, <c>objectiveWeights</c>, <c>documents</c>, <c>documents[i].features</c>, ...) and
/// say what was expected: 400 for a bad request, 415 for a body that is not JSON by its Content-Type, 408 for a body that
/// arrives too slowly (Kestrel's MinRequestBodyDataRate) or never completes.
/// </summary>
public static class RankRequestReader
{
    // camelCase fields, read case-insensitively; numbers only as JSON numbers (no "NaN", no quoted numbers).
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>
    /// Deserialises the body, refusing one that is not JSON by its Content-Type, one larger than the limit (by its
    /// Content-Length, or while reading it), and one that ends before its Content-Length or arrives too slowly.
    /// </summary>
    public static async Task<(RankRequest? Request, IResult? Problem)> ReadAsync(HttpContext context, RequestLimits limits)
    {
        if (!context.Request.HasJsonContentType())
            return (null, Problem("Content-Type", $"The body must be JSON (Content-Type: application/json); got {(string.IsNullOrEmpty(context.Request.ContentType) ? "no Content-Type" : "'" + context.Request.ContentType + "'")}.",
                StatusCodes.Status415UnsupportedMediaType));
        string tooLarge = $"The request body is larger than {limits.MaxBodyBytes} bytes; send fewer documents per request.";
        if (context.Request.ContentLength > limits.MaxBodyBytes)
            return (null, Problem("body", tooLarge));
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = limits.MaxBodyBytes;
        try
        {
            var request = await JsonSerializer.DeserializeAsync<RankRequest>(context.Request.Body, Json, context.RequestAborted);
            return request is null ? (null, Problem("body", "The body must be a JSON object {\"objectiveWeights\": [...], \"documents\": [...]}.")) : (request, null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problem("body", tooLarge));
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own verdict on the body: 408 when it arrives slower than MinRequestBodyDataRate (a client that sent
            // fewer bytes than its Content-Length and waits), 400 when the connection ends before the body does.
            string problem = e.StatusCode == StatusCodes.Status408RequestTimeout
                ? "The request body arrived too slowly or stopped before its Content-Length; send the whole body at once."
                : $"The request body could not be read: {e.Message}";
            return (null, Problem("body", problem, e.StatusCode));
        }
        catch (JsonException e)
        {
            string field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.');
            return (null, Problem(field, $"The body is not valid JSON of the expected shape at {e.Path ?? "$"} (line {e.LineNumber}, byte {e.BytePositionInLine}): numbers must be finite JSON numbers, ids strings."));
        }
    }

    /// <summary>Checks the fields against the model; on success <paramref name="weighted"/> is the model at the request's weights.</summary>
    public static IResult? Validate(RankRequest request, RankingModel model, RequestLimits limits, out HyperDpoRankingTransformer? weighted)
    {
        weighted = null;
        int k = model.Objectives.Count;
        if (request.ObjectiveWeights is null)
            return Problem("objectiveWeights", $"Missing: give {k} weights, one per objective ({string.Join(", ", model.Objectives)}).");
        if (request.ObjectiveWeights.Length != k)
            return Problem("objectiveWeights", $"Got {request.ObjectiveWeights.Length} weights; the model has {k} objectives ({string.Join(", ", model.Objectives)}).");
        for (int j = 0; j < k; j++)
            if (!(request.ObjectiveWeights[j] >= 0) || !float.IsFinite(request.ObjectiveWeights[j]))
                return Problem($"objectiveWeights[{j}]", $"Weight {j} ({model.Objectives[j]}) is {request.ObjectiveWeights[j]}; weights must be finite and >= 0.");
        try
        {
            weighted = model.At(request.ObjectiveWeights);
        }
        catch (ArgumentException e)
        {
            return Problem("objectiveWeights", e.Message.Split(" (Parameter")[0]);
        }
        if (request.Documents is null || request.Documents.Count == 0)
            return Problem("documents", "The list of documents is empty; send at least one.");
        if (request.Documents.Count > limits.MaxDocuments)
            return Problem("documents", $"Got {request.Documents.Count} documents; at most {limits.MaxDocuments} per request.");
        for (int i = 0; i < request.Documents.Count; i++)
        {
            var document = request.Documents[i];
            if (document is null)
                return Problem($"documents[{i}]", "The document is null.");
            if (string.IsNullOrEmpty(document.Id))
                return Problem($"documents[{i}].id", "Missing: every document needs an id.");
            if (document.Features is null || document.Features.Length != model.FeatureCount)
                return Problem($"documents[{i}].features", $"Got {document.Features?.Length ?? 0} features; the model takes {model.FeatureCount}.");
            int bad = Array.FindIndex(document.Features, v => !float.IsFinite(v));
            if (bad >= 0)
                return Problem($"documents[{i}].features[{bad}]", $"The value {document.Features[bad]} is not a finite Single.");
        }
        return null;
    }

    private static IResult Problem(string field, string message, int statusCode = StatusCodes.Status400BadRequest) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = new[] { message } },
            title: $"Invalid request: {field}", statusCode: statusCode);
}
