using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Language.Modeling;

/// <summary>
/// A low-rank adapter (LoRA) on a projection: adds (x A B) * (alpha / r) to its output. B starts at zero, so a fresh
/// adapter leaves the model unchanged. Adapters live outside the base model's parameters, which therefore stay frozen.
/// Initialised on the CPU (the same values for a seed on every device), then moved to the model's device.
/// </summary>
internal sealed class LowRankAdapter : nn.Module
{
    private readonly Parameter lora_a;
    private readonly Parameter lora_b;
    private readonly double _scale;

    public LowRankAdapter(long inputs, long outputs, int rank, double alpha, Device device) : base(nameof(LowRankAdapter))
    {
        lora_a = new Parameter(torch.empty(inputs, rank, device: torch.CPU));
        lora_b = new Parameter(torch.zeros(rank, outputs, device: torch.CPU));
        using (torch.no_grad())
            nn.init.normal_(lora_a, 0, 1.0 / rank);
        _scale = alpha / rank;
        RegisterComponents();
        this.to(device);
    }

    /// <summary>One adapter per attention block of <paramref name="model"/>, on its fused query/key/value projection, on the model's device.</summary>
    public static List<LowRankAdapter> ForEveryBlock(Gpt2LanguageModel model, int rank, double alpha)
    {
        long width = model.Config.EmbeddingSize;
        return model.Blocks.Select(_ => new LowRankAdapter(width, 3 * width, rank, alpha, model.Device)).ToList();
    }

    public Tensor Delta(Tensor x) => torch.matmul(torch.matmul(x, lora_a), lora_b).Times(_scale);
}
