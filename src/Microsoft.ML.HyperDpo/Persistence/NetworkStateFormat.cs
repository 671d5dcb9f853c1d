using System.Text;
using Microsoft.ML.HyperDpo.Modeling;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Persistence;

/// <summary>
/// The binary form of a scoring network's state dictionary: the <c>network.bin</c> entry of a checkpoint and the
/// <c>hyperdpo.network</c> metadata of a saved model's ONNX graph (base64). Read back with every count, name, shape
/// and value checked, so a corrupt entry gives an <see cref="InvalidDataException"/>, never a crash or a huge allocation.
/// </summary>
/// <remarks>
/// Layout: the 4 ASCII bytes <c>HDPN</c>; int32 entry count; per entry: name (.NET BinaryWriter string: 7-bit
/// encoded length, UTF-8), int32 rank, rank x int64 dimensions, then the product of the dimensions float32 values.
/// </remarks>
internal static class NetworkStateFormat
{
    private static readonly byte[] Magic = "HDPN"u8.ToArray();
    private const int MaxRank = 8;

    public static void Write(Stream stream, nn.Module network) => Write(stream, NetworkState.From(network));

    public static void Write(Stream stream, NetworkState state)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(state.Entries.Count);
        foreach (var entry in state.Entries)
        {
            writer.Write(entry.Name);
            writer.Write(entry.Shape.Length);
            foreach (long d in entry.Shape) writer.Write(d);
            foreach (float v in entry.Values) writer.Write(v);
        }
    }

    /// <summary>Reads a whole state; throws <see cref="InvalidDataException"/> on anything malformed or non-finite.</summary>
    public static NetworkState Read(Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            if (!reader.ReadBytes(Magic.Length).SequenceEqual(Magic))
                throw new InvalidDataException("the network entry does not start with HDPN");
            long remaining() => stream.Length - stream.Position;
            int count = reader.ReadInt32();
            if (count < 1 || count > remaining())
                throw new InvalidDataException($"the network entry claims {count} tensors");
            var entries = new List<NetworkState.Entry>(count);
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                if (!names.Add(name))
                    throw new InvalidDataException($"the network entry has two tensors named '{name}'");
                int rank = reader.ReadInt32();
                if (rank < 0 || rank > MaxRank)
                    throw new InvalidDataException($"tensor '{name}' has rank {rank}");
                var shape = new long[rank];
                long size = 1;
                for (int d = 0; d < rank; d++)
                {
                    shape[d] = reader.ReadInt64();
                    if (shape[d] < 0 || shape[d] > remaining() / 4)
                        throw new InvalidDataException($"tensor '{name}' has dimension {shape[d]}");
                    size *= shape[d];
                    if (size > remaining() / 4)
                        throw new InvalidDataException($"tensor '{name}' of shape [{string.Join(", ", shape.Take(d + 1))}...] is larger than the entry");
                }
                var values = new float[size];
                for (int j = 0; j < values.Length; j++)
                {
                    values[j] = reader.ReadSingle();
                    if (!float.IsFinite(values[j]))
                        throw new InvalidDataException($"tensor '{name}' holds the value {values[j]} at {j}");
                }
                entries.Add(new NetworkState.Entry(name, shape, values));
            }
            if (stream.Position != stream.Length)
                throw new InvalidDataException("the network entry has bytes after its last tensor");
            return new NetworkState(entries);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("the network entry ends early");
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"the network entry has a malformed tensor name ({e.Message})");
        }
    }

    /// <summary>Copies the stored values into <paramref name="network"/>; throws <see cref="InvalidDataException"/> on any mismatch.</summary>
    public static void ReadInto(Stream stream, nn.Module network)
    {
        var state = Read(stream);
        var expected = network.state_dict();
        if (state.Entries.Count != expected.Count)
            throw new InvalidDataException($"the network entry has {state.Entries.Count} tensors; the architecture in the manifest has {expected.Count}");
        var loaded = new Dictionary<string, Tensor>();
        try
        {
            foreach (var entry in state.Entries)
            {
                if (!expected.TryGetValue(entry.Name, out var target))
                    throw new InvalidDataException($"the network entry has a tensor '{entry.Name}' that the architecture in the manifest does not");
                if (entry.Shape.Length != target.dim())
                    throw new InvalidDataException($"tensor '{entry.Name}' has rank {entry.Shape.Length}; expected {target.dim()}");
                if (!entry.Shape.SequenceEqual(target.shape))
                    throw new InvalidDataException($"tensor '{entry.Name}' has shape [{string.Join(", ", entry.Shape)}]; expected [{string.Join(", ", target.shape)}]");
                loaded[entry.Name] = tensor(entry.Values, entry.Shape);
            }
            network.load_state_dict(loaded);
        }
        finally
        {
            foreach (var t in loaded.Values) t.Dispose();
        }
    }
}
