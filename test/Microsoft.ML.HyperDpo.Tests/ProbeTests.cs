namespace Microsoft.ML.HyperDpo.Tests;
[TestClass]
public class ProbeTests { [TestMethod] public void Loads() { Native.TorchSharpNativeFix.EnsureApplied(); Assert.AreEqual(3f, TorchSharp.torch.ones(3).sum().item<float>()); } }
