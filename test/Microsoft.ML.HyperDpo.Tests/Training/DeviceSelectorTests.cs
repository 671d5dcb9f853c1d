using Microsoft.ML.Runtime;
using TorchSharp;

namespace Microsoft.ML.HyperDpo.Tests.Training;

[TestClassWithSkipReasons]
public class DeviceSelectorTests
{
    private static void AssertDevice(DeviceType type, int index, torch.Device device)
    {
        Assert.AreEqual(type, device.type);
        if (type == DeviceType.CUDA) Assert.AreEqual(index, device.index);
    }

    [TestMethod]
    public void CpuIsAlwaysTheCpu()
    {
        foreach (int? gpu in new int?[] { null, 1 })
            foreach (bool fallback in new[] { true, false })
                foreach (bool cuda in new[] { true, false })
                    AssertDevice(DeviceType.CPU, 0, DeviceSelector.Select(TorchDevice.Cpu, gpu, fallback, cuda));
    }

    [TestMethod]
    public void CudaUsesTheGpuIdOrZeroWhenAvailable()
    {
        AssertDevice(DeviceType.CUDA, 2, DeviceSelector.Select(TorchDevice.Cuda, 2, false, cudaAvailable: true));
        AssertDevice(DeviceType.CUDA, 0, DeviceSelector.Select(TorchDevice.Cuda, null, true, cudaAvailable: true));
    }

    [TestMethod]
    public void CudaWithoutCudaFailsNamingTheBackendPackages()
    {
        foreach (int? gpu in new int?[] { null, 0 })
            foreach (bool fallback in new[] { true, false })
            {
                var e = Assert.ThrowsExactly<InvalidOperationException>(() => DeviceSelector.Select(TorchDevice.Cuda, gpu, fallback, cudaAvailable: false));
                Assert.Contains("TorchSharp-cuda-linux or TorchSharp-cuda-windows", e.Message);
                Assert.Contains("Cuda", e.Message);
            }
    }

    [TestMethod]
    public void AutoFollowsMlContextGpuSettings()
    {
        AssertDevice(DeviceType.CPU, 0, DeviceSelector.Select(TorchDevice.Auto, null, false, cudaAvailable: true));
        AssertDevice(DeviceType.CPU, 0, DeviceSelector.Select(TorchDevice.Auto, null, true, cudaAvailable: false));
        AssertDevice(DeviceType.CUDA, 1, DeviceSelector.Select(TorchDevice.Auto, 1, false, cudaAvailable: true));
        AssertDevice(DeviceType.CPU, 0, DeviceSelector.Select(TorchDevice.Auto, 1, true, cudaAvailable: false));
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => DeviceSelector.Select(TorchDevice.Auto, 1, false, cudaAvailable: false));
        Assert.Contains("TorchSharp-cuda-linux or TorchSharp-cuda-windows", e.Message);
        Assert.Contains("FallbackToCpu", e.Message);
    }

    [TestMethod]
    public void MlContextGpuSettingsAreReadThroughEnvironmentHostAndCatalog()
    {
        var ml = new MLContext(seed: 1) { GpuDeviceId = 3, FallbackToCpu = false };
        IHostEnvironment env = ml;
        Assert.AreEqual(3, MlNetInternals.GpuDeviceId(env));
        Assert.IsFalse(MlNetInternals.FallbackToCpu(env));
        var host = env.Register("test");
        Assert.AreEqual(3, MlNetInternals.GpuDeviceId(host));
        Assert.IsFalse(MlNetInternals.FallbackToCpu(host));
        var fromCatalog = MlNetInternals.FromCatalog(ml.Ranking.Trainers);
        Assert.AreEqual(3, MlNetInternals.GpuDeviceId(fromCatalog));

        var plain = new MLContext(seed: 1);
        Assert.IsNull(MlNetInternals.GpuDeviceId(plain));
        Assert.AreEqual(plain.FallbackToCpu, MlNetInternals.FallbackToCpu(plain));
        plain.FallbackToCpu = true;
        Assert.IsTrue(MlNetInternals.FallbackToCpu(plain));
    }

    [TestMethod]
    public void FitOnAContextThatDemandsAGpuFailsWithoutCuda()
    {
        if (torch.cuda.is_available()) Assert.Inconclusive("CUDA is available here; this test covers machines without it.");
        var ml = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = false };
        var options = SyntheticRanking.FastOptions(epochs: 1);
        options.Runtime.Device = TorchDevice.Auto;
        var data = SyntheticRanking.Load(ml, SyntheticRanking.Rows(3, 3, 4, seed: 1));
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Ranking.Trainers.HyperDpo(options).Fit(data));
        Assert.Contains("FallbackToCpu", e.Message);

        ml.FallbackToCpu = true;
        var model = ml.Ranking.Trainers.HyperDpo(options).Fit(data);
        Assert.AreEqual("cpu", model.TrainingReport.Device, ignoreCase: true);
    }
}
