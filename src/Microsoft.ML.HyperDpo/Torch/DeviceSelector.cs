using Microsoft.ML.HyperDpo.Native;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Chooses the TorchSharp device the way ML.NET's own TorchSharp trainers do: CUDA when
/// <c>MLContext.GpuDeviceId</c> is set and CUDA is available, the CPU otherwise, and an error instead of
/// the CPU when <c>MLContext.FallbackToCpu</c> is false.
/// </summary>
internal static class DeviceSelector
{
    /// <summary>The device for a fit; first checks that the application has a native backend (the fit's first TorchSharp call).</summary>
    public static torch.Device Select(TorchDevice requested, IHostEnvironment env)
    {
        TorchBackend.Require();
        return Select(requested, MlNetInternals.GpuDeviceId(env), MlNetInternals.FallbackToCpu(env), torch.cuda.is_available());
    }

    /// <summary>The decision itself, separated from the environment so that every branch can be tested on a machine without a GPU.</summary>
    internal static torch.Device Select(TorchDevice requested, int? gpuDeviceId, bool fallbackToCpu, bool cudaAvailable)
    {
        switch (requested)
        {
            case TorchDevice.Cpu:
                return torch.CPU;
            case TorchDevice.Cuda:
                if (!cudaAvailable)
                    throw new InvalidOperationException(
                        "Device = Cuda was requested but CUDA is not available to TorchSharp. Add a CUDA backend package to the application " +
                        $"({TorchBackend.CudaPackages} instead of {TorchBackend.CpuPackage}) and run it on a machine with an NVIDIA GPU and driver, or use Device = Cpu or Auto.");
                return new torch.Device(DeviceType.CUDA, gpuDeviceId ?? 0);
            case TorchDevice.Auto:
                if (gpuDeviceId is null) return torch.CPU;
                if (cudaAvailable) return new torch.Device(DeviceType.CUDA, gpuDeviceId.Value);
                if (!fallbackToCpu)
                    throw new InvalidOperationException(
                        $"MLContext.GpuDeviceId is {gpuDeviceId} and FallbackToCpu is false, but CUDA is not available to TorchSharp " +
                        $"(the application needs a CUDA backend package, {TorchBackend.CudaPackages}, and a GPU). Set FallbackToCpu = true to train on the CPU instead.");
                return torch.CPU;
            default:
                throw new ArgumentOutOfRangeException(nameof(requested), requested, "Unknown device option.");
        }
    }
}
