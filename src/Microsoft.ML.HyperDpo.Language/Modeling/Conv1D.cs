using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Language.Modeling;

/// <summary>
/// GPT-2's "Conv1D": an affine map whose weight is stored as [in, out] (the transpose of <c>nn.Linear</c>), so that
/// the saved tensors have exactly Hugging Face's names and layouts and load without transposing. Created on the CPU
/// (explicitly, whatever TorchSharp's default device), so that a seed gives the same weights on every device.
/// </summary>
internal sealed class Conv1D : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;

    public Conv1D(long inputs, long outputs, double initStd) : base(nameof(Conv1D))
    {
        weight = new Parameter(torch.empty(inputs, outputs, device: torch.CPU));
        bias = new Parameter(torch.zeros(outputs, device: torch.CPU));
        using (torch.no_grad())
            nn.init.normal_(weight, 0, initStd);
        RegisterComponents();
    }

    public Parameter Weight => weight;

    public override Tensor forward(Tensor input) => torch.matmul(input, weight).add_(bias);
}
