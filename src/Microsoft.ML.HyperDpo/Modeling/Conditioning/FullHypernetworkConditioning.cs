using System.Runtime.CompilerServices;
using Microsoft.ML.HyperDpo.Scoring;
using Microsoft.ML.HyperDpo.Scoring.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.HyperDpo.Modeling.Conditioning;

/// <summary>
/// <see cref="ConditioningKind.FullHypernetwork"/>: a hypernetwork generates a change of every weight and bias of the trunk
/// from c (Navon et al., "Learning the Pareto Front with Hypernetworks"); the trunk sees the features only. An MLP embeds c
/// (C -> 32 -> 32, ReLU); the trunk's P parameters are generated in chunks of at most 1024 (von Oswald et al.): chunk i is
/// W2 ReLU(A e + Z z_i) + b2, with a learnt embedding z_i per chunk, so one small head serves every chunk. The head starts at
/// zero, so training starts from the unconditioned trunk, whose own weights are the base the generated changes are added to.
/// </summary>
/// <remarks>
/// The generated vector holds, per hidden layer, the weight change transposed ([inputs, outputs], row-major) then the bias
/// change, and last the output layer's weight and bias changes (<see cref="GeneratedLayout"/>).
/// </remarks>
internal sealed class FullHypernetworkConditioning : ConditioningModule
{
    public static readonly ConditioningDefinition Definition =
        new(ConditioningKind.FullHypernetwork, ConcatenatesCondition: false, s => new FullHypernetworkConditioning(s));

    internal const int EmbeddingWidth = 32, ChunkHiddenWidth = 32, ChunkEmbeddingWidth = 8, MaxChunkSize = 1024;

    private readonly GeneratedLayout _layout;
    private readonly Linear embed_in;
    private readonly Linear embed_out;
    private readonly Linear chunk_from_condition;
    private readonly Linear chunk_from_id;
    private readonly Parameter chunk_embeddings;
    private readonly Linear chunk_out;
    // The parameters generated for the current forward pass, by the hook of its first layer; they live in that pass's dispose scope.
    private GeneratedParameters? _current;

    private FullHypernetworkConditioning(ConditioningShape shape) : base(nameof(FullHypernetworkConditioning))
    {
        _layout = new GeneratedLayout(shape.FirstLayerInputs, shape.HiddenSizes);
        embed_in = Linear(shape.ConditionWidth, EmbeddingWidth);
        embed_out = Linear(EmbeddingWidth, EmbeddingWidth);
        chunk_from_condition = Linear(EmbeddingWidth, ChunkHiddenWidth);
        chunk_from_id = Linear(ChunkEmbeddingWidth, ChunkHiddenWidth, hasBias: false);
        chunk_embeddings = new Parameter(torch.randn(_layout.Chunks, ChunkEmbeddingWidth));
        chunk_out = ZeroLinear(ChunkHiddenWidth, _layout.ChunkSize);
        RegisterComponents();
    }

    public override Tensor Layer(int layer, Linear trunk, Tensor h, Tensor c)
    {
        if (layer == 0) _current = Generate(h, c);
        var g = _current!;
        var (weightOffset, biasOffset, inputs, outputs) = _layout.Hidden[layer];
        var weight = g.Flat.narrow(1, weightOffset, inputs * outputs).reshape(g.Rows, inputs, outputs);
        var bias = g.Flat.narrow(1, biasOffset, outputs).unsqueeze(1);
        var delta = torch.bmm(g.Group(h), weight).Plus(bias);
        return trunk.forward(h).Plus(delta.reshape(h.shape[..^1].Append(outputs).ToArray()));
    }

    public override Tensor Score(Linear output, Tensor h, Tensor c)
    {
        var g = _current!;
        var weight = g.Flat.narrow(1, _layout.OutputWeightOffset, _layout.Width).unsqueeze(-1);
        var bias = g.Flat.narrow(1, _layout.OutputBiasOffset, 1).unsqueeze(1);
        var delta = torch.bmm(g.Group(h), weight).Plus(bias);
        return base.Score(output, h, c).Plus(delta.reshape(h.shape[..^1]));
    }

    /// <summary>The generated parameters of every distinct c: one row per list when c is [B, 1, C] with h [B, L, F].</summary>
    private GeneratedParameters Generate(Tensor h, Tensor c)
    {
        var lead = h.shape[..^1];
        // c's leading dimensions other than the last are made h's, so that the rows of c line up with groups of documents.
        var shape = lead[..^1].Append(c.shape[^2]).Append(c.shape[^1]).ToArray();
        var rows = c.expand(shape).reshape(-1, c.shape[^1]);
        var e = functional.relu(embed_out.forward(functional.relu(embed_in.forward(rows))));
        var u = functional.relu(chunk_from_condition.forward(e).unsqueeze(1).Plus(chunk_from_id.forward(chunk_embeddings)));
        var flat = chunk_out.forward(u).reshape(rows.shape[0], -1).narrow(1, 0, _layout.Total);
        return new GeneratedParameters(flat, (int)rows.shape[0]);
    }

