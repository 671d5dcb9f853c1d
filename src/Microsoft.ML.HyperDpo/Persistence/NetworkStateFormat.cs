using System.Text;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Persistence;

/// <summary>
/// The <c>network.bin</c> entry of a checkpoint: the scoring network's state dictionary as plain little-endian
/// records, read back only into a network of the architecture the manifest names, with every name and shape checked.
/// </summary>
/// <remarks>
/// Layout: the 4 ASCII bytes <c>HDPN</c>; int32 entry count; per entry: name (.NET BinaryWriter string: 7-bit
/// encoded length, UTF-8), int32 rank, rank x int64 dimensions, then the product of the dimensions float32 values.
/// </remarks>
internal static class NetworkStateFormat
{
    private static readonly byte[] Magic = "HDPN"u8.ToArray();

    public static void Write(Stream stream, nn.Module network)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        var state = network.state_dict();
        writer.Write(state.Count);
        foreach (var (name, tensor) in state)
        {
            writer.Write(name);
            writer.Write((int)tensor.dim());
            foreach (long d in tensor.shape) writer.Write(d);
            using var cpu = tensor.detach().cpu().to_type(ScalarType.Float32);
            foreach (float v in cpu.data<float>()) writer.Write(v);
        }
    }

    /// <summary>Copies the stored values into <paramref name="network"/>; throws <see cref="InvalidDataException"/> on any mismatch.</summary>
    public static void ReadInto(Stream stream, nn.Module network)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        if (!reader.ReadBytes(Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException("the network entry does not start with HDPN");
        var expected = network.state_dict();
        int count = reader.ReadInt32();
        if (count != expected.Count)
            throw new InvalidDataException($"the network entry has {count} tensors; the architecture in the manifest has {expected.Count}");
        var loaded = new Dictionary<string, Tensor>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                if (!expected.TryGetValue(name, out var target))
                    throw new InvalidDataException($"the network entry has a tensor '{name}' that the architecture in the manifest does not");
                int rank = reader.ReadInt32();
                if (rank != target.dim())
                    throw new InvalidDataException($"tensor '{name}' has rank {rank}; expected {target.dim()}");
                var shape = new long[rank];
                for (int d = 0; d < rank; d++) shape[d] = reader.ReadInt64();
                if (!shape.SequenceEqual(target.shape))
                    throw new InvalidDataException($"tensor '{name}' has shape [{string.Join(", ", shape)}]; expected [{string.Join(", ", target.shape)}]");
                var values = new float[target.numel()];
                for (int j = 0; j < values.Length; j++) values[j] = reader.ReadSingle();
                loaded[name] = tensor(values, shape);
            }
            if (stream.Position != stream.Length)
                throw new InvalidDataException("the network entry has bytes after its last tensor");
            network.load_state_dict(loaded);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("the network entry ends early");
        }
        finally
        {
            foreach (var t in loaded.Values) t.Dispose();
        }
    }
}
