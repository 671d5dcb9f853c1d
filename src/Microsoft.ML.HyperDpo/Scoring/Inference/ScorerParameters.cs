namespace Microsoft.ML.HyperDpo.Scoring;

/// <summary>
/// A plain copy of everything the conditioned scoring network computes with: the feature standardisation, the weights
/// of the shared MLP trunk and the conditioning kind's own part (<see cref="ConditioningParameters"/>), copied once out of
/// the TorchSharp module (<c>ConditionedScorer.Export</c>). The managed scorer and the ONNX exporter both work from this
/// copy, so neither depends on TorchSharp at scoring time and both see the same numbers.
/// </summary>
internal sealed class ScorerParameters
{
    public ScorerParameters(int featureCount, int conditionWidth, bool concatenatesCondition, float[] mean, float[] scale,
        DenseLayer[] hidden, DenseLayer output, ConditioningParameters conditioning, ReweightingParameters? reweighting = null)
    {
        if (reweighting is not null && reweighting.Hidden.Inputs != featureCount + conditionWidth)
            throw new InvalidOperationException($"The re-weighting's first layer takes {reweighting.Hidden.Inputs} inputs; expected {featureCount + conditionWidth}.");
        Reweighting = reweighting;
        if (hidden.Length == 0)
            throw new InvalidOperationException("The scoring network has no hidden layer.");
        int expected = featureCount + (concatenatesCondition ? conditionWidth : 0);
        if (hidden[0].Inputs != expected)
            throw new InvalidOperationException($"The first hidden layer takes {hidden[0].Inputs} inputs; expected {expected}.");
        FeatureCount = featureCount;
        ConditionWidth = conditionWidth;
        ConcatenatesCondition = concatenatesCondition;
        Mean = mean;
        Scale = scale;
        Hidden = hidden;
        Output = output;
        Conditioning = conditioning;
    }

    public int FeatureCount { get; }

    /// <summary>The length of the conditioning vector c the network reads (today c = w, one value per objective).</summary>
    public int ConditionWidth { get; }

    /// <summary>True when c is concatenated to the standardised features before the first hidden layer.</summary>
    public bool ConcatenatesCondition { get; }

    public float[] Mean { get; }
    public float[] Scale { get; }

    /// <summary>The trunk's hidden layers; the first one's inputs are the F features, then c when <see cref="ConcatenatesCondition"/>.</summary>
    public DenseLayer[] Hidden { get; }

    /// <summary>The trunk's output layer: width -> 1.</summary>
    public DenseLayer Output { get; }

    /// <summary>What the conditioning kind adds to the trunk.</summary>
    public ConditioningParameters Conditioning { get; }

    /// <summary>The reference re-weighting (<see cref="ReferenceReweighting.PerObjective"/>), or null for the plain soup.</summary>
    public ReweightingParameters? Reweighting { get; }

    /// <summary>The width of the last hidden layer.</summary>
    public int Width => Hidden[^1].Outputs;

    /// <summary>True when the scores depend on c at all.</summary>
    public bool ReadsCondition => ConcatenatesCondition || Conditioning.ReadsCondition;

    /// <summary>The inputs of hidden layer <paramref name="layer"/> apart from c (the F features for the first layer).</summary>
    public int LayerInputs(int layer) => layer == 0 ? FeatureCount : Hidden[layer].Inputs;

    /// <summary>
    /// Writes what the conditioning vector <paramref name="c"/> makes of the network into row <paramref name="row"/> of
    /// <paramref name="terms"/>, as constants: the trunk's own values (the first layer's bias plus its weight columns for c
    /// times c, when c is concatenated), then the conditioning kind's contribution. With these the network is a plain MLP
    /// over the standardised features. Allocates nothing.
    /// </summary>
    public void WriteTerms(ReadOnlySpan<float> c, ConditioningTerms terms, int row)
    {
        for (int l = 0; l < Hidden.Length; l++)
        {
            var layer = Hidden[l];
            int inputs = LayerInputs(l);
            var bias = terms.Bias(l, row);
            for (int o = 0; o < layer.Outputs; o++)
            {
                double sum = layer.Bias[o];
                if (l == 0 && ConcatenatesCondition)
                {
                    var columns = layer.Weight.AsSpan(o * layer.Inputs + FeatureCount, ConditionWidth);
                    for (int j = 0; j < columns.Length; j++) sum += (double)columns[j] * c[j];
                }
                bias[o] = (float)sum;
            }
            if (terms.HasModulation)
            {
                terms.Scale(l, row).Fill(1f);
                terms.Shift(l, row).Clear();
            }
            if (terms.HasGeneratedWeights)
            {
                var weights = terms.Weights(l, row);
                for (int o = 0; o < layer.Outputs; o++)
                    layer.Weight.AsSpan(o * layer.Inputs, inputs).CopyTo(weights.Slice(o * inputs, inputs));
            }
        }
        Output.Weight.CopyTo(terms.OutputWeights(row));
        terms.OutputBias[row] = Output.Bias[0];
        Conditioning.WriteTerms(c, this, terms, row);
    }
}
