using Google.Protobuf;

namespace Microsoft.ML.HyperDpo.Scoring.Onnx;

/// <summary>
/// What a saved model's loader needs to know of an ONNX ModelProto without running it: the producer and the
/// metadata. Field numbers as in <see cref="OnnxGraph"/>; every other field is skipped.
/// </summary>
internal sealed record OnnxModelHeader(string Producer, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>Reads the header of <paramref name="model"/>; throws <see cref="InvalidDataException"/> when it is not a well-formed protobuf message.</summary>
    public static OnnxModelHeader Read(byte[] model)
    {
        string producer = "";
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var input = new CodedInputStream(model);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case 2 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                        producer = input.ReadString();
                        break;
                    case 14 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                        var entry = Fields(input.ReadBytes(), 1, 2);
                        metadata[entry[0] ?? ""] = entry[1] ?? "";
                        break;
                    default:
                        input.SkipLastField();
                        break;
                }
            }
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"The ONNX model is not a well-formed protobuf message ({e.Message}).", e);
        }
        return new OnnxModelHeader(producer, metadata);
    }

    /// <summary>The string fields <paramref name="numbers"/> of a message (null where absent).</summary>
    private static string?[] Fields(ByteString message, params int[] numbers)
    {
        var values = new string?[numbers.Length];
        var input = message.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            int at = Array.IndexOf(numbers, WireFormat.GetTagFieldNumber(tag));
            if (at >= 0 && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited) values[at] = input.ReadString();
            else input.SkipLastField();
        }
        return values;
    }
}
