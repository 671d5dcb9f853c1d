using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.HyperDpo.Persistence;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Language.Persistence;

/// <summary>
/// Reads and writes the safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
/// mapping each name to <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> (offsets relative to the data
/// section), then the raw little-endian tensor bytes.
/// </summary>
/// <remarks>Reads F32, F16, BF16 and F64 (converted to float32); writes F32.</remarks>
public static class SafeTensors
{
    // A header larger than this is not a safetensors file (the reference implementation's own limit is 100 MB).
    private const long MaxHeaderBytes = 100_000_000;

    /// <summary>Reads every tensor of a safetensors file as float32 on the CPU. The caller owns (disposes) them.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file; the message names the file and the tensor.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.Read(lengthBytes) != 8)
            throw new InvalidDataException($"'{path}' is not a safetensors file: it is shorter than its 8-byte header length.");
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(lengthBytes);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > stream.Length)
            throw new InvalidDataException($"'{path}' is not a safetensors file: its header length {headerLength} does not fit the file ({stream.Length} bytes).");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        JsonObject header;
        try
        {
            header = JsonNode.Parse(headerBytes) as JsonObject ?? throw new InvalidDataException($"'{path}': the safetensors header is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}': the safetensors header is not valid JSON ({e.Message}).", e);
        }

        long dataStart = 8 + headerLength, dataLength = stream.Length - dataStart;
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__") continue;
                string where = $"'{path}', tensor '{name}'";
                var entry = node as JsonObject ?? throw new InvalidDataException($"{where}: expected an object with dtype, shape and data_offsets.");
                string dtype = entry["dtype"]?.GetValue<string>() ?? throw new InvalidDataException($"{where}: no dtype.");
                long[] shape = (entry["shape"] as JsonArray ?? throw new InvalidDataException($"{where}: no shape.")).Select(n => n!.GetValue<long>()).ToArray();
                var offsets = entry["data_offsets"] as JsonArray ?? throw new InvalidDataException($"{where}: no data_offsets.");
                if (offsets.Count != 2) throw new InvalidDataException($"{where}: data_offsets must hold [begin, end].");
                long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
                var (scalarType, elementSize) = dtype switch
                {
                    "F32" => (ScalarType.Float32, 4),
                    "F16" => (ScalarType.Float16, 2),
                    "BF16" => (ScalarType.BFloat16, 2),
                    "F64" => (ScalarType.Float64, 8),
                    _ => throw new InvalidDataException($"{where}: dtype '{dtype}' is not supported (F32, F16, BF16, F64 are)."),
                };
                long count = shape.Aggregate(1L, (a, b) => a * b);
                if (shape.Any(d => d < 0) || begin < 0 || end > dataLength || end - begin != count * elementSize)
                    throw new InvalidDataException($"{where}: data_offsets [{begin}, {end}] do not hold {count} {dtype} values inside the data section ({dataLength} bytes).");
                var bytes = new byte[end - begin];
                stream.Position = dataStart + begin;
                stream.ReadExactly(bytes);
                // Host memory: the bytes are read into it; callers copy the values to their device.
                using var raw = torch.empty(shape, scalarType, device: torch.CPU);
                raw.bytes = bytes;
                result[name] = raw.to(ScalarType.Float32).clone();
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>
    /// Writes tensors as float32, in the order given, to <paramref name="path"/>. The file is written beside the
    /// destination first and moved over it only when complete, so a failed save leaves an existing file intact.
    /// </summary>
    /// <param name="path">The destination file.</param>
    /// <param name="tensors">Names and tensors (any floating dtype and device; written as contiguous float32).</param>
    /// <param name="metadata">Optional string metadata (<c>__metadata__</c>).</param>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
            header["__metadata__"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            using var cpu = tensor.detach().to(ScalarType.Float32, torch.CPU).contiguous();
            var bytes = cpu.bytes.ToArray();
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        // The format pads the header with spaces so that the data section starts 8-byte aligned.
        int padded = (json.Length + 7) / 8 * 8;
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(length, padded);
            stream.Write(length);
            stream.Write(json);
            for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var blob in blobs) stream.Write(blob);
        });
    }
}