    public override ConditioningParameters Export()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var chunkConstants = LinearExport.Read(chunk_from_id.forward(chunk_embeddings));
        return new FullHypernetworkParameters(_layout, embed_in.ToDense(), embed_out.ToDense(), chunk_from_condition.ToDense(), chunkConstants, chunk_out.ToDense());
    }

    /// <summary>Generated parameters, one row per distinct c; <see cref="Group"/> arranges documents to match.</summary>
    private sealed record GeneratedParameters(Tensor Flat, int Rows)
    {
        /// <summary>h [..., n] as [Rows, documents per row, n].</summary>
        public Tensor Group(Tensor h) => h.reshape(Rows, -1, h.shape[^1]);
    }
}

/// <summary>Where each trunk parameter sits in the hypernetwork's generated vector, and how that vector is chunked.</summary>
internal sealed class GeneratedLayout
{
    public GeneratedLayout(int firstInputs, IReadOnlyList<int> hiddenSizes)
    {
        int offset = 0, inputs = firstInputs;
        var hidden = new List<(int, int, int, int)>();
        foreach (int outputs in hiddenSizes)
        {
            hidden.Add((offset, offset + inputs * outputs, inputs, outputs));
            offset += inputs * outputs + outputs;
            inputs = outputs;
        }
        Hidden = hidden;
        Width = inputs;
        OutputWeightOffset = offset;
        OutputBiasOffset = offset + inputs;
        Total = offset + inputs + 1;
        ChunkSize = Math.Min(Total, FullHypernetworkConditioning.MaxChunkSize);
        Chunks = (Total + ChunkSize - 1) / ChunkSize;
    }

    /// <summary>Per hidden layer: the offset of its weight change (transposed, [inputs, outputs]), of its bias change, and its sizes.</summary>
    public IReadOnlyList<(int WeightOffset, int BiasOffset, int Inputs, int Outputs)> Hidden { get; }

    /// <summary>The trunk's last hidden width.</summary>
    public int Width { get; }
    public int OutputWeightOffset { get; }
    public int OutputBiasOffset { get; }

    /// <summary>P, the number of generated values.</summary>
    public int Total { get; }
    public int ChunkSize { get; }
    public int Chunks { get; }
}

/// <summary>The full hypernetwork without TorchSharp: generates the trunk's parameter changes for one c at a time.</summary>
internal sealed class FullHypernetworkParameters : ConditioningParameters
{
    private readonly GeneratedLayout _layout;
    private readonly DenseLayer _embedIn, _embedOut, _chunkFromCondition, _chunkOut;
    private readonly float[] _chunkConstants;
    private readonly ConditionalWeakTable<OnnxGraph, string> _generated = new();

    public FullHypernetworkParameters(GeneratedLayout layout, DenseLayer embedIn, DenseLayer embedOut, DenseLayer chunkFromCondition,
        float[] chunkConstants, DenseLayer chunkOut)
    {
        _layout = layout;
        _embedIn = embedIn;
        _embedOut = embedOut;
        _chunkFromCondition = chunkFromCondition;
        _chunkConstants = chunkConstants;
        _chunkOut = chunkOut;
    }

    public override bool ReadsCondition => true;
    public override bool GeneratesWeights => true;
    public override int ScratchLength => _layout.Total + 2 * FullHypernetworkConditioning.EmbeddingWidth + 2 * FullHypernetworkConditioning.ChunkHiddenWidth;

    public override void WriteTerms(ReadOnlySpan<float> c, ScorerParameters network, ConditioningTerms terms, int row)
    {
        const int e = FullHypernetworkConditioning.EmbeddingWidth, g = FullHypernetworkConditioning.ChunkHiddenWidth;
        var scratch = terms.Scratch.AsSpan();
        var flat = scratch[.._layout.Total];
        var e1 = scratch.Slice(_layout.Total, e);
        var e2 = scratch.Slice(_layout.Total + e, e);
        var a = scratch.Slice(_layout.Total + 2 * e, g);
        var u = scratch.Slice(_layout.Total + 2 * e + g, g);
        _embedIn.Apply(c, e1);
        Relu(e1);
        _embedOut.Apply(e1, e2);
        Relu(e2);
        _chunkFromCondition.Apply(e2, a);
        int size = _layout.ChunkSize;
        for (int chunk = 0; chunk < _layout.Chunks; chunk++)
        {
            for (int j = 0; j < g; j++) u[j] = Math.Max(0f, a[j] + _chunkConstants[chunk * g + j]);
            int count = Math.Min(size, _layout.Total - chunk * size);
            for (int s = 0; s < count; s++)
            {
                double sum = _chunkOut.Bias[s];
                var weights = _chunkOut.Weight.AsSpan(s * g, g);
                for (int j = 0; j < g; j++) sum += (double)weights[j] * u[j];
                flat[chunk * size + s] = (float)sum;
            }
        }

        for (int l = 0; l < _layout.Hidden.Count; l++)
        {
            var (weightOffset, biasOffset, inputs, outputs) = _layout.Hidden[l];
            var weights = terms.Weights(l, row);
            for (int i = 0; i < inputs; i++)
                for (int o = 0; o < outputs; o++)
                    weights[o * inputs + i] += flat[weightOffset + i * outputs + o];
            var bias = terms.Bias(l, row);
            for (int o = 0; o < outputs; o++) bias[o] += flat[biasOffset + o];
        }
        var outputWeights = terms.OutputWeights(row);
        for (int j = 0; j < _layout.Width; j++) outputWeights[j] += flat[_layout.OutputWeightOffset + j];
        terms.OutputBias[row] += flat[_layout.OutputBiasOffset];
    }

