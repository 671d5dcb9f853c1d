using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Persistence;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Turns the user's reference rankers into the one reference column the network is trained and scored against: a vector of K
/// standardised scores, (r_k - mu_k) / sigma_k with mu and sigma taken on the training data, one per objective. The reference
/// for the trade-off w is then the score soup r_w = sum_k w_k (r_k - mu_k) / sigma_k; a single shared reference fills all K
/// entries with its own standardised score, so that r_w is that score for every w.
/// </summary>
/// <remarks>
/// The result is a <see cref="TransformerChain{TLastTransformer}"/> of stock ML.NET transformers (each reference, a copy of its
/// score, a concatenation, a mean-variance normaliser fitted on the training rows, a drop of the copies), so that
/// <c>mlContext.Model.Save</c> writes it inside the saved model and checkpoints keep it as an ordinary ML.NET model.
/// </remarks>
internal static class ReferenceScores
{
    /// <summary>The vector column (K Single values) that holds the standardised reference scores.</summary>
    public const string ColumnName = "HyperDpo.ReferenceScores";

    /// <summary>
    /// The reference chain <see cref="HyperDpoRankingTrainer.ReferenceOptions.Source"/> asks for, fitted on <paramref name="train"/>, and,
    /// when the references were fitted out of fold, the training rows' own standardised out-of-fold scores (rows x K, in the order of
    /// <paramref name="train"/>); null without a reference. A conditioned reference (<see cref="HyperDpoRankingTrainer.ReferenceOptions.ConditionedModel"/>)
    /// is wrapped as <see cref="ConditionedReference.Prepare"/> says.
    /// </summary>
    public static (ITransformer Chain, float[]? TrainingScores)? Prepare(HyperDpoRankingTrainer.Options o, IDataView train, int seed, IChannel channel) =>
        o.References.ConditionedModel is not null ? ConditionedReference.Prepare(o, train) : o.References.Source?.Prepare(o, train, seed, channel);

    /// <summary>Fits one estimator per objective on <paramref name="train"/> (and out of fold when <see cref="HyperDpoRankingTrainer.ReferenceOptions.Folds"/>
    /// asks), then builds the chain over the fitted references.</summary>
    internal static (ITransformer Chain, float[]? TrainingScores) FitAndBuild(HyperDpoRankingTrainer.Options o, IEstimator<ITransformer>[] estimators, IDataView train, int seed, IChannel channel)
    {
        var perObjective = new ITransformer[estimators.Length];
        for (int k = 0; k < estimators.Length; k++)
        {
            channel.Info(MessageSensitivity.None, $"HyperDPO: fitting the reference ranker of objective '{o.LabelColumnNames[k]}'.");
            perObjective[k] = estimators[k].Fit(train);
        }
        var outOfFold = o.References.Folds >= 2 ? OutOfFold(o, estimators, train, seed, channel) : null;
        return Build(perObjective, o.References.ScoreColumnName, o.LabelColumnNames, train, outOfFold);
    }

    /// <summary>
    /// Each training row's K reference scores from models fitted without its query: the queries are cut into
    /// <see cref="HyperDpoRankingTrainer.ReferenceOptions.Folds"/> folds, and each fold is scored by estimators fitted on the others.
    /// </summary>
    private static float[][] OutOfFold(HyperDpoRankingTrainer.Options o, IEstimator<ITransformer>[] estimators, IDataView train, int seed, IChannel channel)
    {
        var ml = new MLContext(seed);
        int k = estimators.Length;
        var rowGroups = Groups(train, o.RowGroupColumnName);
        // The split samples by a hash of the query: a key column is split by its raw value range, which a loader may leave sparse.
        const string foldColumn = ColumnName + ".Fold";
        var hashed = ml.Transforms.Conversion.Hash(foldColumn, o.RowGroupColumnName, numberOfBits: 30).Fit(train).Transform(train);
        // Scores of each query's rows in the order they come; a filtered view keeps that order, so it matches the training data's.
        var byGroup = new Dictionary<ulong, Queue<float[]>>();
        int fold = 0;
        foreach (var split in ml.Data.CrossValidationSplit(hashed, o.References.Folds, foldColumn, seed))
        {
            channel.Info(MessageSensitivity.None, $"HyperDPO: fitting the out-of-fold reference rankers of fold {++fold} of {o.References.Folds}.");
            var fitOn = ml.Data.Cache(split.TrainSet);
            var held = ml.Data.Cache(split.TestSet);
            var scores = new List<float>[k];
            var groups = Groups(held, o.RowGroupColumnName);
            for (int j = 0; j < k; j++)
                scores[j] = estimators[j].Fit(fitOn).Transform(held).GetColumn<float>(o.References.ScoreColumnName).ToList();
            for (int r = 0; r < groups!.Count; r++)
            {
                if (!byGroup.TryGetValue(groups[r], out var queue)) byGroup[groups[r]] = queue = new Queue<float[]>();
                queue.Enqueue(Enumerable.Range(0, k).Select(j => scores[j][r]).ToArray());
            }
        }
        return rowGroups.Select(g => byGroup[g].Dequeue()).ToArray();
    }


