using Microsoft.ML.HyperDpo.Modeling.Conditioning;
using Microsoft.ML.HyperDpo.Native;
using Microsoft.ML.HyperDpo.Scoring;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.HyperDpo.Modeling.Transformer;

/// <summary>
/// The sizes of a <see cref="TransformerRanker"/>; DocumentHiddenSizes are the hidden widths of its per-document scorer
/// (<see cref="HyperDpoRankingTrainer.NetworkOptions.TransformerDocumentScorer"/>), null for a ranker without one.
/// </summary>
internal sealed record TransformerShape(int FeatureCount, int ConditionWidth, ConditioningKind Kind, int Width, int Heads, int Blocks, int PromptCount, float Dropout,
    IReadOnlyList<int>? DocumentHiddenSizes = null)
{
    /// <summary>
    /// How the per-document scorer reads c: as the default MLP does (<see cref="ConditioningKind.Hypernetwork"/>), unless the
    /// ranker never reads c (<see cref="ConditioningKind.None"/>).
    /// </summary>
    public ConditioningKind DocumentConditioning => TransformerConditioning.IgnoresCondition(Kind) ? ConditioningKind.None : ConditioningKind.Hypernetwork;

    public int PromptTokens => TransformerConditioning.PromptTokens(Kind, PromptCount);
    public bool ConcatenatesCondition => TransformerConditioning.ConcatenatesCondition(Kind);
}

/// <summary>
/// The listwise transformer ranker: the documents of one list form a sequence. Standardised features (with c appended for
/// Input conditioning) are projected to width d; the kind's prompt tokens (Hyper Prompt Tuning, or one weight token) are
/// prepended; self-attention blocks with a key padding mask and no positional encoding follow, so each document's score is
/// equivariant to the order of the others; a scoring head (LayerNorm, d -> d SiLU, d -> 1) scores each document position.
/// With a per-document scorer (<see cref="HyperDpoRankingTrainer.NetworkOptions.TransformerDocumentScorer"/>) the score is that
/// scorer's score of the document alone plus the head's, whose last layer starts at zero.
/// </summary>
/// <remarks>
/// <para>Shapes: features [B, L, F], condition [B, C], mask [B, L] (true: a real document) -> scores [B, L].</para>
/// <para>The per-document scorer is a <see cref="ConditionedScorer"/> of the MLP's widths: the transformer alone ranked MQ2008
/// less well than that MLP (docs/conditioning.md), so the fit starts as the MLP would and attention learns only the list
/// context's correction. It is built after every other layer, so the others draw the same initial values from a seed as
/// without it.</para>
/// </remarks>
internal sealed class TransformerRanker : Module<Tensor, Tensor, Tensor, Tensor>, IRankingNetwork
{
    private const int SlotsPerForward = 16384;
    private readonly TransformerShape _shape;
    private readonly Linear projection;
    private readonly PromptGenerator? prompts;
    private readonly ModuleList<TransformerBlock> blocks;
    private readonly LayerNorm head_norm;
    private readonly Linear head_hidden;
    private readonly Linear head_out;
    private readonly ConditionedScorer? document;
    private readonly Tensor feature_mean;
    private readonly Tensor feature_scale;

    public TransformerRanker(TransformerShape shape, float[] featureMean, float[] featureScale) : base(TorchBackend.Require(nameof(TransformerRanker)))
    {
        _shape = shape;
        projection = Linear(shape.FeatureCount + (shape.ConcatenatesCondition ? shape.ConditionWidth : 0), shape.Width);
        prompts = TransformerConditioning.CreatePrompts(shape.Kind, shape.ConditionWidth, shape.Width, shape.PromptCount);
        blocks = new ModuleList<TransformerBlock>(Enumerable.Range(0, shape.Blocks).Select(_ => new TransformerBlock(shape.Width, shape.Heads, shape.Dropout)).ToArray());
        head_norm = LayerNorm(shape.Width);
        head_hidden = Linear(shape.Width, shape.Width);
        head_out = Linear(shape.Width, 1);
        if (shape.DocumentHiddenSizes is { } documentSizes)
        {
            document = new ConditionedScorer(shape.FeatureCount, shape.ConditionWidth, documentSizes, shape.Dropout, shape.DocumentConditioning, featureMean, featureScale);
            ZeroHead();
        }
        feature_mean = torch.tensor(featureMean).reshape(1, 1, shape.FeatureCount);
        feature_scale = torch.tensor(featureScale).reshape(1, 1, shape.FeatureCount);
        RegisterComponents();
    }

    public TransformerShape Shape => _shape;

    /// <summary>The kind's prompt generator, or null when it prepends no tokens.</summary>
    public PromptGenerator? Prompts => prompts;
    public nn.Module Module => this;
    public int FeatureCount => _shape.FeatureCount;
    public int ConditionWidth => _shape.ConditionWidth;

    public IRankingNetwork EmptyCopy() =>
        new TransformerRanker(_shape, new float[FeatureCount], Enumerable.Repeat(1f, FeatureCount).ToArray());

    /// <summary>The per-document scorer, or null for a ranker without one.</summary>
    public ConditionedScorer? Document => document;

    /// <summary>
    /// Zeroes the scoring head's last layer and the per-document scorer's: every document scores 0 whatever the prompts and
    /// blocks compute.
    /// </summary>
    public void ZeroOutput()
    {
        ZeroHead();
        document?.ZeroOutput();
    }

    private void ZeroHead()
    {
        using (torch.no_grad())
        {
            head_out.weight!.zero_();
            head_out.bias?.zero_();
        }
    }