    private static void Relu(Span<float> values)
    {
        for (int i = 0; i < values.Length; i++) values[i] = Math.Max(0f, values[i]);
    }

    public override string OnnxLayer(OnnxGraph g, int layer, DenseLayer trunk, string h, string c)
    {
        string flat = Generated(g, c);
        var (weightOffset, biasOffset, inputs, outputs) = _layout.Hidden[layer];
        string weight = g.Node("Reshape", new[] { Slice(g, flat, weightOffset, inputs * outputs), g.Constant("shape", new long[] { -1, inputs, outputs }) });
        string rows = g.Node("Reshape", new[] { h, g.Constant("shape", new long[] { -1, 1, inputs }) });
        string delta = g.Node("Reshape", new[] { g.Node("MatMul", new[] { rows, weight }), g.Constant("shape", new long[] { -1, outputs }) });
        return g.Node("Add", new[] { g.Node("Add", new[] { base.OnnxLayer(g, layer, trunk, h, c), delta }), Slice(g, flat, biasOffset, outputs) });
    }

    public override string OnnxScore(OnnxGraph g, DenseLayer output, string h, string c)
    {
        string flat = Generated(g, c);
        int width = _layout.Width;
        string dot = g.Node("MatMul", new[] { g.Node("Mul", new[] { h, Slice(g, flat, _layout.OutputWeightOffset, width) }), g.Constant("ones", Enumerable.Repeat(1f, width).ToArray(), width, 1) });
        return g.Node("Add", new[] { g.Node("Add", new[] { base.OnnxScore(g, output, h, c), dot }), Slice(g, flat, _layout.OutputBiasOffset, 1) });
    }

    /// <summary>The generated vector [N, P] of the graph, written once per graph.</summary>
    private string Generated(OnnxGraph g, string c) => _generated.GetValue(g, graph =>
    {
        string e = graph.Node("Relu", new[] { graph.Gemm(graph.Node("Relu", new[] { graph.Gemm(c, "hyper_embed_in", _embedIn) }), "hyper_embed_out", _embedOut) });
        string a = graph.Node("Reshape", new[] { graph.Gemm(e, "hyper_chunk_in", _chunkFromCondition), graph.Constant("shape", new long[] { -1, 1, FullHypernetworkConditioning.ChunkHiddenWidth }) });
        string u = graph.Node("Relu", new[] { graph.Node("Add", new[] { a, graph.Constant("hyper_chunk_ids", _chunkConstants, _layout.Chunks, FullHypernetworkConditioning.ChunkHiddenWidth) }) });
        var transposed = new float[_chunkOut.Inputs * _chunkOut.Outputs];
        for (int s = 0; s < _chunkOut.Outputs; s++)
            for (int j = 0; j < _chunkOut.Inputs; j++)
                transposed[j * _chunkOut.Outputs + s] = _chunkOut.Weight[s * _chunkOut.Inputs + j];
        string chunks = graph.Node("Add", new[] { graph.Node("MatMul", new[] { u, graph.Constant("hyper_chunk_out", transposed, _chunkOut.Inputs, _chunkOut.Outputs) }), graph.Constant("hyper_chunk_out_bias", _chunkOut.Bias, _chunkOut.Outputs) });
        string flat = graph.Node("Reshape", new[] { chunks, graph.Constant("shape", new long[] { -1, _layout.Chunks * _layout.ChunkSize }) });
        return Slice(graph, flat, 0, _layout.Total);
    });

    private static string Slice(OnnxGraph g, string input, int start, int length) =>
        g.Node("Slice", new[] { input, g.Constant("start", new long[] { start }), g.Constant("end", new long[] { start + length }), g.Constant("axis", new long[] { 1 }) });
}