    private static List<ulong> Groups(IDataView data, string groupColumn)
    {
        var column = Data.ColumnChecks.GroupKey(data.Schema, groupColumn);
        var groups = new List<ulong>();
        using var cursor = data.GetRowCursor(new[] { column });
        var getter = Data.ColumnChecks.KeyGetter(cursor, column);
        while (cursor.MoveNext()) groups.Add(getter());
        return groups;
    }

    /// <summary>The chain over the per-objective references (their order is that of the objectives), standardised on the training
    /// rows' scores: their out-of-fold scores when given, else the references' own.</summary>
    internal static (ITransformer, float[]?) Build(ITransformer[] references, string scoreColumn, IReadOnlyList<string> objectives, IDataView train,
        float[][]? outOfFold)
    {
        var ml = new MLContext();
        var chain = new List<ITransformer>();
        var copies = new List<string>();
        IDataView schemaSource = train;
        // The same transformer given for several objectives (one shared reference) runs once.
        var distinct = references.Distinct().ToList();
        var columnOf = new Dictionary<ITransformer, string>();
        foreach (var reference in distinct)
        {
            var scored = reference.Transform(schemaSource);
            var score = scored.Schema.GetColumnOrNull(scoreColumn);
            if (score is null || score.Value.Type != NumberDataViewType.Single)
            {
                int k = Array.IndexOf(references, reference);
                throw new ArgumentException(
                    $"The reference model of objective '{objectives[k]}' adds no Single column '{scoreColumn}' (the reference score column); " +
                    $"it must be a fitted ranker such as FastTree's, or set References.ScoreColumnName.",
                    "References.Source");
            }
            string copy = $"{ColumnName}.{copies.Count}";
            var copier = ml.Transforms.CopyColumns(copy, scoreColumn).Fit(EmptyDataView.With((scoreColumn, NumberDataViewType.Single)));
            chain.Add(reference);
            chain.Add(copier);
            schemaSource = copier.Transform(scored);
            copies.Add(copy);
            columnOf[reference] = copy;
        }
        var concatenate = ml.Transforms.Concatenate(ColumnName, references.Select(r => columnOf[r]).ToArray()).Fit(schemaSource);
        chain.Add(concatenate);
        var gathered = new TransformerChain<ITransformer>(chain.ToArray());
        // Mean and standard deviation of every objective's score on the training rows; fixZero false keeps the centring.
        var rawScores = outOfFold is null ? gathered.Transform(train) : ScoresView(ml, outOfFold, references.Length);
        var normaliser = ml.Transforms.NormalizeMeanVariance(ColumnName, fixZero: false).Fit(rawScores);
        chain.Add(normaliser);
        chain.Add(ml.Transforms.DropColumns(copies.ToArray()).Fit(normaliser.Transform(concatenate.Transform(schemaSource))));
        float[]? trainingScores = outOfFold is null ? null
            : normaliser.Transform(rawScores).GetColumn<float[]>(ColumnName).SelectMany(r => r).ToArray();
        return (new TransformerChain<ITransformer>(chain.ToArray()), trainingScores);
    }

    private static IDataView ScoresView(MLContext ml, float[][] scores, int k)
    {
        var definition = SchemaDefinition.Create(typeof(ScoresRow));
        var column = definition[nameof(ScoresRow.Scores)];
        column.ColumnType = new VectorDataViewType(NumberDataViewType.Single, k);
        column.ColumnName = ColumnName;
        return ml.Data.LoadFromEnumerable(scores.Select(s => new ScoresRow { Scores = s }), definition);
    }

    private sealed class ScoresRow
    {
        public float[] Scores = [];
    }
}
