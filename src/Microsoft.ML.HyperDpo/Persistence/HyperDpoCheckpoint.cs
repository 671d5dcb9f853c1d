using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML.HyperDpo.Modeling;
using Microsoft.ML.HyperDpo.Persistence;
using Microsoft.ML.HyperDpo.Scoring;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// A versioned training checkpoint of a HyperDPO model: network weights, feature standardisation, optimiser state,
/// trainer options, objective names and weights, and the reference model. Load one to score with it
/// (<see cref="Model"/>) or to continue training (<see cref="HyperDpoRankingTrainer.CheckpointingOptions.StartFrom"/>).
/// </summary>
/// <remarks>
/// <para>A checkpoint is a zip archive (format version <see cref="FormatVersion"/>, described with its version history
/// in docs/persistence.md): <c>checkpoint.json</c> (the manifest, with a SHA-256 of every other entry),
/// <c>network.bin</c> (the network's tensors as plain float32 records), <c>optimizer.bin</c> (TorchSharp's own
/// serialisation of the AdamW state) and, with a reference model, <c>reference.zip</c> (an ML.NET model zip).</para>
/// <para>Loading runs no code from the file: the manifest is JSON, the tensors are numbers read into a network whose
/// architecture the library builds itself, and the reference model is read by ML.NET's loader, which only
/// instantiates ML.NET component types already loaded in the process. A file of another format version, or one whose
/// entries do not match their checksums, is refused with an <see cref="InvalidDataException"/> naming the file.</para>
/// </remarks>
public sealed class HyperDpoCheckpoint
{
    /// <summary>The checkpoint format version this library writes and reads.</summary>
    public const int FormatVersion = 2;

    private const string ManifestEntry = "checkpoint.json";
    private const string NetworkEntry = "network.bin";
    private const string OptimizerEntry = "optimizer.bin";
    private const string ReferenceEntry = "reference.zip";
    private const string RandomEntry = "random.bin";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The largest manifest read (16 MiB): it is JSON of a few kilobytes.</summary>
    private const long MaxManifestBytes = 16 << 20;

    private readonly HyperDpoRankingTrainer.Options _options;

    private HyperDpoCheckpoint(string path, HyperDpoRankingTransformer model, HyperDpoRankingTrainer.Options options, byte[]? optimizerState, int epochsCompleted, int epochsBeforeFit, int fitEpochs)
    {
        _path = path;
        Model = model;
        _options = options;
        OptimizerState = optimizerState;
        EpochsCompleted = epochsCompleted;
        _epochsBeforeFit = epochsBeforeFit;
        _fitEpochs = fitEpochs > 0 ? fitEpochs : options.Optimiser.NumberOfEpochs;
    }

    private readonly int _epochsBeforeFit, _fitEpochs;

    /// <summary>The full path this checkpoint was loaded from: the only path <see cref="ResumeOptions"/> writes to.</summary>
    private readonly string _path;

    /// <summary>The model, ready to score at the weights it was saved with.</summary>
    public HyperDpoRankingTransformer Model { get; }

    /// <summary>The objectives, in the order of the weights.</summary>
    public IReadOnlyList<string> Objectives => Model.Objectives;

    /// <summary>Features per row the network takes.</summary>
    public int FeatureCount => Model.FeatureCount;

    /// <summary>How the network is conditioned on the weights.</summary>
    public ConditioningKind Conditioning => _options.Network.Conditioning;

    /// <summary>The hidden layer widths.</summary>
    public IReadOnlyList<int> HiddenSizes => _options.Network.HiddenSizes;

    /// <summary>Epochs trained in total, over every fit that led to this checkpoint.</summary>
    public int EpochsCompleted { get; }

    /// <summary>Steps run of the epoch after <see cref="EpochsCompleted"/>: non-zero for a checkpoint written in the middle of an
    /// epoch (<see cref="HyperDpoRankingTrainer.CheckpointingOptions.StepInterval"/>, <see cref="HyperDpoRankingTrainer.CheckpointingOptions.Seconds"/>).</summary>
    public int StepsIntoEpoch => Model.TrainingState?.StepsIntoEpoch ?? 0;

    /// <summary>True when the checkpoint holds the optimiser's state, so that a resumed fit continues AdamW's moments.</summary>
    public bool HasOptimizerState => OptimizerState is not null;

    /// <summary>The reference chain saved with the checkpoint (<see cref="HyperDpoRankingTransformer.ReferenceTransformer"/>), or null.</summary>
    public ITransformer? ReferenceModel => Model.ScoringModel.Reference;

