using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.HyperDpo.Modeling;
using Microsoft.ML.HyperDpo.Scoring;
using Microsoft.ML.HyperDpo.Scoring.Onnx;
using Microsoft.ML.Transforms.Onnx;
using System.Text.Json.Serialization;

namespace Microsoft.ML.HyperDpo.Persistence;

/// <summary>
/// The stock ML.NET transformer a HyperDPO transformer saves itself as: ML.NET keeps its save and load machinery
/// internal (docs/persistence.md), so <c>Save</c> hands the model zip to an <see cref="OnnxTransformer"/> over the
/// exported graph, and that is what <c>mlContext.Model.Load</c> gives back.
/// </summary>
/// <remarks>
/// The saved form is a <c>TransformerChain</c> of stock transformers:
/// <list type="number">
/// <item><description>with a reference: its chain of stock transformers (<see cref="ReferenceScores"/>: the reference models and the
/// standardisation of their scores), whose vector of K reference scores is read by the graph;</description></item>
/// <item><description>the OnnxTransformer: inputs the feature column, the weights column (for a <see cref="WeightedScoreTransformer"/>)
/// and the reference copy; output <see cref="RawScoreColumn"/>, a vector of one Single (OnnxTransformer writes only vectors);</description></item>
/// <item><description>a linear regression model with weight 1 and bias 0 that turns it into the Single <c>Score</c> column
/// (<see cref="MlNetInternals.ScalarScore"/>), then a copy to the output column when that is not <c>Score</c>;</description></item>
/// <item><description>a drop of the temporary columns.</description></item>
/// </list>
/// <para>The graph's metadata also holds what <see cref="HyperDpoModelLoader"/> needs to rebuild the HyperDPO transformer:
/// <see cref="DescriptionKey"/> (a JSON <see cref="Description"/>) and <see cref="NetworkKey"/> (the network's state
/// dictionary, <see cref="NetworkStateFormat"/>, base64). Stock ML.NET and ONNX Runtime ignore both.</para>
/// <para>Versions of the description: 1, the first; 2 adds the trained temperature range, the temperature and the temperature column
/// of a temperature-conditioned model, and the flag of a network that reads the reference scores as inputs (written only for such
/// models; any other model is still written as version 1); 3 adds the flag of a conditioned reference r(x, w), whose saved chain is
/// the transformer that writes the weights followed by the reference chain (written only for such models); 4 adds the flag of a network
/// that re-weights its references (<see cref="ReferenceReweighting.PerObjective"/>: its state also holds the re-weighting's layers;
/// written only for such models).</para>
/// </remarks>
internal static class SavedForm
{
    /// <summary>The temporary one-value vector column the graph writes.</summary>
    public const string RawScoreColumn = "HyperDpo.RawScore";

    public static void Save(ModelSaveContext ctx, ConditionedScoringModel model, ObjectiveWeightSource weights, string outputColumn)
    {
        // ONNX Runtime reads a graph from a file. ML.NET's OnnxTransformer, given the graph as bytes or a stream, writes it to
        // a file of the temporary folder that nothing deletes; given a file, it leaves the file to its owner: this method.
        string graphFile = Path.Combine(Path.GetTempPath(), $"hyperdpo-saved-form-{Guid.NewGuid():N}.onnx");
        try
        {
            var form = Build(model, weights, outputColumn, graphFile);
            try
            {
                ((ICanSaveModel)form).Save(ctx);
            }
            finally
            {
                // Only the OnnxTransformer is disposed: the chain also holds the caller's reference model, which stays in use.
                foreach (var onnx in ((TransformerChain<ITransformer>)form).OfType<OnnxTransformer>()) onnx.Dispose();
            }
        }
        finally
        {
            File.Delete(graphFile);
        }
    }

    /// <summary>The graph metadata key of the saved form's description.</summary>
    public const string DescriptionKey = "hyperdpo.saved_form";

    /// <summary>The graph metadata key of the network's state dictionary.</summary>
    public const string NetworkKey = "hyperdpo.network";

