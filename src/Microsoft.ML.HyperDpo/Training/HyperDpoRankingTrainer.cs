using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Data;
using Microsoft.ML.HyperDpo.Modeling;
using Microsoft.ML.HyperDpo.Scoring;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Trains one ranker for every trade-off between K objectives (HyperDPO / COS-DPO): a network g(x; w) conditioned
/// on the objective weights w, fitted with the Plackett-Luce DPO loss sum_k w_k L_k under w ~ Dirichlet(alpha).
/// The trade-off is chosen after training with <see cref="HyperDpoRankingTransformer.WithObjectiveWeights"/>.
/// </summary>
/// <remarks>
/// <para><b>Input and output columns</b></para>
/// <list type="table">
/// <listheader><term>Column</term><description>Type and role</description></listheader>
/// <item><term><see cref="Options.LabelColumnNames"/></term><description>K numeric scalar columns, one graded label per objective: whole-number grades 0..1000, higher is better.</description></item>
/// <item><term><see cref="Options.FeatureColumnName"/></term><description>Known-size vector of Single; values must be finite.</description></item>
/// <item><term><see cref="Options.RowGroupColumnName"/></term><description>Key type: the query each row belongs to. Rows of a group need not be contiguous.</description></item>
/// <item><term>Score (output)</term><description>Single, added by the fitted transformer.</description></item>
/// </list>
/// <para><b>Trainer characteristics</b></para>
/// <list type="table">
/// <item><term>Machine learning task</term><description>Ranking, several objectives at once</description></item>
/// <item><term>Is normalization required?</term><description>No: features are standardised inside the model</description></item>
/// <item><term>Is caching required?</term><description>No: the training data is read once into memory</description></item>
/// <item><term>Required NuGet in addition to Microsoft.ML</term><description>TorchSharp-cpu (or a CUDA build), Microsoft.ML.FastTree for reference models</description></item>
/// </list>
/// </remarks>
public sealed partial class HyperDpoRankingTrainer : IEstimator<HyperDpoRankingTransformer>
{
    private readonly IHost _host;
    private readonly Options _options;

    /// <summary>Creates the trainer; usually through <c>mlContext.Ranking.Trainers.HyperDpo(options)</c>.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public HyperDpoRankingTrainer(MLContext mlContext, Options options)
        : this((IHostEnvironment)(mlContext ?? throw new ArgumentNullException(nameof(mlContext))), options)
    {
    }

    internal HyperDpoRankingTrainer(IHostEnvironment env, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        options.RequireReferencesToReweight();
        _host = env.Register(nameof(HyperDpoRankingTrainer));
        _options = options;
    }

    /// <summary>The options this trainer was created with.</summary>
    public Options TrainerOptions => _options;

    /// <summary>Trains on <paramref name="input"/> for <see cref="OptimiserOptions.NumberOfEpochs"/> epochs and keeps the last state.</summary>
    public HyperDpoRankingTransformer Fit(IDataView input) => Fit(input, null);

    /// <summary>
    /// Trains on <paramref name="trainData"/>; with <paramref name="validationData"/>, measures NDCG@k over a weight
    /// lattice after every epoch, stops early after <see cref="ValidationOptions.EarlyStoppingPatience"/> epochs without
    /// improvement and keeps the best epoch's state.
    /// </summary>
    /// <exception cref="InvalidOperationException">A value is unusable (a non-finite feature, a label that is not a whole-number grade from
    /// 0 to 1000, a missing group), or the data is degenerate: no training group has two documents, an objective's grade never differs
    /// within a training group, or within a validation group (its NDCG would not depend on the ranking). The message says which column.</exception>
    /// <exception cref="OperationCanceledException"><c>MLContext.CancelExecution()</c> was called; the fit stops before its next step.</exception>
    public HyperDpoRankingTransformer Fit(IDataView trainData, IDataView? validationData)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        var initial = _options.Checkpointing.StartFrom;
        var o = EffectiveOptions();
        using var channel = _host.Start("Training");
        var device = DeviceSelector.Select(o.Runtime.Device, _host);
        int seed = o.Seed ?? _host.Rand.Next();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var prepared = ReferenceScores.Prepare(o, trainData, seed, channel);
        var reference = prepared?.Chain;
        var referenceTime = reference is null ? TimeSpan.Zero : clock.Elapsed;
        // Cancellation is also checked between the stages before the first step (fitting references, reading the data), which can take long.
        MlNetInternals.ThrowIfCanceled(_host);
        bool conditioned = Conditioned(o, reference);
        // A conditioned reference reads the weights: the training rows at equal weights (the loss never reads them), the
        // validation rows at every grid weight.
        var readWith = conditioned ? new TransformerChain<ITransformer>(ConditionedReference.Weights(ConditionedReference.Equal(o.LabelColumnNames.Length),
            o.FeatureColumnName, ((VectorDataViewType)Data.ColumnChecks.FeatureVector(trainData.Schema, o.FeatureColumnName).Type).Size, o.LabelColumnNames.Length), reference!) : reference;
        var train = ReadLists(trainData, readWith, "training data", prepared?.TrainingScores);
        var validation = validationData is null ? null : ReadLists(validationData, readWith, "validation data", null);
        if (conditioned && validation is not null)
        {
            var grid = TrainingWeights.ValidationGridOf(o, o.LabelColumnNames.Length);
            validation = validation.WithReferenceGrid(grid, ConditionedReference.ScoresAt(validationData!, reference!, grid, o, validation.FeatureCount, "validation data"));
        }
        MlNetInternals.ThrowIfCanceled(_host);
        if (initial is not null && initial.FeatureCount != train.FeatureCount)
            throw new ArgumentException($"The training data's '{o.FeatureColumnName}' column has {train.FeatureCount} values per row; the initial checkpoint's network takes {initial.FeatureCount}.", nameof(trainData));
        if (validation is not null && validation.FeatureCount != train.FeatureCount)
            throw new ArgumentException($"The validation data's '{o.FeatureColumnName}' column has {validation.FeatureCount} values per row; the training data has {train.FeatureCount}.", nameof(validationData));
        RankableLists.RequireTrainable(train, o.LabelColumnNames, o.RowGroupColumnName);
        if (validation is not null) RankableLists.RequireMeasurable(validation, o.LabelColumnNames);
        if (ReferenceInputs(o, reference))
        {
            // The network reads [x, r]: each row's K standardised reference scores (out of fold for the training rows when asked) after its features.
            train = train.WithReferenceInputs();
            validation = validation?.WithReferenceInputs();
        }
        channel.Info(MessageSensitivity.None,
            $"HyperDPO: {train.ListCount} training lists, {train.RowCount} rows, {train.FeatureCount} features, {train.ObjectiveCount} objectives on {device}" +
            (validation is null ? "" : $"; {validation.ListCount} validation lists."));

