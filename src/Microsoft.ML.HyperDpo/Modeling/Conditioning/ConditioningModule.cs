using Microsoft.ML.HyperDpo.Scoring;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Modeling.Conditioning;

/// <summary>
/// The TorchSharp part of a conditioning kind: its own layers, and how they change the shared MLP trunk of
/// <see cref="ConditionedScorer"/>. A kind overrides the hooks it needs; the defaults are the trunk unchanged.
/// </summary>
/// <remarks>
/// Every hook has a twin in the kind's <see cref="ConditioningParameters"/> (managed scoring and ONNX), returned by
/// <see cref="Export"/>; the shared tests check that the three agree for every registered kind.
/// </remarks>
internal abstract class ConditioningModule : nn.Module
{
    protected ConditioningModule(string name) : base(name)
    {
    }

    /// <summary>
    /// Hidden layer <paramref name="layer"/>'s pre-activation of <paramref name="h"/> [..., inputs] under c [..., C] (same rank, each
    /// leading dimension equal to h's or 1); <paramref name="trunk"/> is the trunk's layer. Called for layer 0 first in every forward pass.
    /// </summary>
    public virtual Tensor Layer(int layer, Linear trunk, Tensor h, Tensor c) => trunk.forward(h);

    /// <summary>The score [...] of the last hidden activations <paramref name="h"/> under c; <paramref name="output"/> is the trunk's output layer.</summary>
    public virtual Tensor Score(Linear output, Tensor h, Tensor c) => output.forward(h).squeeze(-1);

    /// <summary>A TorchSharp-free copy of this part, for the managed scorer and the ONNX export.</summary>
    public virtual ConditioningParameters Export() => ConditioningParameters.None;

    /// <summary>A linear layer whose weights and bias start at zero, so that training starts from the unconditioned trunk.</summary>
    protected static Linear ZeroLinear(int inputs, int outputs)
    {
        var layer = nn.Linear(inputs, outputs);
        using (no_grad())
        {
            layer.weight!.zero_();
            layer.bias?.zero_();
        }
        return layer;
    }
}

/// <summary>The sizes a conditioning kind builds its layers for.</summary>
/// <param name="FeatureCount">F, the features per document.</param>
/// <param name="ConditionWidth">C, the length of the conditioning vector c.</param>
/// <param name="HiddenSizes">The trunk's hidden widths.</param>
/// <param name="FirstLayerInputs">The first hidden layer's inputs: F, or F + C when c is concatenated to the features.</param>
internal sealed record ConditioningShape(int FeatureCount, int ConditionWidth, IReadOnlyList<int> HiddenSizes, int FirstLayerInputs)
{
    /// <summary>The trunk's last hidden width (the output layer's inputs).</summary>
    public int Width => HiddenSizes[^1];
}

/// <summary>One conditioning kind as registered in <see cref="ConditioningRegistry"/>.</summary>
/// <param name="Kind">The public name.</param>
/// <param name="ConcatenatesCondition">True when c is also concatenated to the standardised features at the trunk's input.</param>
/// <param name="Create">Builds the kind's TorchSharp part.</param>
/// <param name="IgnoresCondition">True when the network never reads c, so it can learn only the one trade-off of
/// <see cref="HyperDpoRankingTrainer.LossOptions.FixedObjectiveWeights"/>, which it then requires.</param>
/// <param name="BuiltBeforeOutput">True when the kind's layers are built before the trunk's output layer, false after it.
/// Layers draw their initial values from the seeded random source in the order they are built, so this order is part of
/// what a seed means; it is kept as each kind first had it.</param>
internal sealed record ConditioningDefinition(ConditioningKind Kind, bool ConcatenatesCondition, Func<ConditioningShape, ConditioningModule> Create,
    bool IgnoresCondition = false, bool BuiltBeforeOutput = false);

/// <summary>A DenseLayer copy of a TorchSharp linear layer.</summary>
internal static class LinearExport
{
    /// <summary>The layer's weight [outputs, inputs] and bias, copied to the CPU as float32.</summary>
    public static DenseLayer ToDense(this Linear layer)
    {
        var weight = layer.weight!;
        return new DenseLayer((int)weight.shape[1], (int)weight.shape[0], Read(weight), Read(layer.bias!));
    }

    public static float[] Read(Tensor t)
    {
        using var copy = t.detach().cpu().to_type(ScalarType.Float32);
        return copy.data<float>().ToArray();
    }
}
