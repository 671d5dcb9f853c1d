using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Tests.Training;

/// <summary><see cref="KeptAlive.AdamW"/> steps exactly as TorchSharp's AdamW does, and saves the same state.</summary>
[TestClass]
public class KeptAliveAdamWTests
{
    private static Parameter[] Parameters() =>
        new[] { new Parameter(linspace(-1, 1, 12).reshape(3, 4)), new Parameter(linspace(0.5, -2, 5)) };

    private static byte[] Save(OptimizerHelper optimizer)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, System.Text.Encoding.UTF8, leaveOpen: true))
            optimizer.save_state_dict(writer);
        return memory.ToArray();
    }

    [TestMethod]
    public void StepsAndStateAreBitForBitTorchSharpsAdamW()
    {
        var expected = Parameters();
        var actual = Parameters();
        using var reference = optim.AdamW(expected, 0.01, weight_decay: 0.001);
        using var kept = new KeptAlive.AdamW(actual, 0.01, weight_decay: 0.001);
        for (int step = 0; step < 6; step++)
        {
            foreach (var (optimizer, parameters) in new (OptimizerHelper, Parameter[])[] { (reference, expected), (kept, actual) })
            {
                using var scope = NewDisposeScope();
                if (step == 3)
                    foreach (var group in optimizer.ParamGroups) group.LearningRate = 0.003;
                optimizer.zero_grad();
                var loss = parameters.Select((p, i) => (p * p * (i + step + 1)).sum() + p.sin().sum()).Aggregate((a, b) => a + b);
                loss.backward();
                optimizer.step();
            }
            for (int i = 0; i < expected.Length; i++)
                CollectionAssert.AreEqual(expected[i].data<float>().ToArray(), actual[i].data<float>().ToArray(), $"parameter {i} after step {step}");
        }
        CollectionAssert.AreEqual(Save(reference), Save(kept), "the same saved state");
    }
}