        int epochsBefore = initial?.EpochsCompleted ?? 0;
        // The fit a checkpoint belongs to: this one, or the interrupted one this fit resumes.
        var resumed = o.Checkpointing.Resume ? initial!.Interrupted : null;
        var fit = resumed is not null ? (resumed.Start, resumed.Epochs) : (Start: epochsBefore, Epochs: o.Optimiser.NumberOfEpochs);
        Action<int, int, IRankingNetwork, byte[], byte[]>? checkpoint = o.Checkpointing.Path is not { } path ? null : (epoch, steps, trained, optimizer, random) =>
            HyperDpoCheckpoint.Save(Transformer(o, trained, reference, device, null, optimizer, epochsBefore + epoch, fit, random, steps), path);
        var (network, report, optimizerState) = TrainNetwork(o, train, validation, device, seed, lists => CreateNetwork(o, lists, initial), initial?.OptimizerState, checkpoint, channel, resumed);
        return Transformer(o, network, reference, device, report with { ReferenceFitTime = referenceTime }, optimizerState, epochsBefore + report.Epochs.Count, fit);
    }

    /// <summary>The fitted transformer over <paramref name="network"/>, with what a checkpoint of it needs.</summary>
    private HyperDpoRankingTransformer Transformer(Options o, IRankingNetwork network, ITransformer? reference, TorchSharp.torch.Device device, TrainingReport? report, byte[] optimizerState, int epochsCompleted,
        (int Start, int Epochs) fit, byte[]? randomState = null, int stepsIntoEpoch = 0)
    {
        var model = new ConditionedScoringModel(network, device, o.FeatureColumnName, o.LabelColumnNames.ToArray(), reference, ReferenceScores.ColumnName, o.RowGroupColumnName,
            (float[]?)o.Loss.TemperatureRange?.Clone(), ReferenceInputs(o, reference), Conditioned(o, reference));
        // The temperature whose validation front was widest (the middle of the range without validation figures).
        float? temperature = report?.Temperatures.MaxBy(t => t.Hypervolume)?.Beta;
        var weights = o.InitialObjectiveWeights is not null
            ? HyperDpo.ObjectiveWeights.Normalize(o.InitialObjectiveWeights, o.LabelColumnNames.Length, nameof(o.InitialObjectiveWeights))
            : o.Loss.FixedObjectiveWeights is not null
                ? HyperDpo.ObjectiveWeights.Normalize(o.Loss.FixedObjectiveWeights, o.LabelColumnNames.Length, Options.Path(nameof(o.Loss), nameof(o.Loss.FixedObjectiveWeights)))
                : HyperDpo.ObjectiveWeights.Uniform(o.LabelColumnNames.Length);
        // The saved options drop the initial checkpoint, so that models do not keep a chain of earlier checkpoints alive.
        var trainedWith = o.Clone();
        trainedWith.Checkpointing.StartFrom = null;
        trainedWith.Checkpointing.Resume = false;
        trainedWith.References.Source = reference is null ? null : ReferenceSource.Saved(reference);
        var state = new TrainingState(trainedWith, optimizerState, epochsCompleted, fit.Start, fit.Epochs, randomState, stepsIntoEpoch);
        return new HyperDpoRankingTransformer(_host, model, weights, report, state, temperature);
    }

    /// <summary>
    /// A new network for <paramref name="train"/>, or, from <paramref name="initial"/>, a copy of the checkpoint's network
    /// (keeping its feature standardisation).
    /// </summary>
    private static IRankingNetwork CreateNetwork(Options o, ListwiseDataset train, HyperDpoCheckpoint? initial)
    {
        if (o.Network.FrozenBackbone is { } backbone)
        {
            var frozen = Modeling.Transformer.FrozenBackbone.Create(o, backbone, train);
            if (train.HasReference) frozen.ZeroOutput();
            return frozen;
        }
        var (mean, scale) = initial is null ? FeatureStandardizer.Fit(train) : initial.Standardization;
        var network = RankingNetworks.Create(o, train.FeatureCount, train.ObjectiveCount, mean, scale);
        // With a reference, g starts at zero, so the fitted model starts exactly at the reference soup.
        if (train.HasReference) network.ZeroOutput();
        initial?.CopyNetworkInto(network);
        return network;
    }

    /// <summary>Whether the reference is a conditioned r(x, w) that reads the objective weights (<see cref="ReferenceOptions.ConditionedFeatureColumnName"/>).</summary>
    internal static bool Conditioned(Options o, ITransformer? reference) => reference is not null && o.References.ConditionedFeatureColumnName is not null;

    /// <summary>Whether the network reads the reference scores as inputs (<see cref="ReferenceForm.ExtraInputs"/> with a reference).</summary>
    internal static bool ReferenceInputs(Options o, ITransformer? reference) => reference is not null && o.References.Form == ReferenceForm.ExtraInputs;

    /// <summary>The options, with the initial checkpoint's reference when the options name none.</summary>
    private Options EffectiveOptions()
    {
        var o = _options;
        if (o.Checkpointing.StartFrom?.ReferenceModel is not { } saved || o.References.Source is not null)
            return o;
        o = o.Clone();
        o.References.Source = ReferenceSource.Saved(saved);
        return o;
    }

    /// <summary>Reads <paramref name="data"/> as lists, with the reference's scores, or <paramref name="referenceByRow"/> (rows x K in
    /// the data's order: the out-of-fold scores of the training rows) in their place.</summary>
    private ListwiseDataset ReadLists(IDataView data, ITransformer? reference, string name, float[]? referenceByRow)
    {
        var o = _options;
        var source = reference is null || referenceByRow is not null ? data : reference.Transform(data);
        return ListwiseDataset.Read(source, o.FeatureColumnName, o.LabelColumnNames, o.RowGroupColumnName,
            reference is null || referenceByRow is not null ? null : ReferenceScores.ColumnName, name, referenceByRow);
    }

    /// <summary>
    /// Checks that the input has the feature, label and group columns with usable types, and returns the input
    /// schema plus a Single <c>Score</c> column.
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type; the message names it.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var o = _options;
        var columns = inputSchema.ToDictionary(c => c.Name);
        SchemaShape.Column Require(string name, string role)
        {
            if (!columns.TryGetValue(name, out var c))
                throw new ArgumentException($"The {role} column '{name}' is not in the input schema.", name);
            return c;
        }
        var features = Require(o.FeatureColumnName, "feature");
        if (features.Kind != SchemaShape.Column.VectorKind.Vector || features.ItemType != NumberDataViewType.Single)
            throw new ArgumentException($"The feature column '{o.FeatureColumnName}' must be a known-size vector of Single; it is {features.Kind} of {features.ItemType}.", o.FeatureColumnName);
        foreach (string label in o.LabelColumnNames)
        {
            var c = Require(label, "label");
            if (c.Kind != SchemaShape.Column.VectorKind.Scalar || c.IsKey || c.ItemType is not NumberDataViewType)
                throw new ArgumentException($"The label column '{label}' must be a numeric scalar; it is {c.Kind} of {c.ItemType}.", label);
        }
        var group = Require(o.RowGroupColumnName, "row group");
        if (!group.IsKey)
            throw new ArgumentException($"The row group column '{o.RowGroupColumnName}' must be a key type (as for FastTree); it is {group.ItemType}. Use mlContext.Transforms.Conversion.MapValueToKey.", o.RowGroupColumnName);

        // The input's own columns are passed on as they are (key-ness and annotations such as KeyValues included,
        // which later estimators in a chain check); SchemaShape.Column has no public constructor, so the Score
        // column is taken from the shape of a one-column schema.
        var scoreBuilder = new DataViewSchema.Builder();
        scoreBuilder.AddColumn("Score", NumberDataViewType.Single);
        columns["Score"] = MlNetInternals.ShapeOf(scoreBuilder.ToSchema()).Single();
        return new SchemaShape(columns.Values);
    }
}