    public override Tensor forward(Tensor features, Tensor condition, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        long b = features.shape[0], l = features.shape[1];
        var x = (features - feature_mean) / feature_scale;
        if (_shape.ConcatenatesCondition)
            x = torch.cat(new[] { x, condition.unsqueeze(1).expand(b, l, condition.shape[^1]) }, dim: -1);
        var h = projection.forward(x);
        var keys = mask;
        int m = _shape.PromptTokens;
        if (prompts is not null)
        {
            h = torch.cat(new[] { prompts.forward(condition), h }, dim: 1);
            keys = torch.cat(new[] { torch.ones(b, m, dtype: ScalarType.Bool, device: mask.device), mask }, dim: 1);
        }
        foreach (var block in blocks) h = block.forward(h, keys);
        h = h.narrow(1, m, l);
        var scores = head_out.forward(functional.silu(head_hidden.forward(head_norm.forward(h)))).squeeze(-1);
        if (document is not null) scores = scores.Plus(document.forward(features, condition.unsqueeze(1)));
        return scores.MoveToOuterDisposeScope();
    }

    public Tensor ScoreLists(Tensor features, Tensor condition, Tensor mask) => forward(features, condition, mask);

    public Tensor ScoreRows(Tensor features, Tensor condition, int[] listLengths) => ScoreGroups(features, condition, listLengths);

    /// <summary>
    /// Scores whole lists laid end to end: features [N, F] (list i is the next <paramref name="lengths"/>[i] rows), conditions
    /// [1, C] for all lists or [lists, C] -> scores [N]. Lists of similar length are padded together (<see cref="LengthBuckets"/>)
    /// into batches of at most about 16384 slots, and the scores are put back in the rows' order.
    /// </summary>
    public Tensor ScoreGroups(Tensor features, Tensor conditions, int[] lengths)
    {
        using var scope = torch.NewDisposeScope();
        var device = features.device;
        var starts = new int[lengths.Length];
        for (int i = 1; i < lengths.Length; i++) starts[i] = starts[i - 1] + lengths[i - 1];
        var results = new List<Tensor>();
        // The rows in the order the buckets score them; its inverse puts the scores back in the rows' order.
        var scoredRows = new long[features.shape[0]];
        int scored = 0;
        foreach (var bucket in LengthBuckets.Plan(lengths, SlotsPerForward))
        {
            int count = bucket.Length, width = lengths[bucket[^1]];
            var index = new long[count * width];
            var mask = new bool[count * width];
            for (int i = 0; i < count; i++)
                for (int j = 0; j < lengths[bucket[i]]; j++)
                {
                    index[i * width + j] = scoredRows[scored++] = starts[bucket[i]] + j;
                    mask[i * width + j] = true;
                }
            var maskTensor = torch.tensor(mask, device: device).reshape(count, width);
            var x = features.index_select(0, torch.tensor(index, device: device)).reshape(count, width, FeatureCount);
            var c = conditions.shape[0] == 1 ? conditions.expand(count, -1) : conditions.index_select(0, torch.tensor(bucket.Select(l => (long)l).ToArray(), device: device));
            results.Add(forward(x, c, maskTensor).masked_select(maskTensor));
        }
        var inverse = new long[scoredRows.Length];
        for (int i = 0; i < scoredRows.Length; i++) inverse[scoredRows[i]] = i;
        return torch.cat(results.ToArray(), 0).index_select(0, torch.tensor(inverse, device: device)).MoveToOuterDisposeScope();
    }

    /// <summary>Freezes the feature projection and the blocks (the backbone): they get no gradient and keep their values.</summary>
    public void FreezeBackbone()
    {
        foreach (var p in projection.parameters().Concat(blocks.parameters())) p.requires_grad = false;
    }

    /// <summary>The names of the backbone's state entries (feature standardisation, projection, blocks) and of the head's.</summary>
    public static bool IsBackboneEntry(string name) => name.StartsWith("projection.", StringComparison.Ordinal) ||
        name.StartsWith("blocks.", StringComparison.Ordinal) || name is "feature_mean" or "feature_scale";

    /// <remarks>
    /// The per-document scorer is neither: a frozen backbone is typically trained with <see cref="ConditioningKind.None"/>, whose
    /// per-document scorer reads no w, so a fit on a backbone starts its own and trains it.
    /// </remarks>
    public static bool IsHeadEntry(string name) => name.StartsWith("head_", StringComparison.Ordinal);

    /// <summary>The weights as plain arrays, for the ONNX export.</summary>
    public TransformerParameters Export()
    {
        var exported = prompts?.Export();
        return new TransformerParameters(_shape, LinearExport.Read(feature_mean), LinearExport.Read(feature_scale), projection.ToDense(),
            exported?.Mixture, exported?.Hidden, exported?.Output, blocks.Select(b => b.Export()).ToArray(),
            TransformerBlock.Norm(head_norm), head_hidden.ToDense(), head_out.ToDense(), document?.Export());
    }
}

/// <summary>
/// A transformer ranker's weights as plain arrays. PromptMixture is the prompt generator's linear map of c (null without
/// prompt tokens); PromptHidden and PromptCorrection are HyperPrompt's correction layers (else null); Document is the
/// per-document scorer (else null).
/// </summary>
internal sealed record TransformerParameters(TransformerShape Shape, float[] Mean, float[] Scale, DenseLayer Projection,
    DenseLayer? PromptMixture, DenseLayer? PromptHidden, DenseLayer? PromptCorrection, TransformerBlockParameters[] Blocks, (float[] Scale, float[] Bias) HeadNorm,
    DenseLayer HeadHidden, DenseLayer HeadOut, ScorerParameters? Document);
