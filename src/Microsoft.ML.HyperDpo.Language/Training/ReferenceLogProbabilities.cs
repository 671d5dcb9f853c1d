using Microsoft.ML.HyperDpo.Language.Data;
using Microsoft.ML.HyperDpo.Language.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Language.Training;

/// <summary>
/// The reference model's log-probability of every response: the base model without soft prompt or adapters. It does
/// not depend on w, so each list is computed once and cached (per list object).
/// </summary>
internal sealed class ReferenceLogProbabilities
{
    private readonly Gpt2LanguageModel _model;
    private readonly ResponseEncoder _encoder;
    private readonly Dictionary<PreferenceList, float[]> _cache = new(ReferenceEqualityComparer.Instance);

    public ReferenceLogProbabilities(Gpt2LanguageModel model, ResponseEncoder encoder)
    {
        _model = model;
        _encoder = encoder;
    }

    /// <summary>Each list's reference log-probabilities, computing the missing ones in batches; <paramref name="keep"/>: cache them.</summary>
    public IReadOnlyList<float[]> Get(IReadOnlyList<PreferenceList> lists, bool keep = true)
    {
        var missing = lists.Where(l => !_cache.ContainsKey(l)).Distinct(ReferenceEqualityComparer.Instance).Cast<PreferenceList>().ToList();
        const int ListsPerBatch = 8;
        for (int start = 0; start < missing.Count; start += ListsPerBatch)
        {
            var batch = missing.Skip(start).Take(ListsPerBatch).ToList();
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            using var detached = AdapterSwitch.Detach(_model);
            _model.eval();
            var encoded = batch.Select(_encoder.Encode).ToList();
            var (tokens, targets) = _encoder.Pad(encoded.SelectMany(e => e.Responses.Select(r => (e.Prompt, r))), _model.Device);
            var values = SequenceLogProbability.Compute(_model, null, tokens, targets).cpu().data<float>().ToArray();
            int offset = 0;
            for (int b = 0; b < batch.Count; b++)
            {
                _cache[batch[b]] = values[offset..(offset + encoded[b].Responses.Length)];
                offset += encoded[b].Responses.Length;
            }
        }
        var result = lists.Select(l => _cache[l]).ToList();
        if (!keep)
            foreach (var list in missing)
                _cache.Remove(list);
        return result;
    }
}

/// <summary>Attaches a set of low-rank adapters to a model's attention blocks for a scope, restoring what was there before.</summary>
internal sealed class AdapterSwitch : IDisposable
{
    private readonly Gpt2LanguageModel _model;
    private readonly LowRankAdapter?[] _previous;

    private AdapterSwitch(Gpt2LanguageModel model, IReadOnlyList<LowRankAdapter>? adapters)
    {
        _model = model;
        _previous = model.Blocks.Select(b => b.Attention.Adapter).ToArray();
        for (int i = 0; i < _previous.Length; i++)
            model.Blocks[i].Attention.Adapter = adapters?[i];
    }

    public static AdapterSwitch Attach(Gpt2LanguageModel model, IReadOnlyList<LowRankAdapter>? adapters) => new(model, adapters);

    public static AdapterSwitch Detach(Gpt2LanguageModel model) => new(model, null);

    public void Dispose()
    {
        for (int i = 0; i < _previous.Length; i++)
            _model.Blocks[i].Attention.Adapter = _previous[i];
    }
}
