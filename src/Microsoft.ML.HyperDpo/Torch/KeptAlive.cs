using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Torch;

/// <summary>Optimisers whose steps keep the TorchSharp Scalars they pass to LibTorch alive (see <see cref="AdamW"/>), and arithmetic that does the same.</summary>
/// <remarks>
/// Public so that the HyperDPO assemblies built on this library (Microsoft.ML.HyperDpo.Language, Comparison) share one copy
/// of this TorchSharp 0.107 workaround instead of reaching it through <c>InternalsVisibleTo</c>; it lives in its own namespace
/// so that a user's <c>using Microsoft.ML.HyperDpo;</c> does not add these methods to every tensor.
/// </remarks>
public static class KeptAlive
{
    // TorchSharp's operators and methods taking a Scalar (a + b passes an implicit alpha = 1) leave the Scalar unreferenced
    // during the native call (see AdamW); these do the same arithmetic with the Scalar kept until the call has returned.

    /// <summary>a + b, as <c>a + b</c>.</summary>
    public static Tensor Plus(this Tensor a, Tensor b)
    {
        using var one = 1.ToScalar();
        return a.add(b, one);
    }

    /// <summary>a + value, as <c>a + value</c>.</summary>
    public static Tensor Plus(this Tensor a, int value)
    {
        using var scalar = value.ToScalar();
        using var one = 1.ToScalar();
        return a.add(scalar, one);
    }

    /// <summary>a + value, as <c>a + value</c>.</summary>
    public static Tensor Plus(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        using var one = 1.ToScalar();
        return a.add(scalar, one);
    }

    /// <summary>a * value, as <c>a * value</c>.</summary>
    public static Tensor Times(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.mul(scalar);
    }

    /// <summary>a to the power <paramref name="exponent"/>, as <c>a.pow(exponent)</c>.</summary>
    public static Tensor Power(this Tensor a, double exponent)
    {
        using var scalar = exponent.ToScalar();
        return a.pow(scalar);
    }

    /// <summary>As <c>a.index_fill(dim, index, value)</c>.</summary>
    public static Tensor IndexFill(this Tensor a, long dim, Tensor index, double value)
    {
        using var scalar = value.ToScalar();
        return a.index_fill(dim, index, scalar);
    }

    /// <summary>a / value, as <c>a / value</c>.</summary>
    public static Tensor DividedBy(this Tensor a, double value)
    {
        using var scalar = value.ToScalar();
        return a.div(scalar);
    }

    /// <summary>As <c>a.masked_fill(mask, value)</c>.</summary>
    public static Tensor MaskedFill(this Tensor a, Tensor mask, float value)
    {
        using var scalar = value.ToScalar();
        return a.masked_fill(mask, scalar);
    }

    /// <summary>As <c>a.masked_fill(mask, value)</c>.</summary>
    public static Tensor MaskedFill(this Tensor a, Tensor mask, double value)
    {
        using var scalar = value.ToScalar();
        return a.masked_fill(mask, scalar);
    }

    /// <summary>As <c>a.lt(value)</c>.</summary>
    public static Tensor LessThan(this Tensor a, int value)
    {
        using var scalar = value.ToScalar();
        return a.lt(scalar);
    }

    /// <summary>As <c>arange(stop, device: device)</c>: 0, 1, ..., stop - 1 as int64.</summary>
    public static Tensor Arange(long stop, Device device)
    {
        using var start = 0.ToScalar();
        using var end = stop.ToScalar();
        using var step = 1.ToScalar();
        return arange(start, end, step, device: device);
    }

    /// <summary>
    /// TorchSharp's AdamW with the same maths, state and serialisation, whose step keeps every <see cref="Scalar"/> it hands to
    /// LibTorch alive until the native call has returned.
    /// </summary>
    /// <remarks>
    /// TorchSharp 0.107's own step converts doubles to <see cref="Scalar"/> implicitly (for example
    /// <c>param.addcdiv_(exp_avg, denom, value: -step_size)</c>), and methods such as <c>Tensor.addcdiv_</c> pass only
    /// <c>value.Handle</c> to the native call. Nothing references the temporary Scalar during that call, so a garbage collection
    /// started by another thread can collect it and the finalizer thread can free the native c10::Scalar while LibTorch still
    /// reads it: training then fails, rarely and unreproducibly, with "Expected false to be true, but got false" from
    /// c10::Scalar::toFloat (or "Unknown scalar type"). Here each Scalar is an explicit local disposed only after its call.
    /// The class is named AdamW, like TorchSharp's, because save_state_dict writes and load_state_dict checks the type's
    /// name: checkpoints stay readable both ways.
    /// </remarks>
    public sealed class AdamW : TorchSharp.Modules.AdamW
    {
        /// <summary>An AdamW over <paramref name="parameters"/> with learning rate <paramref name="lr"/>, decoupled weight decay
        /// <paramref name="weight_decay"/> and TorchSharp's defaults for the rest (betas 0.9 and 0.999, eps 1e-8).</summary>
        public AdamW(IEnumerable<Parameter> parameters, double lr, double weight_decay)
            : base(parameters, lr, weight_decay: weight_decay)
        {
        }

        /// <inheritdoc/>
        public override Tensor step(Func<Tensor>? closure = null)
        {
            return _step<ParamGroup>(group =>
            {
                var options = (Options)group.Options;
                double beta1 = options.beta1!.Value;
                double beta2 = options.beta2!.Value;
                double weightDecay = options.weight_decay!.Value;
                bool amsgrad = options.amsgrad!.Value;
                bool maximize = options.maximize!.Value;
                double eps = options.eps!.Value;
                double lr = options.LearningRate!.Value;

                using var one = 1.ToScalar();
                using var decay = (1 - lr * weightDecay).ToScalar();
                using var beta1Scalar = beta1.ToScalar();
                using var oneMinusBeta1 = (1 - beta1).ToScalar();
                using var beta2Scalar = beta2.ToScalar();
                using var oneMinusBeta2 = (1 - beta2).ToScalar();
                using var epsScalar = eps.ToScalar();

                foreach (var param in group.Parameters)
                {
                    var state = (State)_state[param.Handle];
                    var grad = param.grad;
                    if (grad is null) continue;
                    if (maximize) grad = -grad;

                    state.step += 1;
                    param.mul_(decay);

                    var biasCorrection1 = 1 - Math.Pow(beta1, state.step);
                    var biasCorrection2 = 1 - Math.Pow(beta2, state.step);

                    state.exp_avg.mul_(beta1Scalar).add_(grad, alpha: oneMinusBeta1);
                    state.exp_avg_sq.mul_(beta2Scalar).addcmul_(grad, grad, value: oneMinusBeta2);

                    using var sqrtBiasCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
                    Tensor denom;
                    if (amsgrad)
                    {
                        var t0 = state.max_exp_avg_sq;
                        state.max_exp_avg_sq = maximum(t0, state.exp_avg_sq).DetachFromDisposeScope();
                        t0.Dispose();
                        denom = state.max_exp_avg_sq.sqrt().div(sqrtBiasCorrection2).add_(epsScalar, one);
                    }
                    else
                    {
                        denom = state.exp_avg_sq.sqrt().div(sqrtBiasCorrection2).add_(epsScalar, one);
                    }

                    using var stepSize = (-(lr / biasCorrection1)).ToScalar();
                    param.addcdiv_(state.exp_avg, denom, value: stepSize);
                }
            }, closure);
        }
    }
}
