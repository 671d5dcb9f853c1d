namespace Microsoft.ML.HyperDpo.Scoring;

/// <summary>
/// What one or more conditioning vectors make of the network, as constants (see <see cref="ScorerParameters.WriteTerms"/>),
/// one row per vector: every hidden layer's bias, and when the kind needs them its pre-activation scale and shift
/// (<see cref="ConditioningParameters.Modulates"/>) and its weights (<see cref="ConditioningParameters.GeneratesWeights"/>),
/// then the output layer's weights and bias. Rows are <see cref="Stride"/>-padded with zeros so that the managed scorer's
/// vector kernels can run past a layer's true width; the padding never reaches a score because the matching weights are zero.
/// </summary>
internal sealed class ConditioningTerms
{
    private readonly int[] _widths;
    private readonly int[] _inputs;
    private readonly int[] _strides;
    private readonly float[][] _bias;
    private readonly float[][] _scale;
    private readonly float[][] _shift;
    private readonly float[][] _weights;
    private readonly float[] _outputWeights;
    private readonly int _outputStride;

    /// <param name="parameters">The network the terms are for.</param>
    /// <param name="capacity">The number of conditioning vectors (rows) held.</param>
    /// <param name="stride">Rounds a width up to the row stride used (identity for no padding).</param>
    public ConditioningTerms(ScorerParameters parameters, int capacity, Func<int, int> stride)
    {
        Capacity = capacity;
        HasModulation = parameters.Conditioning.Modulates;
        HasGeneratedWeights = parameters.Conditioning.GeneratesWeights;
        int layers = parameters.Hidden.Length;
        _widths = parameters.Hidden.Select(l => l.Outputs).ToArray();
        _inputs = Enumerable.Range(0, layers).Select(parameters.LayerInputs).ToArray();
        _strides = _widths.Select(stride).ToArray();
        _bias = _strides.Select(s => new float[capacity * s]).ToArray();
        _scale = _strides.Select(s => HasModulation ? new float[capacity * s] : Array.Empty<float>()).ToArray();
        _shift = _strides.Select(s => HasModulation ? new float[capacity * s] : Array.Empty<float>()).ToArray();
        _weights = Enumerable.Range(0, layers).Select(l => HasGeneratedWeights ? new float[capacity * _widths[l] * _inputs[l]] : Array.Empty<float>()).ToArray();
        _outputStride = _strides[^1];
        _outputWeights = new float[capacity * _outputStride];
        OutputBias = new float[capacity];
        Scratch = new float[parameters.Conditioning.ScratchLength];
    }

    /// <summary>The number of rows.</summary>
    public int Capacity { get; }

    /// <summary>True when the kind scales and shifts hidden pre-activations (<see cref="ScaleRows"/> and <see cref="ShiftRows"/> are filled).</summary>
    public bool HasModulation { get; }

    /// <summary>True when the kind generates the hidden layers' weights (<see cref="Weights"/> is filled).</summary>
    public bool HasGeneratedWeights { get; }

    /// <summary>The padded row length of hidden layer <paramref name="layer"/>.</summary>
    public int Stride(int layer) => _strides[layer];

    /// <summary>All rows of a hidden layer's bias, <see cref="Stride"/>(layer) apart.</summary>
    public float[] BiasRows(int layer) => _bias[layer];

    /// <summary>All rows of a layer's pre-activation scale, <see cref="Stride"/>(layer) apart.</summary>
    public float[] ScaleRows(int layer) => _scale[layer];

    /// <summary>All rows of a layer's pre-activation shift, <see cref="Stride"/>(layer) apart.</summary>
    public float[] ShiftRows(int layer) => _shift[layer];

    /// <summary>All rows of the output weights, <see cref="Stride"/> of the last layer apart.</summary>
    public float[] OutputWeightRows => _outputWeights;

    /// <summary>The output bias of every row.</summary>
    public float[] OutputBias { get; }

    /// <summary>Working space of the conditioning kind's <see cref="ConditioningParameters.WriteTerms"/>.</summary>
    internal float[] Scratch { get; }

    public Span<float> Bias(int layer, int row) => _bias[layer].AsSpan(row * _strides[layer], _widths[layer]);
    public Span<float> Scale(int layer, int row) => _scale[layer].AsSpan(row * _strides[layer], _widths[layer]);
    public Span<float> Shift(int layer, int row) => _shift[layer].AsSpan(row * _strides[layer], _widths[layer]);
    public Span<float> OutputWeights(int row) => _outputWeights.AsSpan(row * _outputStride, _widths[^1]);

    /// <summary>Row <paramref name="row"/>'s weights of hidden layer <paramref name="layer"/>, [outputs, inputs] row-major, c's columns excluded.</summary>
    public Span<float> Weights(int layer, int row)
    {
        int size = _widths[layer] * _inputs[layer];
        return _weights[layer].AsSpan(row * size, size);
    }
}
