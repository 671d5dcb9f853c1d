namespace Microsoft.ML.HyperDpo.Scoring;

/// <summary>
/// The parameters of one linear layer y = x W^T + b, copied out of a TorchSharp module: <see cref="Weight"/> is
/// row-major [Outputs, Inputs] (TorchSharp's layout), <see cref="Bias"/> has <see cref="Outputs"/> values.
/// </summary>
internal sealed record DenseLayer(int Inputs, int Outputs, float[] Weight, float[] Bias)
{
    /// <summary>The rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of the layer: a layer with fewer outputs.</summary>
    public DenseLayer Rows(int start, int count) =>
        new(Inputs, count, Weight.AsSpan(start * Inputs, count * Inputs).ToArray(), Bias.AsSpan(start, count).ToArray());

    /// <summary>y = W v + b for one input vector <paramref name="v"/>, accumulated in double.</summary>
    public void Apply(ReadOnlySpan<float> v, Span<float> y)
    {
        for (int o = 0; o < Outputs; o++)
        {
            double sum = Bias[o];
            var row = Weight.AsSpan(o * Inputs, Inputs);
            for (int i = 0; i < Inputs; i++) sum += (double)row[i] * v[i];
            y[o] = (float)sum;
        }
    }
}
