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
    /// The reference chain the options ask for, fitted on <paramref name="train"/>; null without a reference. Fits the
    /// <see cref="HyperDpoRankingTrainer.Options.ReferenceEstimators"/> first when they are given.
    /// </summary>
    public static ITransformer? Prepare(IHostEnvironment env, HyperDpoRankingTrainer.Options o, IDataView train, IChannel channel)
    {
        if (o.PreparedReference is not null) return o.PreparedReference;
        ITransformer[]? perObjective = o.ReferenceModels;
        if (o.ReferenceEstimators is { } estimators)
        {
            perObjective = new ITransformer[estimators.Length];
            for (int k = 0; k < estimators.Length; k++)
            {
                channel.Info(MessageSensitivity.None, $"HyperDPO: fitting the reference ranker of objective '{o.LabelColumnNames[k]}'.");
                perObjective[k] = estimators[k].Fit(train);
            }
        }
        if (perObjective is not null)
            return Build(env, perObjective, o.ReferenceScoreColumnName, o.LabelColumnNames, train);
        if (o.ReferenceModel is { } shared)
            return Build(env, Enumerable.Repeat(shared, o.LabelColumnNames.Length).ToArray(), o.ReferenceScoreColumnName, o.LabelColumnNames, train);
        return null;
    }

    /// <summary>The per-objective reference rankers fitted by <see cref="Prepare"/> (their order is that of the objectives).</summary>
    private static ITransformer Build(IHostEnvironment env, ITransformer[] references, string scoreColumn, IReadOnlyList<string> objectives, IDataView train)
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
                    $"it must be a fitted ranker such as FastTree's, or set {nameof(HyperDpoRankingTrainer.Options.ReferenceScoreColumnName)}.",
                    nameof(HyperDpoRankingTrainer.Options.ReferenceModels));
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
        var normaliser = ml.Transforms.NormalizeMeanVariance(ColumnName, fixZero: false).Fit(gathered.Transform(train));
        chain.Add(normaliser);
        chain.Add(ml.Transforms.DropColumns(copies.ToArray()).Fit(normaliser.Transform(concatenate.Transform(schemaSource))));
        return new TransformerChain<ITransformer>(chain.ToArray());
    }
}
