using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo.Language.Scoring;

/// <summary>
/// Scores each row's responses with an aligned language model at chosen objective weights: adds <c>Score</c>, a vector
/// of Single with each response's implicit reward beta * (log pi(y | x; w) - log pi_ref(y | x)). Lazy: rows are scored as
/// they are read. <see cref="WithObjectiveWeights"/> moves along the front without retraining.
/// </summary>
/// <remarks>Persist the model with <see cref="Persistence.AlignedModelFile"/>; ML.NET's model zip is not supported for it.</remarks>
public sealed class ResponseRankingTransformer : ITransformer
{
    /// <summary>The output column's name.</summary>
    public const string ScoreColumn = "Score";

    private readonly MLContext _context;
    private readonly string _promptColumn;
    private readonly string _responsesColumn;
    private readonly ITransformer _mapping;

    internal ResponseRankingTransformer(MLContext context, AlignedLanguageModel model, float[] weights, string promptColumn, string responsesColumn)
    {
        _context = context;
        Model = model;
        _promptColumn = promptColumn;
        _responsesColumn = responsesColumn;
        ObjectiveWeights = (float[])weights.Clone();
        var inputDefinition = SchemaDefinition.Create(typeof(Input));
        inputDefinition[nameof(Input.Prompt)].ColumnName = promptColumn;
        inputDefinition[nameof(Input.Responses)].ColumnName = responsesColumn;
        var frozen = (float[])weights.Clone();
        var estimator = context.Transforms.CustomMapping<Input, Output>((input, output) =>
        {
            var list = new Data.PreferenceList("row", input.Prompt ?? "", input.Responses ?? Array.Empty<string>(), new Dictionary<string, double[]>());
            output.Score = list.Responses.Count == 0 ? Array.Empty<float>() : model.ImplicitRewards(new[] { list }, frozen, cacheReference: false)[0];
        }, contractName: null, inputSchemaDefinition: inputDefinition);
        _mapping = estimator.Fit(context.Data.LoadFromEnumerable(Array.Empty<Input>(), inputDefinition));
    }

    /// <summary>The aligned language model.</summary>
    public AlignedLanguageModel Model { get; }

    /// <summary>The objective weights the scores are computed at.</summary>
    public IReadOnlyList<float> ObjectiveWeights { get; }

    /// <summary>A transformer over the same model at other weights (no retraining).</summary>
    /// <param name="weights">One weight per objective, on the simplex.</param>
    public ResponseRankingTransformer WithObjectiveWeights(params float[] weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Length != Model.Objectives.Count || weights.Any(w => !(w >= 0)) || Math.Abs(weights.Sum() - 1) > 1e-3)
            throw new ArgumentException($"Give {Model.Objectives.Count} non-negative weights summing to 1 ({string.Join(", ", Model.Objectives)}).", nameof(weights));
        return new ResponseRankingTransformer(_context, Model, weights, _promptColumn, _responsesColumn);
    }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => _mapping.IsRowToRowMapper;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema, _promptColumn, _responsesColumn);
        return _mapping.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => _mapping.GetRowToRowMapper(inputSchema);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Schema, _promptColumn, _responsesColumn);
        return _mapping.Transform(input);
    }

    /// <summary>Not supported: save the model with <see cref="Persistence.AlignedModelFile.Save"/>.</summary>
    /// <param name="ctx">Unused.</param>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException("A ResponseRankingTransformer is saved with AlignedModelFile.Save(directory, transformer.Model), not in an ML.NET model zip.");

    internal static void CheckInput(DataViewSchema schema, string promptColumn, string responsesColumn)
    {
        var prompt = schema.GetColumnOrNull(promptColumn);
        if (prompt is null || prompt.Value.Type != TextDataViewType.Instance)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Prompt column '{promptColumn}' must be a text column; it is {(prompt is null ? "missing" : prompt.Value.Type.ToString())}.");
        var responses = schema.GetColumnOrNull(responsesColumn);
        if (responses is null || responses.Value.Type is not VectorDataViewType { ItemType: TextDataViewType })
            throw new ArgumentOutOfRangeException(nameof(schema), $"Responses column '{responsesColumn}' must be a vector of text; it is {(responses is null ? "missing" : responses.Value.Type.ToString())}.");
    }

    internal sealed class Input
    {
        public string Prompt { get; set; } = "";

        public string[] Responses { get; set; } = Array.Empty<string>();
    }

    internal sealed class Output
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }
}
