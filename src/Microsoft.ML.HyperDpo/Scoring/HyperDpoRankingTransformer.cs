using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Persistence;
using Microsoft.ML.HyperDpo.Scoring;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// A fitted HyperDPO ranker: one weight-conditioned network that scores every trade-off between its objectives.
/// <see cref="Transform"/> adds a <c>Score</c> column computed at the current <see cref="ObjectiveWeights"/>;
/// <see cref="WithObjectiveWeights"/> moves along the Pareto front without retraining.
/// </summary>
/// <remarks>
/// <para><b>Input and output columns</b></para>
/// <list type="table">
/// <listheader><term>Column</term><description>Type and role</description></listheader>
/// <item><term>Features (input)</term><description>Known-size vector of Single, the size the model was trained on; values must be finite.</description></item>
/// <item><term>Score (output)</term><description>Single. Higher ranks first. With references: the reference soup r_w + g(x; w).</description></item>
/// </list>
/// <para>All input columns pass through unchanged. Scoring is lazy and runs in blocks of 1024 rows.
/// The transformer is immutable and may be used from several threads.</para>
/// <para><c>mlContext.Model.Save</c> writes it as stock ML.NET transformers over its ONNX graph (<see cref="ExportToOnnx(Stream)"/>),
/// which <c>mlContext.Model.Load</c> reads without this library; <see cref="HyperDpoCheckpoint"/> keeps it for further
/// training. See docs/persistence.md.</para>
/// </remarks>
public sealed class HyperDpoRankingTransformer : ITransformer
{
    private readonly IHostEnvironment _env;
    private readonly ConditionedScoringModel _model;
    private readonly float[] _weights;
    private readonly float _temperature;

    // temperature: a temperature-conditioned model's temperature; null, the middle of its trained range (ignored otherwise).
    internal HyperDpoRankingTransformer(IHostEnvironment env, ConditionedScoringModel model, float[] weights, TrainingReport? report, TrainingState? trainingState = null,
        float? temperature = null)
    {
        _env = env;
        _model = model;
        _weights = weights;
        _temperature = model.TemperatureRange is { } range ? temperature ?? Modeling.ConditionVector.MiddleTemperature(range) : 0f;
        TrainingReport = report;
        TrainingState = trainingState;
    }

    /// <summary>The objectives, in the order of the weights: the label column names the model was trained with.</summary>
    public IReadOnlyList<string> Objectives => _model.Objectives;

    /// <summary>The current objective weights (non-negative, summing to 1).</summary>
    public IReadOnlyList<float> ObjectiveWeights => _weights;

    /// <summary>The feature column read at scoring time.</summary>
    public string FeatureColumnName => _model.FeatureColumnName;

    /// <summary>The number of features per row the model expects.</summary>
    public int FeatureCount => _model.FeatureCount;

    /// <summary>The name of the output column: <c>Score</c>.</summary>
    public string ScoreColumnName => "Score";

    /// <summary>How the fit went (per-epoch loss and validation figures, time, documents processed).</summary>
    public TrainingReport? TrainingReport { get; }

    internal ConditionedScoringModel ScoringModel => _model;

    /// <summary>
    /// The reference chain (null without a reference): stock ML.NET transformers that run the reference rankers and add the vector
    /// column <c>HyperDpo.ReferenceScores</c> of their K scores, each standardised with its mean and standard deviation on the
    /// training data. The model scores sum_k w_k of those plus g(x; w). With a conditioned reference r(x, w)
    /// (<see cref="HyperDpoRankingTrainer.ReferenceOptions.ConditionedModel"/>) the chain first writes this transformer's weights
    /// next to the features and all K entries hold its one standardised score at those weights.
    /// </summary>
    public ITransformer? ReferenceTransformer => _model.ReferenceFor(ObjectiveWeightSource.Fixed(_weights, _temperature));

    /// <summary>Options, optimiser state and epochs, for <see cref="HyperDpoCheckpoint.Save"/>.</summary>
    internal TrainingState? TrainingState { get; }

    /// <summary>
    /// The same model scoring at other objective weights: K finite values &gt;= 0, not all zero, normalised to sum 1.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong count, a negative, NaN or infinite value, or all zeros.</exception>
    public HyperDpoRankingTransformer WithObjectiveWeights(params float[] weights) =>
        new(_env, _model, HyperDpo.ObjectiveWeights.Normalize(weights, Objectives.Count, nameof(weights)), TrainingReport, TrainingState, _temperature);

    /// <summary>
    /// The temperature beta the model scores at, for a model trained with <see cref="HyperDpoRankingTrainer.LossOptions.TemperatureRange"/>:
    /// after a fit with validation data, the temperature of the grid on the range whose validation front had the largest hypervolume
    /// (<see cref="TrainingReport.Temperatures"/>), else the geometric mean of the range; then as set by <see cref="WithTemperature"/>.
    /// Null for a model trained at one temperature (<see cref="HyperDpoRankingTrainer.LossOptions.Beta"/>), which the network does not read.
    /// </summary>
    public float? Temperature => _model.TemperatureRange is null ? null : _temperature;

    /// <summary>The temperature range [min, max] the model was trained on (<see cref="HyperDpoRankingTrainer.LossOptions.TemperatureRange"/>), or null.</summary>
    public IReadOnlyList<float>? TrainedTemperatureRange => _model.TemperatureRange;

