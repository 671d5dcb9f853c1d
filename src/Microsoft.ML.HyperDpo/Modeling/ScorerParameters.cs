using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Modeling;

/// <summary>
/// A plain copy of everything <see cref="ConditionedScorer"/> computes with: the feature standardisation and the
/// weights of its layers, read once from the module's state dictionary. The managed scorer and the ONNX exporter
/// both work from this copy, so neither depends on TorchSharp at scoring time and both see the same numbers.
/// </summary>
/// <remarks>
/// The structure is read from the state dictionary, not from the conditioning kind: the first hidden layer takes
/// F + K inputs when w is concatenated to the features and F when it is not; <c>film.i</c> entries mean FiLM
/// modulation; a <c>hyper</c> entry means a hypernetwork output layer. A network conditioned in none of these
/// ways (w ignored) is therefore described, scored and exported without special cases.
/// </remarks>
internal sealed class ScorerParameters
{
    private ScorerParameters(int featureCount, int objectiveCount, bool concatenatesWeights, float[] mean, float[] scale,
        DenseLayer[] hidden, DenseLayer[]? film, DenseLayer output, DenseLayer? hyper)
    {
        FeatureCount = featureCount;
        ObjectiveCount = objectiveCount;
        ConcatenatesWeights = concatenatesWeights;
        Mean = mean;
        Scale = scale;
        Hidden = hidden;
        Film = film;
        Output = output;
        Hyper = hyper;
    }

    public int FeatureCount { get; }
    public int ObjectiveCount { get; }

    /// <summary>True when w is concatenated to the standardised features before the first hidden layer.</summary>
    public bool ConcatenatesWeights { get; }

    public float[] Mean { get; }
    public float[] Scale { get; }

    /// <summary>The hidden layers; the first one's inputs are the F features, then the K weights when <see cref="ConcatenatesWeights"/>.</summary>
    public DenseLayer[] Hidden { get; }

    /// <summary>FiLM: per hidden layer, w -> (scale - 1, shift) of its 2 H outputs. Null without FiLM.</summary>
    public DenseLayer[]? Film { get; }

    /// <summary>The shared output layer: width -> 1.</summary>
    public DenseLayer Output { get; }

    /// <summary>Hypernetwork: w -> (width output weights, 1 bias) added to <see cref="Output"/>. Null without it.</summary>
    public DenseLayer? Hyper { get; }

    /// <summary>The width of the last hidden layer.</summary>
    public int Width => Hidden[^1].Outputs;

    /// <summary>Copies the parameters and buffers out of <paramref name="network"/> (to the CPU, as float32).</summary>
    public static ScorerParameters From(ConditionedScorer network) => From(NetworkState.From(network), network.ObjectiveCount);

