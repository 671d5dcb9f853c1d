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
    public sealed partial class Options
    {
        /// <summary>The scoring network. Default <see cref="RankerArchitecture.Mlp"/>.</summary>
        public RankerArchitecture Architecture { get; set; } = RankerArchitecture.Mlp;

        /// <summary>Transformer: the width d of the document embeddings. Default 64.</summary>
        public int TransformerWidth { get; set; } = 64;

        /// <summary>Transformer: attention heads per block; must divide <see cref="TransformerWidth"/>. Default 4.</summary>
        public int AttentionHeads { get; set; } = 4;

        /// <summary>Transformer: self-attention blocks. Default 2.</summary>
        public int TransformerBlocks { get; set; } = 2;

        /// <summary>Transformer with <see cref="ConditioningKind.HyperPrompt"/>: prompt embeddings m generated from w. Default 4.</summary>
        public int PromptCount { get; set; } = 4;

        /// <summary>
        /// Transformer: a fitted transformer model (typically trained on the first objective alone, with
        /// <see cref="FixedObjectiveWeights"/> = (1, 0, ...)) whose feature standardisation, projection and attention blocks are
        /// copied and frozen: only the conditioning (the prompt generator) and the scoring head (started from the backbone's) train.
        /// Its sizes must match these options and it must not concatenate w to the features. Not saved with checkpoints (the
        /// frozen weights are part of the network). Null: train everything.
        /// </summary>
        public HyperDpoRankingTransformer? FrozenBackbone { get; set; }

        /// <summary>True when the network never reads w, so it learns only the trade-off of <see cref="FixedObjectiveWeights"/>.</summary>
        internal bool IgnoresObjectiveWeights => Architecture == RankerArchitecture.Transformer
            ? TransformerConditioning.IgnoresCondition(Conditioning)
            : ConditioningRegistry.Get(Conditioning).IgnoresCondition;

        private void ValidateArchitecture()
        {
            Require(Enum.IsDefined(Architecture), nameof(Architecture), $"must be {nameof(RankerArchitecture.Mlp)} or {nameof(RankerArchitecture.Transformer)}; got {Architecture}");
            if (InitialCheckpoint is { } checkpoint)
            {
                var saved = checkpoint.TrainerOptions;
                Require(saved.Architecture == Architecture && (Architecture == RankerArchitecture.Mlp ||
                    (saved.TransformerWidth == TransformerWidth && saved.AttentionHeads == AttentionHeads && saved.TransformerBlocks == TransformerBlocks && saved.PromptCount == PromptCount)),
                    nameof(InitialCheckpoint), $"has another architecture ({saved.Architecture}) or other transformer sizes than these options");
            }
            if (Architecture == RankerArchitecture.Mlp)
            {
                Require(ConditioningRegistry.Kinds.Contains(Conditioning), nameof(Conditioning),
                    $"= {Conditioning} needs {nameof(Architecture)} = {nameof(RankerArchitecture.Transformer)}; the MLP takes {string.Join(", ", ConditioningRegistry.Kinds)}");
                Require(FrozenBackbone is null, nameof(FrozenBackbone), $"needs {nameof(Architecture)} = {nameof(RankerArchitecture.Transformer)}");
                return;
            }
            Require(TransformerConditioning.Supports(Conditioning), nameof(Conditioning),
                $"= {Conditioning} is for the MLP; the transformer takes {string.Join(", ", TransformerConditioning.Kinds)}");
            Require(TransformerWidth > 0, nameof(TransformerWidth), $"must be positive; got {TransformerWidth}");
            Require(AttentionHeads > 0 && TransformerWidth % AttentionHeads == 0, nameof(AttentionHeads), $"must divide {nameof(TransformerWidth)} ({TransformerWidth}); got {AttentionHeads}");
            Require(TransformerBlocks > 0, nameof(TransformerBlocks), $"must be positive; got {TransformerBlocks}");
            Require(PromptCount > 0, nameof(PromptCount), $"must be positive; got {PromptCount}");
            if (FrozenBackbone is { } backbone)
            {
                var o = backbone.TrainingState?.Options;
                Require(o is not null && o.Architecture == RankerArchitecture.Transformer, nameof(FrozenBackbone), "must be a fitted model of the Transformer architecture");
                Require(o!.TransformerWidth == TransformerWidth && o.AttentionHeads == AttentionHeads && o.TransformerBlocks == TransformerBlocks, nameof(FrozenBackbone),
                    $"has width {o.TransformerWidth}, {o.AttentionHeads} heads and {o.TransformerBlocks} blocks; these options say {TransformerWidth}, {AttentionHeads} and {TransformerBlocks}");
                Require(!TransformerConditioning.ConcatenatesCondition(o.Conditioning) && !TransformerConditioning.ConcatenatesCondition(Conditioning), nameof(FrozenBackbone),
                    $"cannot be combined with {nameof(ConditioningKind.Input)} conditioning (w concatenated to the features changes the projection's inputs)");
            }
        }
    }
}
