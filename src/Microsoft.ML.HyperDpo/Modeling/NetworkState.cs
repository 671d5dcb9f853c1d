using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Modeling;

/// <summary>
/// A scoring network's state dictionary as plain float32 arrays, in the module's order: what the checkpoint's
/// <c>network.bin</c> and a saved model's ONNX metadata carry, and what <see cref="Scoring.ScorerParameters"/> is read from.
/// </summary>
internal sealed class NetworkState
{
    public NetworkState(IReadOnlyList<Entry> entries)
    {
        Entries = entries;
        _byName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
    }

    private readonly Dictionary<string, Entry> _byName;

    /// <summary>One tensor: its name in the state dictionary, its shape and its values (row-major).</summary>
    public sealed record Entry(string Name, long[] Shape, float[] Values);

    public IReadOnlyList<Entry> Entries { get; }

    public bool Contains(string name) => _byName.ContainsKey(name);

    public bool TryGet(string name, out Entry entry) => _byName.TryGetValue(name, out entry!);

    /// <summary>Copies the parameters and buffers out of <paramref name="network"/> (to the CPU, as float32).</summary>
    public static NetworkState From(nn.Module network) =>
        new(network.state_dict().Select(p =>
        {
            using var cpu = p.Value.detach().cpu().to_type(ScalarType.Float32);
            return new Entry(p.Key, p.Value.shape.ToArray(), cpu.data<float>().ToArray());
        }).ToList());
}
