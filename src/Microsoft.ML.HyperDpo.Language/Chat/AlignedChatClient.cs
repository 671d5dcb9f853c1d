using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.ML.HyperDpo.Language.Generation;

namespace Microsoft.ML.HyperDpo.Language.Chat;

/// <summary>
/// An aligned language model as a Microsoft.Extensions.AI <see cref="IChatClient"/>. The last user message is the
/// question; the objective weights travel in <see cref="ChatOptions.AdditionalProperties"/> under
/// <see cref="WeightsKey"/> (a float[] or a comma-separated string, one weight per objective, summing to 1; default:
/// equal weights) and beta under <see cref="BetaKey"/>. <see cref="ChatOptions.Temperature"/>, <see cref="ChatOptions.TopK"/>,
/// <see cref="ChatOptions.MaxOutputTokens"/> and <see cref="ChatOptions.Seed"/> map to <see cref="GenerationOptions"/>.
/// </summary>
/// <remarks>
/// The model answers one question at a time: earlier messages and system messages are not read (the models this library
/// trains are question answerers, not chat models). Streaming returns the whole answer as one update. Not thread-safe.
/// </remarks>
public sealed class AlignedChatClient : IChatClient
{
    /// <summary>The additional-property key of the objective weights.</summary>
    public const string WeightsKey = "objective_weights";

    /// <summary>The additional-property key of the temperature conditioning beta.</summary>
    public const string BetaKey = "beta";

    private readonly AlignedLanguageModel _model;

    /// <summary>Wraps an aligned model.</summary>
    /// <param name="model">The aligned model.</param>
    public AlignedChatClient(AlignedLanguageModel model) => _model = model ?? throw new ArgumentNullException(nameof(model));

    /// <inheritdoc/>
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string question = Question(messages);
        var weights = Weights(options);
        var generation = new GenerationOptions
        {
            MaxNewTokens = options?.MaxOutputTokens ?? 64,
            Temperature = options?.Temperature ?? 0f,
            TopK = options?.TopK ?? 0,
            Seed = (int)(options?.Seed ?? 0),
        };
        float? beta = options?.AdditionalProperties?.TryGetValue(BetaKey, out object? b) == true ? Convert.ToSingle(b, CultureInfo.InvariantCulture) : null;
        string answer = _model.Generate(question, weights, generation, beta);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer)) { ModelId = "hyperdpo-aligned-gpt2" });
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates())
            yield return update;
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : serviceKey is null && serviceType == typeof(AlignedLanguageModel) ? _model
        : serviceKey is null && serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("Microsoft.ML.HyperDpo", defaultModelId: "hyperdpo-aligned-gpt2")
        : null;

    /// <summary>Nothing to release: the model is owned by the caller.</summary>
    public void Dispose()
    {
    }

    private static string Question(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var last = messages.LastOrDefault(m => m.Role == ChatRole.User)
            ?? throw new ArgumentException("The messages hold no user message to answer.", nameof(messages));
        return last.Text;
    }

    private float[] Weights(ChatOptions? options)
    {
        int k = _model.Objectives.Count;
        if (options?.AdditionalProperties?.TryGetValue(WeightsKey, out object? value) != true || value is null)
            return Enumerable.Repeat(1f / k, k).ToArray();
        return value switch
        {
            float[] f => f,
            double[] d => d.Select(x => (float)x).ToArray(),
            string s => s.Split(',').Select(x => float.TryParse(x.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out float f) ? f
                : throw new ArgumentException($"ChatOptions.AdditionalProperties[\"{WeightsKey}\"]: '{x}' is not a number.")).ToArray(),
            _ => throw new ArgumentException($"ChatOptions.AdditionalProperties[\"{WeightsKey}\"] must be a float[], double[] or comma-separated string; got {value.GetType().Name}."),
        };
    }
}
