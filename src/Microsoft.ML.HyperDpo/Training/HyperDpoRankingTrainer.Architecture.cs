using Microsoft.ML.HyperDpo.Modeling.Conditioning;
using Microsoft.ML.HyperDpo.Modeling.Transformer;

namespace Microsoft.ML.HyperDpo;

/// <summary>The scoring network's architecture.</summary>
public enum RankerArchitecture
{
    /// <summary>An MLP that scores each document alone (conditioning kinds Input, FiLM, Hypernetwork, FullHypernetwork, None).</summary>
    Mlp,
    /// <summary>
    /// A listwise transformer: the documents of one query form a sequence; a feature projection, self-attention blocks with
    /// padding masks and no positional encoding (scores are equivariant to the order of the documents), and a scoring head.
    /// Conditioning kinds HyperPrompt, WeightToken, Input (w concatenated to every document) and None. Scores whole groups:
    /// see docs/conditioning.md for what that means at prediction time.
    /// </summary>
    Transformer,
}

public sealed partial class HyperDpoRankingTrainer
{
    /// <summary>The scoring network (<see cref="Options.Network"/>): its architecture, how it reads the objective weights, and its sizes.</summary>
    public sealed class NetworkOptions
    {
        /// <summary>The scoring network. Default <see cref="RankerArchitecture.Mlp"/>.</summary>
        public RankerArchitecture Architecture { get; set; } = RankerArchitecture.Mlp;

        /// <summary>
        /// How the network is conditioned on the objective weights (when to use which: docs/conditioning.md). Default
        /// <see cref="ConditioningKind.Hypernetwork"/>.
        /// </summary>
        public ConditioningKind Conditioning { get; set; } = ConditioningKind.Hypernetwork;

        /// <summary>Hidden layer widths of the scoring MLP. Default 128, 64.</summary>
        public int[] HiddenSizes { get; set; } = { 128, 64 };

        /// <summary>Dropout after each hidden layer during training, in [0, 1). Default 0; raise it for larger networks, or without validation data.</summary>
        public float Dropout { get; set; }

        /// <summary>Transformer: the width d of the document embeddings. Default 64.</summary>
        public int TransformerWidth { get; set; } = 64;

        /// <summary>Transformer: attention heads per block; must divide <see cref="TransformerWidth"/>. Default 4.</summary>
        public int AttentionHeads { get; set; } = 4;

        /// <summary>Transformer: self-attention blocks. Default 1.</summary>
        public int TransformerBlocks { get; set; } = 1;

        /// <summary>
        /// Transformer: true adds a per-document scorer, an MLP of <see cref="HiddenSizes"/> that reads w as the default MLP does, to
        /// the transformer's score; the transformer's scoring head starts at zero, so the fit starts from scoring each document
        /// alone and attention learns the list context's correction. Default true (a checkpoint written before this option
        /// existed loads as false, the network it holds).
        /// </summary>
        public bool TransformerDocumentScorer { get; set; } = true;

        /// <summary>Transformer with <see cref="ConditioningKind.HyperPrompt"/>: prompt embeddings m generated from w. Default 4.</summary>
        public int PromptCount { get; set; } = 4;

        /// <summary>
        /// Transformer: a fitted transformer model (typically trained on the first objective alone) whose feature standardisation,
        /// projection and attention blocks are copied and frozen, so that only the conditioning and the scoring head train. Not
        /// saved with checkpoints. Null (default): train everything.
        /// </summary>
        public HyperDpoRankingTransformer? FrozenBackbone { get; set; }

        internal NetworkOptions Clone()
        {
            var copy = (NetworkOptions)MemberwiseClone();
            copy.HiddenSizes = (int[])HiddenSizes.Clone();
            return copy;
        }
    }

    public sealed partial class Options
    {
        /// <summary>True when the network never reads w, so it learns only the trade-off of <see cref="LossOptions.FixedObjectiveWeights"/>.</summary>
        internal bool IgnoresObjectiveWeights => Network.Architecture == RankerArchitecture.Transformer
            ? TransformerConditioning.IgnoresCondition(Network.Conditioning)
            : ConditioningRegistry.Get(Network.Conditioning).IgnoresCondition;

