using System.Runtime.InteropServices;
using Google.Protobuf;

namespace Microsoft.ML.HyperDpo.Scoring.Onnx;

/// <summary>
/// Writes protocol-buffer fields with Google.Protobuf's <see cref="CodedOutputStream"/>. The ONNX messages are
/// written field by field from the field numbers of onnx.proto (see <see cref="OnnxGraph"/>), so the library needs
/// no generated ONNX classes.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly CodedOutputStream _output;

    private ProtoWriter(CodedOutputStream output) => _output = output;

    /// <summary>Runs <paramref name="write"/> against a fresh message and returns its encoded bytes.</summary>
    public static byte[] Encode(Action<ProtoWriter> write)
    {
        using var memory = new MemoryStream();
        var coded = new CodedOutputStream(memory, leaveOpen: true);
        write(new ProtoWriter(coded));
        coded.Flush();
        return memory.ToArray();
    }

    public void String(int field, string value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteString(value);
    }

    public void Int64(int field, long value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteInt64(value);
    }

    public void Int32(int field, int value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteInt32(value);
    }

    public void Float(int field, float value)
    {
        _output.WriteTag(field, WireFormat.WireType.Fixed32);
        _output.WriteFloat(value);
    }

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteBytes(ByteString.CopyFrom(value));
    }

    /// <summary>Floats as little-endian bytes (the ONNX <c>raw_data</c> encoding).</summary>
    public void RawFloats(int field, ReadOnlySpan<float> values)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ONNX export writes raw little-endian tensors and needs a little-endian machine.");
        Bytes(field, MemoryMarshal.AsBytes(values));
    }

    /// <summary>A repeated int64 field, packed.</summary>
    public void PackedInt64(int field, IReadOnlyList<long> values)
    {
        Bytes(field, Encode(w => { foreach (long v in values) w._output.WriteInt64(v); }));
    }

    /// <summary>An embedded message.</summary>
    public void Message(int field, Action<ProtoWriter> write) => Bytes(field, Encode(write));
}
