namespace Microsoft.ML.HyperDpo.Scoring.Onnx;

/// <summary>
/// Collects the nodes, initializers, inputs and outputs of one ONNX graph and writes the ModelProto.
/// Targets ONNX IR version <see cref="IrVersion"/> and opset <see cref="Opset"/> of the default domain, which
/// ONNX Runtime has run since 1.12 (and 1.31 does); every operator used (Sub, Div, Concat, Gemm, Mul, Add,
/// Sigmoid, MatMul, Reshape) has had its current definition since opset 14 or earlier.
/// </summary>
/// <remarks>
/// Field numbers, from onnx.proto: ModelProto ir_version 1, producer_name 2, producer_version 3, doc_string 6,
/// graph 7, opset_import 8, metadata_props 14; OperatorSetIdProto domain 1, version 2; GraphProto node 1, name 2,
/// initializer 5, doc_string 10, input 11, output 12; NodeProto input 1, output 2, name 3, op_type 4, attribute 5;
/// AttributeProto name 1, i 3, type 20 (INT = 2); TensorProto dims 1, data_type 2 (FLOAT = 1, INT64 = 7),
/// int64_data 7, name 8, raw_data 9; ValueInfoProto name 1, type 2; TypeProto tensor_type 1; TypeProto.Tensor
/// elem_type 1, shape 2; TensorShapeProto dim 1; Dimension dim_value 1, dim_param 2; StringStringEntryProto key 1, value 2.
/// </remarks>
internal sealed class OnnxGraph
{
    public const long IrVersion = 8;
    public const long Opset = 17;
    private const int FloatType = 1, Int64Type = 7, IntAttribute = 2;

    private readonly List<Action<ProtoWriter>> _nodes = new();
    private readonly List<Action<ProtoWriter>> _initializers = new();
    private readonly List<Action<ProtoWriter>> _inputs = new();
    private readonly List<Action<ProtoWriter>> _outputs = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    /// <summary>A graph input of Single values; a null dimension is the symbolic batch size N.</summary>
    public string Input(string name, params long?[] dims)
    {
        Claim(name);
        _inputs.Add(w => ValueInfo(w, name, dims));
        return name;
    }

    /// <summary>Marks <paramref name="value"/> as the graph output <paramref name="name"/> (through an Identity when the names differ).</summary>
    public void Output(string value, string name, params long?[] dims)
    {
        if (value != name)
        {
            Claim(name);
            _nodes.Add(w => NodeProto(w, "Identity", new[] { value }, name, Array.Empty<(string, long)>()));
        }
        _outputs.Add(w => ValueInfo(w, name, dims));
    }

    /// <summary>Gemm(input, W, b, transB = 1): <paramref name="input"/> [N, inputs] times W^T, W given as [outputs, inputs] (TorchSharp's layout).</summary>
    public string Gemm(string input, string name, float[] weight, int outputs, int inputs, float[] bias) =>
        Node("Gemm", new[] { input, Constant(name, weight, outputs, inputs), Constant(name + "_bias", bias, outputs) }, ("transB", 1));

    /// <summary>Gemm with a dense layer's weights and bias.</summary>
    public string Gemm(string input, string name, DenseLayer layer) => Gemm(input, name, layer.Weight, layer.Outputs, layer.Inputs, layer.Bias);

    /// <summary>A constant Single tensor.</summary>
    public string Constant(string hint, float[] data, params long[] dims)
    {
        string name = Fresh(hint);
        _initializers.Add(w =>
        {
            w.PackedInt64(1, dims);
            w.Int32(2, FloatType);
            w.String(8, name);
            w.RawFloats(9, data);
        });
        return name;
    }

    /// <summary>A constant Int64 tensor (shapes).</summary>
    public string Constant(string hint, long[] data)
    {
        string name = Fresh(hint);
        _initializers.Add(w =>
        {
            w.PackedInt64(1, new long[] { data.Length });
            w.Int32(2, Int64Type);
            w.PackedInt64(7, data);
            w.String(8, name);
        });
        return name;
    }

    /// <summary>One node with one output; returns the output's name.</summary>
    public string Node(string op, string[] inputs, params (string Name, long Value)[] attributes)
    {
        string output = Fresh(op.ToLowerInvariant());
        _nodes.Add(w => NodeProto(w, op, inputs, output, attributes));
        return output;
    }

    /// <summary>Writes the ModelProto.</summary>
    public void WriteModel(Stream stream, string graphName, string docString, IReadOnlyDictionary<string, string> metadata)
    {
        byte[] bytes = ProtoWriter.Encode(model =>
        {
            model.Int64(1, IrVersion);
            model.String(2, "Microsoft.ML.HyperDpo");
            model.String(3, typeof(OnnxGraph).Assembly.GetName().Version?.ToString() ?? "0");
            model.String(6, docString);
            model.Message(7, graph =>
            {
                foreach (var node in _nodes) graph.Message(1, node);
                graph.String(2, graphName);
                foreach (var initializer in _initializers) graph.Message(5, initializer);
                foreach (var input in _inputs) graph.Message(11, input);
                foreach (var output in _outputs) graph.Message(12, output);
            });
            model.Message(8, opset =>
            {
                opset.String(1, "");
                opset.Int64(2, Opset);
            });
            foreach (var (key, value) in metadata)
                model.Message(14, entry =>
                {
                    entry.String(1, key);
                    entry.String(2, value);
                });
        });
        stream.Write(bytes);
    }

    private void Claim(string name)
    {
        if (!_names.Add(name))
            throw new ArgumentException($"The ONNX graph already has a value named '{name}'; input and output column names must differ.", name);
    }

    private string Fresh(string hint)
    {
        string name;
        do name = $"{hint}_{_counter++}"; while (!_names.Add(name));
        return name;
    }

    private static void NodeProto(ProtoWriter w, string op, string[] inputs, string output, (string Name, long Value)[] attributes)
    {
        foreach (string input in inputs) w.String(1, input);
        w.String(2, output);
        w.String(3, output);
        w.String(4, op);
        foreach (var (name, value) in attributes)
            w.Message(5, a =>
            {
                a.String(1, name);
                a.Int64(3, value);
                a.Int32(20, IntAttribute);
            });
    }

    private static void ValueInfo(ProtoWriter w, string name, long?[] dims)
    {
        w.String(1, name);
        w.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Int32(1, FloatType);
            tensor.Message(2, shape =>
            {
                foreach (long? d in dims)
                    shape.Message(1, dim =>
                    {
                        if (d is long value) dim.Int64(1, value);
                        else dim.String(2, "N");
                    });
            });
        }));
    }
}