    /// <summary>
    /// A copy of the options the model was trained with, with <see cref="HyperDpoRankingTrainer.CheckpointingOptions.StartFrom"/>
    /// set to this checkpoint and its saved references as <see cref="HyperDpoRankingTrainer.ReferenceOptions.Source"/>: change the
    /// data-dependent ones (epochs, learning rate) and pass it to <c>mlContext.Ranking.Trainers.HyperDpo</c> to continue training. Its
    /// <see cref="HyperDpoRankingTrainer.CheckpointingOptions.Path"/> is null: a checkpoint stores no path, so a fine-tuning fit
    /// writes checkpoints only where its caller sets one.
    /// </summary>
    public HyperDpoRankingTrainer.Options TrainerOptions
    {
        get
        {
            var o = _options.Clone();
            o.References.Source = ReferenceModel is { } reference ? ReferenceSource.Saved(reference) : null;
            o.Checkpointing.StartFrom = this;
            o.Checkpointing.Resume = false;
            o.Checkpointing.Path = null;
            return o;
        }
    }

    /// <summary>
    /// The options that finish the fit this checkpoint was written by (<see cref="HyperDpoRankingTrainer.CheckpointingOptions.Path"/>):
    /// <see cref="TrainerOptions"/> with <see cref="HyperDpoRankingTrainer.OptimiserOptions.NumberOfEpochs"/> set to the epochs that fit
    /// had still to run (an epoch it was in the middle of included; 0 when it had finished) and
    /// <see cref="HyperDpoRankingTrainer.CheckpointingOptions.Resume"/> set, so that its learning-rate schedule,
    /// list order and sampled weights continue where it stopped, at the next step when the checkpoint was written in the middle
    /// of an epoch. The resumed fit keeps writing checkpoints to the file this checkpoint was loaded from (the path given to
    /// <see cref="Load"/>, never one stored in the file), so it can be resumed in turn. What it does not
    /// restore: the early-stopping history, dropout's random stream and the parameter average of the interrupted fit.
    /// </summary>
    public HyperDpoRankingTrainer.Options ResumeOptions
    {
        get
        {
            var o = TrainerOptions;
            o.Optimiser.NumberOfEpochs = Math.Max(0, _fitEpochs - (EpochsCompleted - _epochsBeforeFit));
            o.Checkpointing.Resume = true;
            o.Checkpointing.Path = _path;
            return o;
        }
    }

    /// <summary>Where the fit that wrote this checkpoint stopped, for a fit that continues it.</summary>
    internal ResumedFit Interrupted => new(_epochsBeforeFit, _fitEpochs, EpochsCompleted - _epochsBeforeFit, Model.TrainingState?.RandomState, StepsIntoEpoch);

    internal byte[]? OptimizerState { get; }
    /// <summary>The feature standardisation (mean, scale) of the checkpoint's network.</summary>
    internal (float[] Mean, float[] Scale) Standardization
    {
        get
        {
            var state = Model.ScoringModel.Network.Module.state_dict();
            return (Modeling.Conditioning.LinearExport.Read(state["feature_mean"]), Modeling.Conditioning.LinearExport.Read(state["feature_scale"]));
        }
    }

    /// <summary>Copies the checkpoint's network weights into a freshly built network of the same architecture.</summary>
    internal void CopyNetworkInto(IRankingNetwork target)
    {
        using var memory = new MemoryStream();
        NetworkStateFormat.Write(memory, Model.ScoringModel.Network.Module);
        memory.Position = 0;
        NetworkStateFormat.ReadInto(memory, target.Module);
    }

