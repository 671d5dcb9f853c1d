namespace RankingService;

/// <summary>POST /rank body: the trade-off, one weight per objective in <c>GET /objectives</c> order, and the documents.</summary>
public sealed record RankRequest(float[]? ObjectiveWeights, List<RankDocument>? Documents);

/// <summary>One document to rank: an id echoed back and its feature vector.</summary>
public sealed record RankDocument(string? Id, float[]? Features);

/// <summary>POST /rank answer: the documents best first.</summary>
public sealed record RankResponse(IReadOnlyList<RankedDocument> Ranking);

/// <summary>One ranked document.</summary>
public sealed record RankedDocument(string Id, float Score);

/// <summary>GET /objectives answer: the model's objectives, in weight order.</summary>
public sealed record ObjectivesResponse(IReadOnlyList<string> Objectives);

/// <summary>What one request may hold (options <c>--max-body-bytes</c> and <c>--max-documents</c>).</summary>
public sealed record RequestLimits(long MaxBodyBytes, int MaxDocuments)
{
    /// <summary>4 MB and 10,000 documents: a few thousand documents of a few hundred features.</summary>
    public static readonly RequestLimits Default = new(4 * 1024 * 1024, 10_000);
}
