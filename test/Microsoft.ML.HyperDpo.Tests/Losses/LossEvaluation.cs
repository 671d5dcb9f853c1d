using Microsoft.ML.HyperDpo.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Tests.Losses;

/// <summary>Evaluates a listwise loss on plain arrays, for the loss tests.</summary>
internal static class LossEvaluation
{
    /// <summary>The summed loss of <paramref name="lists"/> lists laid out row-major in the arrays.</summary>
    public static double LossOf(IListwiseLoss loss, float[] z, float[] y, bool[] mask, int lists = 1)
    {
        int width = z.Length / lists;
        using var zt = tensor(z, new long[] { lists, width });
        using var yt = tensor(y, new long[] { lists, width });
        using var mt = tensor(mask, new long[] { lists, width });
        using var l = loss.Compute(zt, yt, mt, new Generator(1));
        return l.sum().item<float>();
    }
}