        private void ValidateNetwork()
        {
            var n = Network;
            string Of(string leaf) => Path(nameof(Network), leaf);
            Require(n.HiddenSizes is { Length: > 0 } && n.HiddenSizes.All(h => h > 0), Of(nameof(n.HiddenSizes)), $"must be one or more positive widths; got [{string.Join(", ", n.HiddenSizes ?? Array.Empty<int>())}]");
            Require(n.Dropout >= 0 && n.Dropout < 1, Of(nameof(n.Dropout)), $"must be in [0, 1); got {n.Dropout}");
            Require(Enum.IsDefined(n.Architecture), Of(nameof(n.Architecture)), $"must be {nameof(RankerArchitecture.Mlp)} or {nameof(RankerArchitecture.Transformer)}; got {n.Architecture}");
            if (Checkpointing.StartFrom is { } checkpoint)
            {
                var saved = checkpoint.TrainerOptions.Network;
                Require(saved.Architecture == n.Architecture && (n.Architecture == RankerArchitecture.Mlp ||
                    (saved.TransformerWidth == n.TransformerWidth && saved.AttentionHeads == n.AttentionHeads && saved.TransformerBlocks == n.TransformerBlocks && saved.PromptCount == n.PromptCount &&
                    saved.TransformerDocumentScorer == n.TransformerDocumentScorer && (!n.TransformerDocumentScorer || saved.HiddenSizes.SequenceEqual(n.HiddenSizes)))),
                    Path(nameof(Checkpointing), nameof(Checkpointing.StartFrom)), $"has another architecture ({saved.Architecture}) or other transformer sizes than these options");
            }
            if (n.Architecture == RankerArchitecture.Mlp)
            {
                Require(ConditioningRegistry.Kinds.Contains(n.Conditioning), Of(nameof(n.Conditioning)),
                    $"= {n.Conditioning} needs {Of(nameof(n.Architecture))} = {nameof(RankerArchitecture.Transformer)}; the MLP takes {string.Join(", ", ConditioningRegistry.Kinds)}");
                Require(n.FrozenBackbone is null, Of(nameof(n.FrozenBackbone)), $"needs {Of(nameof(n.Architecture))} = {nameof(RankerArchitecture.Transformer)}");
                return;
            }
            Require(TransformerConditioning.Supports(n.Conditioning), Of(nameof(n.Conditioning)),
                $"= {n.Conditioning} is for the MLP; the transformer takes {string.Join(", ", TransformerConditioning.Kinds)}");
            Require(n.TransformerWidth > 0, Of(nameof(n.TransformerWidth)), $"must be positive; got {n.TransformerWidth}");
            Require(n.AttentionHeads > 0 && n.TransformerWidth % n.AttentionHeads == 0, Of(nameof(n.AttentionHeads)), $"must divide {Of(nameof(n.TransformerWidth))} ({n.TransformerWidth}); got {n.AttentionHeads}");
            Require(n.TransformerBlocks > 0, Of(nameof(n.TransformerBlocks)), $"must be positive; got {n.TransformerBlocks}");
            Require(n.PromptCount > 0, Of(nameof(n.PromptCount)), $"must be positive; got {n.PromptCount}");
            if (n.FrozenBackbone is { } backbone)
            {
                var o = backbone.TrainingState?.Options.Network;
                Require(o is not null && o.Architecture == RankerArchitecture.Transformer, Of(nameof(n.FrozenBackbone)), "must be a fitted model of the Transformer architecture");
                Require(o!.TransformerWidth == n.TransformerWidth && o.AttentionHeads == n.AttentionHeads && o.TransformerBlocks == n.TransformerBlocks, Of(nameof(n.FrozenBackbone)),
                    $"has width {o.TransformerWidth}, {o.AttentionHeads} heads and {o.TransformerBlocks} blocks; these options say {n.TransformerWidth}, {n.AttentionHeads} and {n.TransformerBlocks}");
                Require(!TransformerConditioning.ConcatenatesCondition(o.Conditioning) && !TransformerConditioning.ConcatenatesCondition(n.Conditioning), Of(nameof(n.FrozenBackbone)),
                    $"cannot be combined with {nameof(ConditioningKind.Input)} conditioning (w concatenated to the features changes the projection's inputs)");
            }
        }
    }
}
