namespace Microsoft.ML.HyperDpo.Modeling;

/// <summary>
/// What one or more weight vectors contribute to the network as constants (see <see cref="ScorerParameters.WriteTerms"/>),
/// one row per weight vector. Rows are <see cref="Stride"/>-padded with zeros so that the managed scorer's vector
/// kernels can run past a layer's true width; the padding never reaches a score because the matching weights are zero.
/// </summary>
internal sealed class ConditioningTerms
{
    private readonly int[] _widths;
    private readonly int[] _strides;
    private readonly float[] _firstBias;
    private readonly float[][] _filmScale;
    private readonly float[][] _filmShift;
    private readonly float[] _outputWeights;
    private readonly int _outputStride;

    /// <param name="parameters">The network the terms are for.</param>
    /// <param name="capacity">The number of weight vectors (rows) held.</param>
    /// <param name="stride">Rounds a width up to the row stride used (identity for no padding).</param>
    public ConditioningTerms(ScorerParameters parameters, int capacity, Func<int, int> stride)
    {
        Capacity = capacity;
        _widths = parameters.Hidden.Select(l => l.Outputs).ToArray();
        _strides = _widths.Select(stride).ToArray();
        _firstBias = new float[capacity * _strides[0]];
        bool film = parameters.Film is not null;
        _filmScale = _strides.Select(s => film ? new float[capacity * s] : Array.Empty<float>()).ToArray();
        _filmShift = _strides.Select(s => film ? new float[capacity * s] : Array.Empty<float>()).ToArray();
        _outputStride = _strides[^1];
        _outputWeights = new float[capacity * _outputStride];
        OutputBias = new float[capacity];
        Scratch = new float[Math.Max(2 * _widths.Max(), parameters.Width + 1)];
        HasFilm = film;
    }

    /// <summary>The number of rows.</summary>
    public int Capacity { get; }

    /// <summary>True when the network has FiLM modulation (<see cref="FilmScale"/> and <see cref="FilmShift"/> are filled).</summary>
    public bool HasFilm { get; }

    /// <summary>The padded row length of hidden layer <paramref name="layer"/>.</summary>
    public int Stride(int layer) => _strides[layer];

    /// <summary>All rows of the first hidden layer's bias, <see cref="Stride"/>(0) apart.</summary>
    public float[] FirstBiasRows => _firstBias;

    /// <summary>All rows of a layer's FiLM scale, <see cref="Stride"/>(layer) apart.</summary>
    public float[] FilmScaleRows(int layer) => _filmScale[layer];

    /// <summary>All rows of a layer's FiLM shift, <see cref="Stride"/>(layer) apart.</summary>
    public float[] FilmShiftRows(int layer) => _filmShift[layer];

    /// <summary>All rows of the output weights, <see cref="Stride"/> of the last layer apart.</summary>
    public float[] OutputWeightRows => _outputWeights;

    /// <summary>The output bias of every row.</summary>
    public float[] OutputBias { get; }

    /// <summary>Working space for <see cref="ScorerParameters.WriteTerms"/>.</summary>
    internal float[] Scratch { get; }

    public Span<float> FirstBias(int row) => _firstBias.AsSpan(row * _strides[0], _widths[0]);
    public Span<float> FilmScale(int layer, int row) => _filmScale[layer].AsSpan(row * _strides[layer], _widths[layer]);
    public Span<float> FilmShift(int layer, int row) => _filmShift[layer].AsSpan(row * _strides[layer], _widths[layer]);
    public Span<float> OutputWeights(int row) => _outputWeights.AsSpan(row * _outputStride, _widths[^1]);
}