    /// <summary>
    /// Writes a checkpoint of <paramref name="model"/> to <paramref name="path"/>, atomically (a temporary file in the
    /// same folder, then a rename): a failed save leaves an existing file as it was.
    /// </summary>
    /// <param name="model">A model fitted by <see cref="HyperDpoRankingTrainer"/> or loaded from a checkpoint.</param>
    /// <param name="path">The checkpoint file.</param>
    /// <exception cref="InvalidOperationException">The model's reference model cannot be saved by ML.NET.</exception>
    public static void Save(HyperDpoRankingTransformer model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var state = model.TrainingState
            ?? throw new InvalidOperationException("This HyperDPO model carries no training state to checkpoint.");
        var entries = new Dictionary<string, byte[]>();
        using (var network = new MemoryStream())
        {
            NetworkStateFormat.Write(network, model.ScoringModel.Network.Module);
            entries[NetworkEntry] = network.ToArray();
        }
        if (state.OptimizerState is not null) entries[OptimizerEntry] = state.OptimizerState;
        if (state.RandomState is not null) entries[RandomEntry] = state.RandomState;
        if (model.ScoringModel.Reference is { } reference)
            using (var zip = new MemoryStream())
            {
                new MLContext().Model.Save(reference, null, zip);
                entries[ReferenceEntry] = zip.ToArray();
            }
        var manifest = new CheckpointManifest
        {
            Version = FormatVersion,
            Library = typeof(HyperDpoCheckpoint).Assembly.GetName().Version?.ToString() ?? "",
            Created = DateTimeOffset.UtcNow,
            Objectives = model.Objectives.ToArray(),
            FeatureColumnName = model.FeatureColumnName,
            FeatureCount = model.FeatureCount,
            ObjectiveWeights = model.ObjectiveWeights.ToArray(),
            Temperature = model.Temperature,
            EpochsCompleted = state.EpochsCompleted,
            EpochsBeforeFit = state.EpochsBeforeFit,
            FitEpochs = state.FitEpochs,
            StepsIntoEpoch = state.StepsIntoEpoch,
            Options = CheckpointOptions.From(state.Options),
            Sha256 = entries.ToDictionary(e => e.Key, e => Convert.ToHexStringLower(SHA256.HashData(e.Value))),
        };
        AtomicFile.Write(path, stream =>
        {
            using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            Add(archive, ManifestEntry, JsonSerializer.SerializeToUtf8Bytes(manifest, Json));
            foreach (var (name, bytes) in entries) Add(archive, name, bytes);
        });
    }

    /// <summary>Reads a checkpoint written by <see cref="Save"/>.</summary>
    /// <param name="mlContext">The context the loaded model logs to and whose catalog loads the reference model.</param>
    /// <param name="path">The checkpoint file.</param>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a HyperDPO checkpoint, is of another format version, or is corrupt or truncated; the message names the file and the problem.</exception>
    public static HyperDpoCheckpoint Load(MLContext mlContext, string path)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Checkpoint file '{path}' does not exist.", path);
        InvalidDataException Bad(string problem, Exception? inner = null) =>
            new($"'{path}' is not a usable HyperDPO checkpoint: {problem}.", inner);

