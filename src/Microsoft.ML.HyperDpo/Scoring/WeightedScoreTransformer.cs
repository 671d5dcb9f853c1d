using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Persistence;
using Microsoft.ML.HyperDpo.Scoring;
using Microsoft.ML.HyperDpo.Scoring.Onnx;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Scores every row with a HyperDPO model at the objective weights in that row's own column (see
/// <see cref="WeightedScoreEstimator"/> for the columns). Lazy, in blocks of 1024 rows, immutable and thread-safe.
/// </summary>
/// <remarks>
/// A row whose weights are negative, NaN, infinite or all zero stops the cursor with an
/// <see cref="InvalidOperationException"/> naming the column, the row and its values, when its score is read.
/// <c>mlContext.Model.Save</c> writes it as stock ML.NET transformers over an ONNX graph (docs/persistence.md).
/// </remarks>
public sealed class WeightedScoreTransformer : ITransformer
{
    private readonly ObjectiveWeightSource _weights;

    internal WeightedScoreTransformer(HyperDpoRankingTransformer model, string objectiveWeightsColumnName, string outputColumnName, string? temperatureColumnName = null)
    {
        Model = model;
        ObjectiveWeightsColumnName = objectiveWeightsColumnName;
        OutputColumnName = outputColumnName;
        TemperatureColumnName = temperatureColumnName;
        _weights = ObjectiveWeightSource.FromColumn(objectiveWeightsColumnName, model.Temperature ?? 0f, temperatureColumnName);
    }

    /// <summary>The column each row's temperature is read from (a temperature-conditioned model), or null: the model's <see cref="HyperDpoRankingTransformer.Temperature"/>.</summary>
    public string? TemperatureColumnName { get; }

    /// <summary>The HyperDPO model that scores (its own <see cref="HyperDpoRankingTransformer.ObjectiveWeights"/> are not used).</summary>
    public HyperDpoRankingTransformer Model { get; }

    /// <summary>The column each row's objective weights are read from.</summary>
    public string ObjectiveWeightsColumnName { get; }

    /// <summary>The Single column the scores are written to.</summary>
    public string OutputColumnName { get; }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The feature or weights column is missing, or has the wrong type or size; the message names it.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        Model.ScoringModel.CheckFeatures(inputSchema);
        _weights.Check(inputSchema, Model.Objectives);
        _weights.CheckTemperature(inputSchema);
        return ScoreColumnView.OutputSchema(inputSchema, OutputColumnName);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => ListwiseScoring.RowToRowMapper(inputSchema, Model.ScoringModel, _weights, OutputColumnName);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => ListwiseScoring.Transform(input, Model.ScoringModel, _weights, OutputColumnName);

    /// <summary>
    /// Writes the ONNX graph this transformer computes: inputs the feature column [N, F] and the weights column
    /// [N, K] (already normalised: the graph does not check or normalise them), with a reference model also
    /// <c>ReferenceScore</c> [N, K] (see <see cref="HyperDpoRankingTransformer.ReferenceTransformer"/>), with a temperature column that column
/// [N, 1] (else a temperature-conditioned model's temperature is a constant of the graph); output the output column [N]. IR version 8, opset 17.
    /// </summary>
    /// <param name="stream">Where the model bytes go; left open.</param>
    public void ExportToOnnx(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ListwiseScoring.ExportToOnnx(stream, Model.ScoringModel, _weights, OutputColumnName);
    }

    /// <summary>Saves as stock ML.NET transformers over the exported graph (docs/persistence.md).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ListwiseScoring.Save(ctx, Model.ScoringModel, _weights, OutputColumnName);
}