    /// <summary>The graph metadata key of the hex SHA-256 of the description's UTF-8 bytes, a zero byte, and the network's bytes.</summary>
    public const string ChecksumKey = "hyperdpo.sha256";

    /// <summary>The newest version of <see cref="Description"/>; versions 1 to 4 are read.</summary>
    public const int Version = 4;

    /// <summary>How the HyperDPO transformer was configured, besides its network.</summary>
    /// <param name="Version">The description's version.</param>
    /// <param name="Objectives">The objectives, in weight order.</param>
    /// <param name="FeatureColumn">The feature column.</param>
    /// <param name="ObjectiveWeights">The fixed weights of a <see cref="HyperDpoRankingTransformer"/>; null for a weights column.</param>
    /// <param name="WeightsColumn">The weights column of a <see cref="WeightedScoreTransformer"/>; null for fixed weights.</param>
    /// <param name="OutputColumn">The score column.</param>
    /// <param name="ReferenceScoreColumn">The column the reference model writes its score to; null without a reference model.</param>
    /// <param name="Conditioning">The network's <see cref="ConditioningKind"/>, by name.</param>
    /// <param name="FeatureCount">The network's feature count.</param>
    /// <param name="ConditionWidth">The length of the conditioning vector the network reads.</param>
    /// <param name="HiddenSizes">The widths of its hidden layers.</param>
    /// <param name="TemperatureRange">The trained temperature range [min, max] of a temperature-conditioned model (version 2); null otherwise.</param>
    /// <param name="Temperature">Such a model's temperature (version 2).</param>
    /// <param name="TemperatureColumn">The temperature column of a <see cref="WeightedScoreTransformer"/> that has one (version 2).</param>
    /// <param name="ReferenceInputs">True when the network reads the K reference scores after the features (its feature count includes them).</param>
    /// <param name="ReferenceReadsWeights">True when the reference is conditioned: the saved chain's first part is the transformer that writes
    /// the weights, then the reference chain (version 3).</param>
    /// <param name="ReweightsReferences">True when the network re-weights its K references (version 4).</param>
    public sealed record Description(int Version, string[] Objectives, string FeatureColumn, float[]? ObjectiveWeights, string? WeightsColumn,
        string OutputColumn, string? ReferenceScoreColumn, string Conditioning, int FeatureCount, int ConditionWidth, int[] HiddenSizes,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] float[]? TemperatureRange = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] float? Temperature = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TemperatureColumn = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool ReferenceInputs = false,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool ReferenceReadsWeights = false,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool ReweightsReferences = false)
    {
        /// <summary>The number of transformers of the saved chain (see the remarks of <see cref="SavedForm"/>).</summary>
        public int ChainLength => (ReferenceScoreColumn is null ? 0 : 1) + 3 + (OutputColumn == "Score" ? 0 : 1);
    }

    private static Dictionary<string, string> Describe(ConditionedScoringModel model, ObjectiveWeightSource weights, string outputColumn)
    {
        // Only row-wise (MLP) networks have this saved form; a listwise model is refused before it gets here.
        if (model.Network is not ConditionedScorer net)
            throw new NotSupportedException($"A {model.Network.GetType().Name} network has no ML.NET saved form; save it with HyperDpoCheckpoint.Save.");
        bool tempered = model.TemperatureRange is not null;
        // Version 1 readers know neither a temperature nor reference inputs: such a model is version 2 so that they refuse it.
        // Readers of versions 1 and 2 know no conditioned reference: such a model is version 3 so that they refuse it.
        // Readers of versions 1 to 3 know no re-weighting, which they would drop silently: such a model is version 4.
        bool reweights = net.ReweightedObjectives > 0;
        var description = new Description(reweights ? 4 : model.ReferenceReadsWeights ? 3 : tempered || model.ReferenceInputs ? 2 : 1, model.Objectives.ToArray(), model.FeatureColumnName, weights.FixedWeights, weights.ColumnName,
            outputColumn, model.Reference is null ? null : model.ReferenceScoreColumnName, net.Kind.ToString(), net.FeatureCount, net.ConditionWidth, net.HiddenSizes.ToArray(),
            model.TemperatureRange, tempered ? weights.Temperature : null, weights.TemperatureColumnName, model.ReferenceInputs, model.ReferenceReadsWeights, reweights);
        using var network = new MemoryStream();
        NetworkStateFormat.Write(network, net);
        string json = System.Text.Json.JsonSerializer.Serialize(description);
        return new Dictionary<string, string>
        {
            [DescriptionKey] = json,
            [NetworkKey] = Convert.ToBase64String(network.ToArray()),
            [ChecksumKey] = Checksum(json, network.ToArray()),
        };
    }

    private static string Checksum(string description, byte[] network) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([.. System.Text.Encoding.UTF8.GetBytes(description), 0, .. network]));

    /// <summary>Builds the stock transformer (see the remarks), its graph written to <paramref name="graphFile"/>, which the caller deletes.</summary>
    private static ITransformer Build(ConditionedScoringModel model, ObjectiveWeightSource weights, string outputColumn, string graphFile)
    {
        var ml = new MLContext();
        string? reference = model.Reference is null ? null : model.ReferenceScoreColumnName;
        using (var graph = new FileStream(graphFile, FileMode.CreateNew, FileAccess.Write))
            OnnxScoringGraph.Write(graph, model.Parameters, model.Objectives, model.FeatureColumnName, weights, reference, RawScoreColumn,
                Describe(model, weights, outputColumn), model.TemperatureRange, model.ReferenceInputs);

        var columns = new List<(string Name, DataViewType Type)> { (model.FeatureColumnName, new VectorDataViewType(NumberDataViewType.Single, model.FeatureCount)) };
        if (weights.ColumnName is { } w) columns.Add((w, new VectorDataViewType(NumberDataViewType.Single, model.Objectives.Count)));
        if (weights.TemperatureColumnName is { } t) columns.Add((t, NumberDataViewType.Single));
        var referenceType = new VectorDataViewType(NumberDataViewType.Single, model.Objectives.Count);
        if (reference is not null) columns.Add((reference, referenceType));
        var chain = new List<ITransformer>();
        if (model.ReferenceFor(weights) is { } referenceChain)
            chain.Add(referenceChain);
        chain.Add(ml.Transforms.ApplyOnnxModel(new[] { RawScoreColumn }, columns.Select(c => c.Name).ToArray(), graphFile).Fit(EmptyDataView.With(columns.ToArray())));
        chain.Add(MlNetInternals.ScalarScore((IHostEnvironment)ml, RawScoreColumn));
        if (outputColumn != "Score")
            chain.Add(ml.Transforms.CopyColumns(outputColumn, "Score").Fit(EmptyDataView.With(("Score", NumberDataViewType.Single))));
        var temporary = reference is null ? new[] { (RawScoreColumn, (DataViewType)NumberDataViewType.Single) }
            : new[] { (RawScoreColumn, (DataViewType)NumberDataViewType.Single), (reference, referenceType) };
        chain.Add(ml.Transforms.DropColumns(temporary.Select(c => c.Item1).ToArray()).Fit(EmptyDataView.With(temporary)));
        return new TransformerChain<ITransformer>(chain.ToArray());
    }

    /// <summary>
    /// The HyperDPO transformer a loaded chain is the saved form of, scoring with the managed forward pass; null when
    /// <paramref name="parts"/> is not a saved form written with a description (another chain, or a model saved by a
    /// version of this library that wrote none).
    /// </summary>
    /// <exception cref="InvalidDataException">The chain is a saved form whose description, network or structure is invalid.</exception>
    public static ITransformer? TryRebuild(IReadOnlyList<ITransformer> parts, IHostEnvironment env)
    {
        var onnx = parts.OfType<OnnxTransformer>().FirstOrDefault();
        if (onnx is null) return null;
        var header = OnnxModelHeader.Read(OnnxBytes(onnx));
        if (!header.Metadata.TryGetValue(DescriptionKey, out var json)) return null;
        // The rebuilt transformer scores without the loaded OnnxTransformer, which holds its graph in a temporary file until disposed.
        try
        {
            return Rebuild(parts, env, onnx, header, json);
        }
        finally
        {
            onnx.Dispose();
        }
    }

    private static ITransformer Rebuild(IReadOnlyList<ITransformer> parts, IHostEnvironment env, OnnxTransformer onnx, OnnxModelHeader header, string json)
    {
        byte[] networkBytes;
        try
        {
            networkBytes = Convert.FromBase64String(header.Metadata.GetValueOrDefault(NetworkKey, ""));
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"its network is not valid base64 ({e.Message})", e);
        }
        // The zip's own checks do not cover every byte ML.NET reads, so the saved form carries its own checksum.
        if (header.Metadata.GetValueOrDefault(ChecksumKey) != Checksum(json, networkBytes))
            throw new InvalidDataException("its HyperDPO description or network does not match its SHA-256 checksum (the file is corrupt)");
        Description description;
        try
        {
            description = System.Text.Json.JsonSerializer.Deserialize<Description>(json)
                ?? throw new InvalidDataException("its description is empty");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"its description is not valid JSON ({e.Message})", e);
        }
        if (description.Version is < 1 or > Version)
            throw new InvalidDataException($"its saved form has version {description.Version}; this library reads versions 1 to {Version}");
        if (description.TemperatureRange is { } savedRange && (savedRange.Length != 2 || !savedRange.All(b => float.IsFinite(b) && b > 0) || savedRange[0] > savedRange[1]
            || description.Temperature is not float savedTemperature || savedTemperature < savedRange[0] || savedTemperature > savedRange[1]))
            throw new InvalidDataException($"its temperature range [{string.Join(", ", savedRange)}] or temperature {description.Temperature} is invalid");
        if (description.Objectives is not { Length: > 0 } || string.IsNullOrEmpty(description.FeatureColumn) || string.IsNullOrEmpty(description.OutputColumn)
            || (description.ObjectiveWeights is null) == (description.WeightsColumn is null))
            throw new InvalidDataException("its description lacks the objectives, the columns or the source of the weights");
        if (description.ReferenceInputs && (description.ReferenceScoreColumn is null || description.FeatureCount <= description.Objectives.Length))
            throw new InvalidDataException("its description says the network reads reference scores, but it has no reference or too few inputs for them");
        if (description.ReweightsReferences && (description.ReferenceScoreColumn is null || description.ReferenceInputs || description.ReferenceReadsWeights))
            throw new InvalidDataException("its description says the network re-weights its references, but it has no per-objective references to re-weight");
        int at = description.ReferenceScoreColumn is null ? 0 : 1;
        if (parts.Count != description.ChainLength || !ReferenceEquals(parts[at], onnx))
            throw new InvalidDataException($"its chain has {parts.Count} transformers with the graph at {parts.ToList().IndexOf(onnx)}; the description says {description.ChainLength} with the graph at {at}");

        var reference = description.ReferenceScoreColumn is null ? null : parts[0];
        if (description.ReferenceReadsWeights)
        {
            // The saved chain is (weights writer, reference chain); the rebuilt model writes its own weights before the reference.
            if (reference is not TransformerChain<ITransformer> saved || saved.Count() != 2 || description.ReferenceInputs)
                throw new InvalidDataException("its description says the reference is conditioned, but its reference part is not the weights writer followed by the reference chain");
            reference = saved.Last();
        }
        var network = Network(description, networkBytes);
        var model = new ConditionedScoringModel(network, TorchSharp.torch.CPU, description.FeatureColumn, description.Objectives,
            reference, description.ReferenceScoreColumn ?? "",
            // A row-wise network never reads the group column.
            groupColumnName: "GroupId", description.TemperatureRange, description.ReferenceInputs, description.ReferenceReadsWeights);
        if (network.ConditionWidth != ConditionVector.Width(description.Objectives.Length, description.TemperatureRange is not null))
            throw new InvalidDataException($"its network reads {network.ConditionWidth} conditioning values; {description.Objectives.Length} objectives" +
                (description.TemperatureRange is null ? "" : " and a temperature") + " make " + ConditionVector.Width(description.Objectives.Length, description.TemperatureRange is not null));
        var hyper = new HyperDpoRankingTransformer(env.Register(nameof(HyperDpoRankingTransformer)), model,
            CheckedWeights(description.ObjectiveWeights ?? Enumerable.Repeat(1f, description.Objectives.Length).ToArray(), description.Objectives.Length), report: null,
            temperature: description.Temperature);
        return description.WeightsColumn is { } column ? new WeightedScoreTransformer(hyper, column, description.OutputColumn, description.TemperatureColumn) : hyper;
    }

    /// <summary>The network the description names, with the saved state loaded (names and shapes checked).</summary>
    private static ConditionedScorer Network(Description description, byte[] state)
    {
        if (!Enum.TryParse<ConditioningKind>(description.Conditioning, out var kind) || !Enum.IsDefined(kind))
            throw new InvalidDataException($"its network has the conditioning '{description.Conditioning}', which this version of the library does not know");
        int f = description.FeatureCount, c = description.ConditionWidth;
        var hidden = description.HiddenSizes ?? Array.Empty<int>();
        // The state holds every parameter, so a description that asks for more than the state could hold is corrupt
        // (and must not make this allocate a huge network).
        if (f < 1 || c < 1 || hidden.Length == 0 || hidden.Any(h => h < 1)
            || RankingNetworks.LeastParameters(RankerArchitecture.Mlp, f, hidden, 0) > state.Length / 4.0)
            throw new InvalidDataException($"its network description ({f} features, condition width {c}, hidden sizes [{string.Join(", ", hidden)}]) does not fit its {state.Length}-byte state");
        if (description.ReweightsReferences && description.Objectives.Length > c)
            throw new InvalidDataException($"its network re-weights {description.Objectives.Length} references but reads only {c} conditioning values");
        var network = new ConditionedScorer(f, c, hidden, 0f, kind, new float[f], Enumerable.Repeat(1f, f).ToArray(),
            description.ReweightsReferences ? description.Objectives.Length : 0);
        try
        {
            using var stream = new MemoryStream(state);
            NetworkStateFormat.ReadInto(stream, network);
        }
        catch
        {
            network.Dispose();
            throw;
        }
        network.eval();
        return network;
    }

    private static float[] CheckedWeights(float[] weights, int objectives)
    {
        try
        {
            return ObjectiveWeights.Normalize(weights, objectives, "ObjectiveWeights");
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"its objective weights are invalid ({e.Message})", e);
        }
    }

    /// <summary>
    /// The ONNX model an OnnxTransformer holds, read from its own saved form (an ML.NET zip with an <c>OnnxModel</c>
    /// entry: int32 length, then the bytes): OnnxTransformer has no public accessor for it.
    /// </summary>
    private static byte[] OnnxBytes(OnnxTransformer onnx)
    {
        using var zip = new MemoryStream();
        new MLContext().Model.Save(onnx, null, zip);
        zip.Position = 0;
        using var archive = new System.IO.Compression.ZipArchive(zip, System.IO.Compression.ZipArchiveMode.Read);
        var entry = archive.Entries.FirstOrDefault(e => e.Name == "OnnxModel")
            ?? throw new InvalidDataException("its OnnxTransformer saved no OnnxModel entry");
        using var stream = entry.Open();
        using var reader = new BinaryReader(stream);
        int length = reader.ReadInt32();
        var bytes = reader.ReadBytes(length);
        return bytes.Length == length ? bytes : throw new InvalidDataException("its OnnxModel entry ends early");
    }
}
