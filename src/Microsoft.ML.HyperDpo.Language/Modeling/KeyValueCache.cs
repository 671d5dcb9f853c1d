using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Language.Modeling;

/// <summary>
/// The keys and values that every attention layer has seen so far, so that generation feeds only the new token
/// instead of the whole sequence. Owns its tensors: dispose it when the sequence is done.
/// </summary>
public sealed class KeyValueCache : IDisposable
{
    private readonly Tensor?[] _keys;
    private readonly Tensor?[] _values;

    /// <summary>Creates an empty cache for a model with <paramref name="layers"/> blocks.</summary>
    /// <param name="layers">Number of transformer blocks.</param>
    public KeyValueCache(int layers)
    {
        _keys = new Tensor?[layers];
        _values = new Tensor?[layers];
    }

    /// <summary>Number of positions cached (soft-prompt positions included).</summary>
    public long Length { get; internal set; }

    /// <summary>Which cached positions are real tokens [B, Length] (false: padding); null while no padding mask was given.</summary>
    internal Tensor? PaddingMask { get; private set; }

    /// <summary>Keeps the mask of every cached position, replacing the previous one.</summary>
    internal void SetPaddingMask(Tensor mask)
    {
        var old = PaddingMask;
        PaddingMask = mask.alias().DetachFromDisposeScope();
        old?.Dispose();
    }

    /// <summary>Appends a layer's new keys and values, [B, H, T, D/H], and returns all of them so far.</summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        var oldKeys = _keys[layer];
        var oldValues = _values[layer];
        // The cache outlives the dispose scope of the step that made these tensors.
        _keys[layer] = (oldKeys is null ? keys.alias() : torch.cat(new[] { oldKeys, keys }, 2)).DetachFromDisposeScope();
        _values[layer] = (oldValues is null ? values.alias() : torch.cat(new[] { oldValues, values }, 2)).DetachFromDisposeScope();
        oldKeys?.Dispose();
        oldValues?.Dispose();
        return (_keys[layer]!, _values[layer]!);
    }

    /// <summary>Frees the cached tensors.</summary>
    public void Dispose()
    {
        for (int i = 0; i < _keys.Length; i++)
        {
            _keys[i]?.Dispose();
            _values[i]?.Dispose();
            _keys[i] = _values[i] = null;
        }
        PaddingMask?.Dispose();
        PaddingMask = null;
        Length = 0;
    }
}