    /// <summary>
    /// Reads the parameters from a state dictionary of <paramref name="objectiveCount"/> objectives; the feature count
    /// is the length of its <c>feature_mean</c>. Throws <see cref="InvalidDataException"/> when an entry is missing or
    /// a shape does not fit the others.
    /// </summary>
    public static ScorerParameters From(NetworkState state, int objectiveCount)
    {
        NetworkState.Entry Get(string key) => state.TryGet(key, out var e) ? e
            : throw new InvalidDataException($"The scoring network has no '{key}' entry; it was not built by this version of HyperDPO.");
        float[] Read(string key, long length)
        {
            var e = Get(key);
            return e.Values.Length == length ? e.Values
                : throw new InvalidDataException($"The scoring network's '{key}' entry has {e.Values.Length} values; expected {length}.");
        }
        DenseLayer Layer(string prefix, int inputs)
        {
            var weight = Get(prefix + ".weight");
            if (weight.Shape.Length != 2 || weight.Shape[1] != inputs || weight.Shape[0] < 1)
                throw new InvalidDataException($"The scoring network's '{prefix}.weight' has shape [{string.Join(", ", weight.Shape)}]; expected [outputs, {inputs}].");
            int outputs = (int)weight.Shape[0];
            return new DenseLayer(inputs, outputs, Read(prefix + ".weight", (long)outputs * inputs), Read(prefix + ".bias", outputs));
        }

        int k = objectiveCount;
        var mean = Get("feature_mean").Values;
        int f = mean.Length;
        if (f < 1 || k < 1)
            throw new InvalidDataException($"The scoring network has {f} features and {k} objectives; both must be at least 1.");
        var hidden = new List<DenseLayer>();
        if (state.TryGet("hidden.0.weight", out var first) && first.Shape.Length == 2)
        {
            // w is concatenated to the features when the first layer takes F + K inputs.
            hidden.Add(Layer("hidden.0", first.Shape[1] == f + k ? f + k : f));
            while (state.Contains($"hidden.{hidden.Count}.weight")) hidden.Add(Layer($"hidden.{hidden.Count}", hidden[^1].Outputs));
        }
        if (hidden.Count == 0)
            throw new InvalidDataException("The scoring network has no hidden layer.");
        bool concatenates = hidden[0].Inputs == f + k;
        var film = state.Contains("film.0.weight") ? hidden.Select((h, i) => Layer($"film.{i}", k)).ToArray() : null;
        if (film is not null && film.Where((l, i) => l.Outputs != 2 * hidden[i].Outputs).Any())
            throw new InvalidDataException("The scoring network's FiLM layers do not match its hidden layers.");
        int width = hidden[^1].Outputs;
        var hyper = state.Contains("hyper.weight") ? Layer("hyper", k) : null;
        if (hyper is not null && hyper.Outputs != width + 1)
            throw new InvalidDataException($"The scoring network's hypernetwork has {hyper.Outputs} outputs; expected {width + 1}.");
        var output = Layer("output", width);
        if (output.Outputs != 1)
            throw new InvalidDataException($"The scoring network's output layer has {output.Outputs} outputs; expected 1.");
        return new ScorerParameters(f, k, concatenates, mean, Read("feature_scale", f), hidden.ToArray(), film, output, hyper);
    }

    /// <summary>
    /// Writes what the weights <paramref name="w"/> contribute into row <paramref name="row"/> of <paramref name="terms"/>,
    /// as constants: the first hidden layer's bias (its own bias plus its weight columns times w), the FiLM scale
    /// (1 + gamma) and shift of every hidden layer, and the output layer's weights and bias (plus the hypernetwork's).
    /// With these the network is a plain MLP over the standardised features. Allocates nothing.
    /// </summary>
    public void WriteTerms(ReadOnlySpan<float> w, ConditioningTerms terms, int row)
    {
        var first = Hidden[0];
        var bias = terms.FirstBias(row);
        for (int o = 0; o < first.Outputs; o++)
        {
            double sum = first.Bias[o];
            if (ConcatenatesWeights)
            {
                var columns = first.Weight.AsSpan(o * first.Inputs + FeatureCount, ObjectiveCount);
                for (int j = 0; j < columns.Length; j++) sum += (double)columns[j] * w[j];
            }
            bias[o] = (float)sum;
        }
        var scratch = terms.Scratch;
        if (Film is not null)
            for (int i = 0; i < Hidden.Length; i++)
            {
                int h = Hidden[i].Outputs;
                Film[i].Apply(w, scratch);
                var scale = terms.FilmScale(i, row);
                var shift = terms.FilmShift(i, row);
                for (int o = 0; o < h; o++)
                {
                    scale[o] = scratch[o] + 1;
                    shift[o] = scratch[h + o];
                }
            }
        var outWeights = terms.OutputWeights(row);
        Output.Weight.CopyTo(outWeights);
        float outBias = Output.Bias[0];
        if (Hyper is not null)
        {
            Hyper.Apply(w, scratch);
            for (int j = 0; j < Width; j++) outWeights[j] += scratch[j];
            outBias += scratch[Width];
        }
        terms.OutputBias[row] = outBias;
    }
}
