using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Language.Data;
using Microsoft.ML.HyperDpo.Language.Modeling;
using Microsoft.ML.HyperDpo.Language.Text;
using Microsoft.ML.HyperDpo.Language.Training;

namespace Microsoft.ML.HyperDpo.Language.Scoring;

/// <summary>
/// Aligns a language model on a data view of preference lists: the language model as a ranker of responses given a prompt.
/// </summary>
/// <remarks>
/// <para><b>Input and output columns</b></para>
/// <list type="table">
/// <listheader><term>Column</term><description>Type, role</description></listheader>
/// <item><term>prompt column (default <c>Prompt</c>)</term><description>Text: the prompt.</description></item>
/// <item><term>responses column (default <c>Responses</c>)</term><description>Vector of text: the candidate responses.</description></item>
/// <item><term>one column per objective (named as the objective)</term><description>Vector of Single, one score per response, higher is better (for <c>Fit</c> only).</description></item>
/// <item><term><c>Score</c> (output)</term><description>Vector of Single: each response's implicit reward at the transformer's weights.</description></item>
/// </list>
/// <para><b>Trainer characteristics</b>: listwise Plackett-Luce DPO per objective, weights drawn from a Dirichlet per list,
/// Hyper Prompt Tuning by default (only the prompt generator trains); see <see cref="LanguageAlignmentTrainer"/>.</para>
/// </remarks>
public sealed class ResponseRankingEstimator : IEstimator<ResponseRankingTransformer>
{
    private readonly MLContext _context;
    private readonly Gpt2LanguageModel _model;
    private readonly LanguageTokenizer _tokenizer;
    private readonly LanguageAlignmentOptions _options;
    private readonly string _promptColumn;
    private readonly string _responsesColumn;

    /// <summary>Creates the estimator.</summary>
    /// <param name="context">The ML.NET context.</param>
    /// <param name="baseModel">The base language model (frozen, also the reference).</param>
    /// <param name="tokenizer">Its tokenizer.</param>
    /// <param name="options">Alignment options; <see cref="LanguageAlignmentOptions.Objectives"/> name the score columns.</param>
    /// <param name="promptColumn">The prompt column.</param>
    /// <param name="responsesColumn">The responses column.</param>
    public ResponseRankingEstimator(MLContext context, Gpt2LanguageModel baseModel, LanguageTokenizer tokenizer, LanguageAlignmentOptions options,
        string promptColumn = "Prompt", string responsesColumn = "Responses")
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _model = baseModel ?? throw new ArgumentNullException(nameof(baseModel));
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _promptColumn = promptColumn;
        _responsesColumn = responsesColumn;
    }

    /// <summary>Reads the lists of the data view and aligns the model on them.</summary>
    /// <param name="input">Rows with the prompt, responses and objective columns.</param>
    public ResponseRankingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ResponseRankingTransformer.CheckInput(input.Schema, _promptColumn, _responsesColumn);
        foreach (string objective in _options.Objectives)
        {
            var column = input.Schema.GetColumnOrNull(objective)
                ?? throw new ArgumentOutOfRangeException(nameof(input), $"Objective column '{objective}' is missing (a vector of Single, one score per response).");
            if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType n } || n != NumberDataViewType.Single)
                throw new ArgumentOutOfRangeException(nameof(input), $"Objective column '{objective}' is {column.Type}; expected a vector of Single.");
        }
        var lists = new List<PreferenceList>();
        var columns = new[] { input.Schema[_promptColumn], input.Schema[_responsesColumn] }.Concat(_options.Objectives.Select(o => input.Schema[o])).ToArray();
        using (var cursor = input.GetRowCursor(columns))
        {
            var prompt = cursor.GetGetter<ReadOnlyMemory<char>>(input.Schema[_promptColumn]);
            var responses = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(input.Schema[_responsesColumn]);
            var scores = _options.Objectives.Select(o => cursor.GetGetter<VBuffer<float>>(input.Schema[o])).ToArray();
            ReadOnlyMemory<char> p = default;
            VBuffer<ReadOnlyMemory<char>> r = default;
            VBuffer<float> s = default;
            long row = 0;
            while (cursor.MoveNext())
            {
                prompt(ref p);
                responses(ref r);
                var texts = r.DenseValues().Select(x => x.ToString()).ToArray();
                var byObjective = new Dictionary<string, double[]>();
                for (int k = 0; k < scores.Length; k++)
                {
                    scores[k](ref s);
                    byObjective[_options.Objectives[k]] = s.DenseValues().Select(v => (double)v).ToArray();
                }
                var list = new PreferenceList($"row {row++}", p.ToString(), texts, byObjective);
                list.Validate(_options.Objectives);
                lists.Add(list);
            }
        }
        var aligned = LanguageAlignmentTrainer.Fit(_model, _tokenizer, lists, _options);
        var weights = _options.FixedWeights ?? Enumerable.Repeat(1f / _options.Objectives.Count, _options.Objectives.Count).ToArray();
        return new ResponseRankingTransformer(_context, aligned, weights, _promptColumn, _responsesColumn);
    }

    /// <summary>The output schema: the input's columns and <c>Score</c>, a vector of Single.</summary>
    /// <param name="inputSchema">The input's shape.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var prompt = inputSchema.FirstOrDefault(c => c.Name == _promptColumn);
        if (prompt.Name is null || prompt.ItemType != TextDataViewType.Instance || prompt.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Prompt column '{_promptColumn}' must be a text column.");
        var responses = inputSchema.FirstOrDefault(c => c.Name == _responsesColumn);
        if (responses.Name is null || responses.ItemType != TextDataViewType.Instance || responses.Kind == SchemaShape.Column.VectorKind.Scalar)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Responses column '{_responsesColumn}' must be a vector of text.");
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[ResponseRankingTransformer.ScoreColumn] = ColumnShapes.Of(ResponseRankingTransformer.ScoreColumn, new VectorDataViewType(NumberDataViewType.Single));
        return new SchemaShape(columns.Values);
    }
}
