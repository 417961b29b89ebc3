using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Darknet.Cache;
using Darknet.Cache.Download;
using Darknet.Weights;
using Darknet.Weights.Config;
using Darknet.Weights.IO;
using Darknet.Weights.Labels;
using Darknet.Weights.Layout;
using Darknet.Weights.Naming;
using Darknet.Weights.Onnx;

namespace Darknet.Build.Tasks;

/// <summary>
/// The acquire step for one resolved model: weights (local, or the machine cache which downloads on a miss) ->
/// layout (catalog, or a .cfg file or URL) -> converted output (cached by content) -> the project's obj/ file.
/// </summary>
internal sealed class ModelAcquirer
{
    private readonly MachineCache _cache;
    private readonly AcquireSettings _settings;
    private readonly CancellationToken _cancellationToken;

    public ModelAcquirer(MachineCache cache, AcquireSettings settings, CancellationToken cancellationToken)
    {
        // What the cache finds (a damaged entry made again, a hand-placed file moved aside) goes to this run's log.
        _cache = cache.ReportingTo(settings.Log);
        _settings = settings;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Called once the model's weights are verified (downloaded, found in the cache or a local file), before converting.</summary>
    public Action? WeightsReady { get; set; }

    public void Acquire(ModelRequest request)
    {
        string? cfgText = null;
        NetworkLayout layout;
        if (request.Config == null) layout = request.BuiltIn!.LayoutFor(request.Format);
        else (cfgText, layout) = ReadConfig(request);
        if (request.OnnxInputSize is { } size) layout = layout.AtSize(size.Width, size.Height);
        var classNames = ClassNamesFor(request);
        classNames?.CheckFits(layout); // before any download: names that do not fit fail the build at once (DKN1008)
        try
        {
            Acquire(request, cfgText, layout, classNames);
        }
        catch (WeightsChanged changed) when (request.WeightsFile == null)
        {
            // The cached weights are not what was recorded when they were downloaded: never convert them, fetch them again.
            _settings.Log.Message(LogLevel.High, "The cached " + Path.GetFileName(changed.Path) + " at " + changed.Path + " was damaged (" + changed.Message + "); fetching it again");
            _cache.RemoveWeights(WeightsRequestFor(request, layout), _cancellationToken);
            try
            {
                Acquire(request, cfgText, layout, classNames);
            }
            catch (WeightsChanged again)
            {
                throw new DarknetException(ErrorCodes.HashMismatch,
                    $"{again.Path} changed while it was being converted, just after it was verified ({again.Message}): " +
                    "the cache's disk is returning other bytes than were written to it.");
            }
        }
        catch (WeightsChanged changed)
        {
            throw new DarknetException(ErrorCodes.HashMismatch, $"WeightsFile {changed.Path} changed while it was being converted ({changed.Message}).");
        }
    }

    private void Acquire(ModelRequest request, string? cfgText, NetworkLayout layout, ClassNames? classNames)
    {
        var layerNames = LayerNamesFor(request);
        var layoutFingerprint = (cfgText == null ? "builtin:" + request.BuiltIn!.Name : "cfg:" + ConvertedKey.FingerprintOfText(cfgText)) +
                                "\n" + string.Join(",", layerNames ?? LayerNaming.NamesFor(layout));
        // An ONNX export other than the default (outputs, a pinned size) is another file from the same weights.
        var format = OutputFormats.Name(request.Format)
                     + (request.OnnxOutputs != OnnxOutputs.Layers ? "+" + OnnxExportOptions.Name(request.OnnxOutputs) : "")
                     + (request.OnnxInputSize != null ? "@" + request.OnnxInputSizeText : "");
        string KeyFor(string weightsSha256) =>
            ConvertedKey.Compute(weightsSha256, layoutFingerprint, format, request.LayerLimit, ConverterVersion(), classNames?.ToJson());

        if (request.WeightsFile == null && WithoutWeights(request, layout, KeyFor))
        {
            WeightsReady?.Invoke();
            return;
        }
        var weights = request.WeightsFile != null ? LocalWeights(request) : DownloadedWeights(request, layout);
        WeightsReady?.Invoke();
        var key = KeyFor(weights.Sha256);
        var options = new ConversionOptions
        {
            Format = request.Format, LayerLimit = request.LayerLimit, LayerNames = layerNames, ClassNames = classNames, Cancellation = _cancellationToken,
            Onnx = new OnnxExportOptions { Outputs = request.OnnxOutputs, FixedSize = request.OnnxInputSize != null },
        };

        CachedFile Convert() => _cache.GetConverted(key, request.OutputFileName, output =>
        {
            _settings.Log.Message(LogLevel.High, "Darknet: Converting " + Path.GetFileName(weights.Path) + " to " + request.OutputFileName);
            ConvertVerified(layout, weights, output, options);
        }, _cancellationToken, reserve: DarknetConverter.ExpectedFileSize(layout, 20, request.LayerLimit) - 20); // the floats: no more than any format writes

        var converted = Convert();
        _cancellationToken.ThrowIfCancellationRequested();
        if (Place(converted, request.OutputPath)) return;

        // The cached output is not what was recorded when it was written: never ship it, rebuild it.
        _settings.Log.Message(LogLevel.High, "The cached " + request.OutputFileName + " at " + converted.Path + " was damaged; converting it again");
        _cache.RemoveConverted(key, request.OutputFileName, _cancellationToken);
        converted = Convert();
        _cancellationToken.ThrowIfCancellationRequested();
        if (!Place(converted, request.OutputPath))
            throw new DarknetException(ErrorCodes.HashMismatch,
                $"{converted.Path} changed while it was being copied to {request.OutputPath}, just after it was written: " +
                "the cache's disk is returning other bytes than were written to it.");
    }

    /// <summary>
    /// When the weights' SHA-256 is known before any download (pinned, or the catalog's one published digest) and the
    /// weights are not in the machine cache: places the converted entry if the cache has it, else offers the cache the
    /// obj/ file a CI cache restored (kept by the resolve step after hashing it against its record) through the
    /// converted entry's own publish path, so this project and the next one on this machine need no download.
    /// False when neither is there: the usual weights, convert, place.
    /// </summary>
    private bool WithoutWeights(ModelRequest request, NetworkLayout layout, Func<string, string> keyFor)
    {
        var weightsRequest = WeightsRequestFor(request, layout);
        if (weightsRequest.AcceptedSha256.Count != 1 || File.Exists(_cache.WeightsPath(weightsRequest))) return false;
        var key = keyFor(weightsRequest.AcceptedSha256[0]);
        var converted = _cache.TryGetConverted(key, request.OutputFileName, _cancellationToken);
        if (converted == null)
        {
            if (ObjFile.KeptWithoutEntry(request.OutputPath, key, request.OutputFileName) is not FileHashes kept) return false;
            converted = _cache.GetConverted(key, request.OutputFileName, output =>
            {
                using var restored = new FileStream(request.OutputPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                restored.CopyTo(output, 1 << 20);
            }, _cancellationToken, reserve: kept.Size);
            if (converted.Hashes.Size != kept.Size || converted.Hashes.Sha256 != kept.Sha256)
            {
                _cache.RemoveConverted(key, request.OutputFileName, _cancellationToken);
                return false;
            }
            _settings.Log.Message(LogLevel.Normal, "Darknet: " + request.OutputPath + " (restored, its SHA-256 the one its record names) is now the machine cache's entry " + converted.Path);
        }
        else
        {
            _settings.Log.Message(LogLevel.Normal, "Darknet: " + request.OutputFileName + " is in the machine cache, converted, no download: " + converted.Path);
        }
        _cancellationToken.ThrowIfCancellationRequested();
        return Place(converted, request.OutputPath);
    }

    /// <summary>
    /// Converts the weights into <paramref name="output"/>, hashing every byte of the weights file on the way (the rest
    /// after a layer limit too): bytes other than the ones verified throw <see cref="WeightsChanged"/> and nothing is published.
    /// Where the file's identity was taken when its digest was (Linux: device, inode, size, mtime, ctime; a write through
    /// any name moves ctime), the same identity before and after the conversion proves the bytes read were those instead:
    /// no second pass of SHA-256 over the file.
    /// </summary>
    private void ConvertVerified(NetworkLayout layout, VerifiedWeights weights, Stream output, ConversionOptions options)
    {
        using var file = new FileStream(weights.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        if (weights.Identity != null && weights.Identity.Equals(FileIdentity.Of(weights.Path)))
        {
            DarknetConverter.ConvertStream(layout, file, file.Length, output, options);
            _cancellationToken.ThrowIfCancellationRequested();
            if (!weights.Identity.Equals(FileIdentity.Of(weights.Path)))
                throw new WeightsChanged(weights.Path, "it was written to while it was read, after its SHA-256 " + weights.Sha256 + " was verified");
            return;
        }
        using var hashing = new HashingStream(file, withSha1: false);
        DarknetConverter.ConvertStream(layout, hashing, file.Length, output, options);
        hashing.CopyTo(Stream.Null, 1 << 20);
        _cancellationToken.ThrowIfCancellationRequested();
        var read = hashing.Complete();
        if (read.Sha256 != weights.Sha256)
            throw new WeightsChanged(weights.Path, "SHA-256 " + read.Sha256 + " where " + weights.Sha256 + " was verified");
    }

    /// <summary>A weights file, its verified SHA-256, and its identity when that digest was known to be its bytes' (null where identities cannot be read, or it changed).</summary>
    private sealed class VerifiedWeights
    {
        public VerifiedWeights(string path, string sha256, FileIdentity? identity)
        {
            Path = path;
            Sha256 = sha256;
            Identity = identity;
        }

        public string Path { get; }
        public string Sha256 { get; }
        public FileIdentity? Identity { get; }
    }

    /// <summary>The weights read while converting are not the bytes that were verified.</summary>
    private sealed class WeightsChanged : Exception
    {
        public WeightsChanged(string path, string message) : base(message) => Path = path;

        public string Path { get; }
    }

    private bool Place(CachedFile converted, string outputPath)
    {
        try
        {
            return ObjFile.Place(_cache, converted, outputPath);
        }
        catch (Exception e) when (WriteFailure.IsDiskFull(e))
        {
            throw WriteFailure.UnderBuild(e, outputPath);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            throw new DarknetException(TaskErrorCodes.PlacingOutputFailed, $"Cannot write {outputPath}: {e.Message}", e);
        }
    }

    private VerifiedWeights LocalWeights(ModelRequest request)
    {
        if (!File.Exists(request.WeightsFile))
            throw new DarknetException(TaskErrorCodes.LocalFileNotFound,
                $"WeightsFile {request.WeightsFile} does not exist{DidYouMean.File(request.WeightsFile)}.");
        var before = FileIdentity.Of(request.WeightsFile!);
        var hashes = FileHashes.Compute(request.WeightsFile!, withSha1: false, _cancellationToken);
        if (request.Sha256 != null && hashes.Sha256 != request.Sha256)
            throw new DarknetException(ErrorCodes.HashMismatch,
                $"WeightsFile {request.WeightsFile} has SHA-256 {hashes.Sha256}, but Sha256 pins {request.Sha256}.");
        return new VerifiedWeights(request.WeightsFile!, hashes.Sha256, before != null && before.Equals(FileIdentity.Of(request.WeightsFile!)) ? before : null);
    }

    private VerifiedWeights DownloadedWeights(ModelRequest request, NetworkLayout layout)
    {
        var weightsRequest = WeightsRequestFor(request, layout);
        // $(DarknetMirror) stands in for the catalog's hosts only; a WeightsUrl the user wrote is used as written.
        var mirror = request.Config == null && request.BuiltIn != null && request.WeightsUrl == null ? _settings.Mirror : null;
        var report = new DownloadReport(weightsRequest, WeightsDownloader.CandidateUrls(weightsRequest, mirror), _settings);
        var downloader = _settings.Offline ? null : new WeightsDownloader(_settings.DownloadOptions(mirror), report);
        CachedWeights cached;
        try
        {
            cached = _cache.GetWeights(weightsRequest,
                downloader == null ? null : (r, partial, token) => report.DownloadAsync(downloader, r, partial, token), _cancellationToken);
        }
        catch (DarknetException e) when (IsDownloadFailure(e.Code))
        {
            throw new DarknetException(e.Code, e.Message + " " + HowToGetIt(request, _cache.WeightsPath(weightsRequest)), e);
        }
        if (!cached.Downloaded) _settings.Log.Message(LogLevel.Normal, "Darknet: " + weightsRequest.FileName + " is in the machine cache, no download: " + cached.Path);
        // The sidecar's identity is the entry's while the record is current: the bytes are those its digest was taken of.
        var record = Sidecar.Read(cached.Path);
        var identity = record != null && record.Current && record.Hashes.Sha256 == cached.Hashes.Sha256 ? record.Identity : null;
        return new VerifiedWeights(cached.Path, cached.Hashes.Sha256, identity);
    }

    private static bool IsDownloadFailure(string code) =>
        code == ErrorCodes.AllUrlsFailed || code == ErrorCodes.HttpStatus || code == ErrorCodes.HtmlPage ||
        code == ErrorCodes.NetworkError || code == ErrorCodes.Stalled || code == ErrorCodes.WrongSize ||
        code == ErrorCodes.TooManyRedirects;

    /// <summary>The ways around a download that failed: a mirror, a proxy, or a cache seeded from a machine that can download.</summary>
    private static string HowToGetIt(ModelRequest request, string entryPath)
    {
        var builtIn = request.Config == null && request.WeightsUrl == null ? request.BuiltIn : null;
        var text = "To fix it: " +
                   (builtIn != null
                       ? "set DarknetMirror to a server you can reach that has " + builtIn.WeightsFileName + " (-p:DarknetMirror=https://mirror.example.org/darknet/); "
                       : "point WeightsUrl at a server you can reach; ") +
                   "behind a proxy, set HTTPS_PROXY (and NO_PROXY); or seed the cache offline: ";
        if (builtIn != null)
            text += "run `darknet fetch " + builtIn.Name + (request.Sha256 != null ? " --sha256 " + request.Sha256 : "") +
                    " --cache DIR` where the download works, copy DIR here and set DARKNET_CACHE_DIR=DIR, or ";
        return text + "place the file at " + entryPath + "; then build with -p:DarknetOffline=true.";
    }

    /// <summary>What to download and how to verify it: the catalog's file (a pinned Sha256 replacing its hashes), or a custom network's.</summary>
    internal static WeightsRequest WeightsRequestFor(ModelRequest request, NetworkLayout layout)
    {
        var builtIn = request.Config == null ? request.BuiltIn : null;
        if (builtIn != null)
        {
            // A pinned Sha256 replaces the catalog's hashes (a private mirror's copy); the size is the catalog's.
            return WeightsRequest.ForBuiltIn(builtIn, request.Sha256, request.WeightsUrl != null ? SplitUrls(request.WeightsUrl) : null);
        }
        // A custom network: its size follows from the cfg (modern 20-byte header, every layer present).
        var customUrls = SplitUrls(request.WeightsUrl!);
        var size = DarknetConverter.ExpectedFileSize(layout, 20, null);
        return new WeightsRequest(FileNameOf(customUrls[0], request.Name), size, customUrls, request.Sha256);
    }

    private (string Text, NetworkLayout Layout) ReadConfig(ModelRequest request)
    {
        if (!request.ConfigIsUrl && !File.Exists(request.Config))
            throw new DarknetException(TaskErrorCodes.LocalFileNotFound,
                $"Config {request.Config} does not exist{DidYouMean.File(request.Config)}.");
        return new ConfigSource(_cache, _settings.DownloadOptions(null), _settings.Offline, _settings.Log)
            .Load(request.Config!, SafeUrl.Redact(request.Config!), _cancellationToken);
    }

    /// <summary>
    /// The class names an ONNX model carries: the item's Names file, else a built-in model's own (not for a custom
    /// Config, whose classes the catalog does not know); null for the other formats, which carry none.
    /// </summary>
    private static ClassNames? ClassNamesFor(ModelRequest request)
    {
        if (request.Format != OutputFormat.Onnx) return null;
        if (request.Names == null) return request.Config == null ? request.BuiltIn?.ClassNames : null;
        if (!File.Exists(request.Names))
            throw new DarknetException(TaskErrorCodes.LocalFileNotFound, $"Names {request.Names} does not exist.");
        return ClassNames.ReadFile(request.Names);
    }

    /// <summary>The catalog's names for a built-in layout (the converter takes the first N); null lets the library name any other cfg.</summary>
    private static IReadOnlyList<string>? LayerNamesFor(ModelRequest request) =>
        request.Config == null ? request.BuiltIn?.LayerNames : null;

    private static List<string> SplitUrls(string urls) =>
        urls.Split(new[] { ';', ' ' }, StringSplitOptions.RemoveEmptyEntries).ToList();

    /// <summary>
    /// The cache's file name for a custom network's weights: the URL's last path segment, else the model's name with
    /// ".weights" (https://host/download?id=7 gives "download"; https://host/ gives "mynet.weights").
    /// </summary>
    internal static string FileNameOf(string url, string modelName)
    {
        var path = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.AbsolutePath : "";
        var name = Sanitize(Uri.UnescapeDataString(path.Substring(path.LastIndexOf('/') + 1)));
        if (name.Length > 0) return name;
        name = Sanitize(modelName);
        return (name.Length > 0 ? name : "model") + ".weights";
    }

    private static string Sanitize(string name)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var chars = name.Select(c => c == '/' || c == '\\' || c == ':' || char.IsControl(c) || invalid.Contains(c) ? '_' : c).ToArray();
        var clean = new string(chars).Trim().TrimStart('.');
        if (!clean.Any(char.IsLetterOrDigit)) return "";
        return clean.Length > 120 ? clean.Substring(clean.Length - 120) : clean;
    }

    /// <summary>The core library's build identity: a changed converter or catalog never reuses an old conversion.</summary>
    private static string ConverterVersion()
    {
        var assembly = typeof(DarknetConverter).Assembly;
        return assembly.GetName().Version + "/" + assembly.ManifestModule.ModuleVersionId.ToString("N");
    }
}