        ZipArchive archive;
        try
        {
            archive = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw Bad("it is not a readable zip archive (corrupt, truncated, or another kind of file)", e);
        }
        using var opened = archive;
        Dictionary<string, ZipArchiveEntry> index;
        try
        {
            index = ZipEntries.Index(archive);
        }
        catch (InvalidDataException e)
        {
            throw Bad(e.Message, e);
        }
        // Only the manifest and the entries it lists are read, each within ZipEntries' limits; anything else in the zip is never opened.
        byte[] Entry(string name, long limit = ZipEntries.MaxEntryBytes)
        {
            try
            {
                return ZipEntries.Read(index[name], limit);
            }
            catch (InvalidDataException e)
            {
                throw Bad(index[name].Length > limit ? e.Message : $"its entry {name} cannot be read ({e.Message})", e);
            }
        }
        if (!index.ContainsKey(ManifestEntry))
            throw Bad($"it has no {ManifestEntry} entry (a zip, but not a checkpoint)");
        byte[] manifestBytes = Entry(ManifestEntry, MaxManifestBytes);
        CheckpointManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<CheckpointManifest>(manifestBytes, Json) ?? throw Bad($"{ManifestEntry} is empty");
        }
        catch (JsonException e)
        {
            throw Bad($"{ManifestEntry} is not valid ({e.Message})", e);
        }
        if (manifest.Format != CheckpointManifest.FormatName)
            throw Bad($"its manifest names the format '{manifest.Format}', not '{CheckpointManifest.FormatName}'");
        // Version 1 differs only in its reference entry (a bare reference model), so version 1 files without one still load.
        if (manifest.Version != FormatVersion && !(manifest.Version == 1 && !manifest.Sha256.ContainsKey(ReferenceEntry)))
            throw Bad($"it is checkpoint format version {manifest.Version}; this library reads version {FormatVersion}, and version 1 without a reference model (see docs/persistence.md, checkpoint format history)");
        var entries = new Dictionary<string, byte[]>();
        foreach (var (name, hash) in manifest.Sha256)
        {
            if (!index.ContainsKey(name))
                throw Bad($"the entry {name} listed in the manifest is missing");
            byte[] bytes = entries[name] = Entry(name);
            if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != hash)
                throw Bad($"the entry {name} does not match its SHA-256 checksum (the file is corrupt)");
        }
        if (!manifest.Sha256.ContainsKey(NetworkEntry))
            throw Bad($"the manifest lists no {NetworkEntry} entry");
        if (manifest.EpochsCompleted < 0 || manifest.EpochsBeforeFit < 0 || manifest.EpochsBeforeFit > manifest.EpochsCompleted || manifest.FitEpochs < 0 || manifest.StepsIntoEpoch < 0)
            throw Bad($"its epoch counts are inconsistent ({manifest.EpochsCompleted} completed, {manifest.EpochsBeforeFit} before its fit)");

        HyperDpoRankingTrainer.Options options;
        try
        {
            options = CheckpointOptions.ToOptions(manifest.Options);
            options.Validate();
            if (manifest.Objectives.Length != options.LabelColumnNames.Length || manifest.FeatureCount <= 0)
                throw new ArgumentException("the objectives or feature count do not match the options");
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException)
        {
            throw Bad($"its options are invalid ({e.Message})", e);
        }

        // A network that reads the reference scores (ReferenceForm.ExtraInputs) has K inputs more than the feature column.
        bool referenceInputs = manifest.Sha256.ContainsKey(ReferenceEntry) && options.References.Form == ReferenceForm.ExtraInputs;
        // The network entry holds every parameter, so a manifest asking for more than it could hold is refused before any tensor is built.
        long inputs = (long)manifest.FeatureCount + (referenceInputs ? manifest.Objectives.Length : 0);
        double least = RankingNetworks.LeastParameters(options, inputs);
        if (least > entries[NetworkEntry].Length / 4.0)
            throw Bad($"its manifest asks for a network of {manifest.FeatureCount} features and " +
                (options.Network.Architecture == RankerArchitecture.Transformer ? $"transformer width {options.Network.TransformerWidth}" : $"hidden sizes [{string.Join(", ", options.Network.HiddenSizes)}]") +
                $", at least {least:G4} parameters, more than its {entries[NetworkEntry].Length}-byte {NetworkEntry} entry holds");
        var network = RankingNetworks.CreateEmpty(options, manifest.FeatureCount + (referenceInputs ? manifest.Objectives.Length : 0), manifest.Objectives.Length);
        try
        {
            using var stream = new MemoryStream(entries[NetworkEntry]);
            NetworkStateFormat.ReadInto(stream, network.Module);
        }
        catch (InvalidDataException e)
        {
            throw Bad(e.Message, e);
        }
        network.Module.eval();

        ITransformer? reference = null;
        if (manifest.Sha256.ContainsKey(ReferenceEntry))
        {
            try
            {
                using var stream = new MemoryStream(entries[ReferenceEntry]);
                reference = mlContext.Model.Load(stream, out _);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw Bad($"its reference model could not be loaded by ML.NET ({e.Message})", e);
            }
        }
        float[] weights;
        try
        {
            weights = HyperDpo.ObjectiveWeights.Normalize(manifest.ObjectiveWeights, manifest.Objectives.Length, nameof(manifest.ObjectiveWeights));
        }
        catch (ArgumentException e)
        {
            throw Bad($"its objective weights are invalid ({e.Message})", e);
        }

        byte[]? optimizer = manifest.Sha256.ContainsKey(OptimizerEntry) ? entries[OptimizerEntry] : null;
        var env = (IHostEnvironment)mlContext;
        if (options.Loss.TemperatureRange is { } range && manifest.Temperature is float t && !(t >= range[0] && t <= range[1]))
            throw Bad($"its temperature {t} is outside its trained range [{range[0]}, {range[1]}]");
        var scoring = new ConditionedScoringModel(network, TorchSharp.torch.CPU, manifest.FeatureColumnName, manifest.Objectives, reference, ReferenceScores.ColumnName, options.RowGroupColumnName,
            options.Loss.TemperatureRange, referenceInputs, reference is not null && options.References.ConditionedFeatureColumnName is not null);
        byte[]? random = manifest.Sha256.ContainsKey(RandomEntry) ? entries[RandomEntry] : null;
        var state = new TrainingState(options, optimizer, manifest.EpochsCompleted, manifest.EpochsBeforeFit, manifest.FitEpochs, random, manifest.StepsIntoEpoch);
        var model = new HyperDpoRankingTransformer(env.Register(nameof(HyperDpoRankingTransformer)), scoring, weights, null, state, manifest.Temperature);
        return new HyperDpoCheckpoint(Path.GetFullPath(path), model, options, optimizer, manifest.EpochsCompleted, manifest.EpochsBeforeFit, manifest.FitEpochs);
    }

    private static void Add(ZipArchive archive, string name, byte[] bytes)
    {
        using var stream = archive.CreateEntry(name, CompressionLevel.Optimal).Open();
        stream.Write(bytes);
    }
}