    /// <summary>
    /// The same model scoring at the temperature <paramref name="beta"/>, which must lie in the trained range
    /// (<see cref="TrainedTemperatureRange"/>): the network was never shown a temperature outside it. With a reference, a larger
    /// temperature keeps the ranking closer to the reference's.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model was trained at one temperature (no <see cref="HyperDpoRankingTrainer.LossOptions.TemperatureRange"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="beta"/> is NaN, infinite, not positive, or outside the trained range.</exception>
    public HyperDpoRankingTransformer WithTemperature(float beta)
    {
        if (_model.TemperatureRange is not { } range)
            throw new InvalidOperationException("This model was trained at one temperature (Options.Loss.Beta), which its network does not read; " +
                "train with Options.Loss.TemperatureRange to choose the temperature after training.");
        CheckTemperature(beta, range, nameof(beta));
        return new(_env, _model, _weights, TrainingReport, TrainingState, beta);
    }

    /// <summary>Throws naming <paramref name="name"/> and the value when <paramref name="beta"/> is not a temperature in the trained range.</summary>
    internal static void CheckTemperature(float beta, IReadOnlyList<float> range, string name)
    {
        if (TemperatureProblem(beta, range) is { } problem)
            throw new ArgumentOutOfRangeException(name, beta, problem);
    }

    /// <summary>What is wrong with <paramref name="beta"/> as a temperature of a model trained on <paramref name="range"/>; null when nothing is.</summary>
    internal static string? TemperatureProblem(float beta, IReadOnlyList<float> range) =>
        float.IsFinite(beta) && beta > 0 && beta >= range[0] && beta <= range[1]
            ? null
            : $"The temperature {beta} is not in the model's trained temperature range [{range[0]}, {range[1]}] (a finite value > 0 within it is needed).";

    /// <summary>
    /// True. A listwise (Transformer) model still refuses <see cref="GetRowToRowMapper"/>, with an error that says why (it scores whole
    /// groups, docs/conditioning.md), rather than letting ML.NET report only that it is no row-to-row mapper.
    /// </summary>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        _model.CheckFeatures(inputSchema);
        return ScoreColumnView.OutputSchema(inputSchema, ScoreColumnName);
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">A listwise (Transformer) model: a single row has no group to be scored in.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => ListwiseScoring.RowToRowMapper(inputSchema, _model, ObjectiveWeightSource.Fixed(_weights, _temperature), ScoreColumnName);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => ListwiseScoring.Transform(input, _model, ObjectiveWeightSource.Fixed(_weights, _temperature), ScoreColumnName);

    /// <summary>The name of the weights input of the graph written by <see cref="ExportToOnnx(Stream)"/>.</summary>
    public const string OnnxObjectiveWeightsInputName = "ObjectiveWeights";

    /// <summary>
    /// The name of the reference scores input of the exported graph, [N, K], present only with a reference: each row's K
    /// standardised reference scores, as <see cref="ReferenceTransformer"/> computes them in its <c>HyperDpo.ReferenceScores</c> column.
    /// </summary>
    public const string OnnxReferenceScoreInputName = "ReferenceScore";

    /// <summary>
    /// Writes the scoring network as an ONNX model (IR version 8, opset 17) that ONNX Runtime scores with the same
    /// results as <see cref="Transform"/>, for any weights: inputs <see cref="FeatureColumnName"/> [N, F] and
    /// <c>ObjectiveWeights</c> [N, K] (normalised, one row per document), output <c>Score</c> [N], all float32.
    /// </summary>
    /// <remarks>
    /// With a reference the graph holds g and the soup of the references, and has a third input <c>ReferenceScore</c> [N, K]
    /// whose w-weighted sum it adds to g: compute it with <see cref="ReferenceTransformer"/> (the graph cannot hold an arbitrary
    /// ML.NET transformer). See docs/persistence.md.
    /// </remarks>
    /// <param name="stream">Where the model bytes go; left open.</param>
    public void ExportToOnnx(Stream stream) => ExportToOnnx(stream, fixedObjectiveWeights: false);

    /// <summary>
    /// Writes the scoring network as an ONNX model; with <paramref name="fixedObjectiveWeights"/> the current
    /// <see cref="ObjectiveWeights"/> are folded into the graph's constants and its only inputs are the features
    /// (and the reference score with a reference model).
    /// </summary>
    /// <param name="stream">Where the model bytes go; left open.</param>
    /// <param name="fixedObjectiveWeights">True: score at the current weights, with no weights input.</param>
    public void ExportToOnnx(Stream stream, bool fixedObjectiveWeights)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var weights = fixedObjectiveWeights ? ObjectiveWeightSource.Fixed(_weights, _temperature) : ObjectiveWeightSource.FromColumn(OnnxObjectiveWeightsInputName, _temperature);
        ListwiseScoring.ExportToOnnx(stream, _model, weights, ScoreColumnName);
    }

    /// <summary>
    /// Saves the model as ML.NET's own <c>OnnxTransformer</c> over the exported graph, at the current weights (see
    /// docs/persistence.md): <c>mlContext.Model.Load</c> then returns stock ML.NET components that need
    /// Microsoft.ML.OnnxTransformer and ONNX Runtime, not this library.
    /// </summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ListwiseScoring.Save(ctx, _model, ObjectiveWeightSource.Fixed(_weights, _temperature), ScoreColumnName);
}
