using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Darknet.Build.Cache;
using Darknet.Build.Download;
using Darknet.Weights;
using Darknet.Weights.Layout;
using Darknet.Weights.Naming;

namespace Darknet.Build.Tasks
{
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
            _cache = cache;
            _settings = settings;
            _cancellationToken = cancellationToken;
        }

        public void Acquire(ModelRequest request)
        {
            var cfgText = request.Config == null ? null : ReadConfig(request);
            var layout = cfgText == null ? request.BuiltIn!.Layout : NetworkLayout.FromCfg(cfgText, request.Config!);
            var weights = request.WeightsFile != null ? LocalWeights(request) : DownloadedWeights(request, layout);

            var layerNames = LayerNamesFor(request);
            var layoutFingerprint = (cfgText == null ? "builtin:" + request.BuiltIn!.Name : "cfg:" + ConvertedKey.FingerprintOfText(cfgText)) +
                                    "\n" + string.Join(",", layerNames ?? LayerNaming.NamesFor(layout));
            var format = OutputFormats.Name(request.Format);
            var key = ConvertedKey.Compute(weights.Sha256, layoutFingerprint, format, request.LayerLimit, ConverterVersion());

            var converted = _cache.GetConverted(key, request.OutputFileName, temp =>
            {
                _settings.Log("Converting " + Path.GetFileName(weights.Path) + " to " + request.OutputFileName);
                var options = new ConversionOptions { Format = request.Format, LayerLimit = request.LayerLimit, LayerNames = layerNames };
                // ONNX builds its graph from the cfg (a built-in model without Config= has none: error DKN2010).
                if (request.Format == OutputFormat.Onnx && cfgText != null) options.Cfg = Darknet.Weights.Config.CfgReader.Parse(cfgText, request.Config!);
                DarknetConverter.ConvertFile(layout, weights.Path, temp, options);
            }, _cancellationToken);

            _cancellationToken.ThrowIfCancellationRequested();
            try
            {
                ObjFile.Place(converted, request.OutputPath);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new DarknetException(BuildErrorCodes.PlacingOutputFailed, $"Cannot write {request.OutputPath}: {e.Message}", e);
            }
        }

        private (string Path, string Sha256) LocalWeights(ModelRequest request)
        {
            if (!File.Exists(request.WeightsFile))
                throw new DarknetException(BuildErrorCodes.LocalFileNotFound,
                    $"WeightsFile {request.WeightsFile} does not exist.");
            var hashes = FileHashes.Compute(request.WeightsFile!, _cancellationToken);
            if (request.Sha256 != null && hashes.Sha256 != request.Sha256)
                throw new DarknetException(BuildErrorCodes.HashMismatch,
                    $"WeightsFile {request.WeightsFile} has SHA-256 {hashes.Sha256}, but Sha256 pins {request.Sha256}.");
            return (request.WeightsFile!, hashes.Sha256);
        }

        private (string Path, string Sha256) DownloadedWeights(ModelRequest request, NetworkLayout layout)
        {
            var weightsRequest = WeightsRequestFor(request, layout);
            // $(DarknetMirror) stands in for the catalog's hosts only; a WeightsUrl the user wrote is used as written.
            var mirror = request.Config == null && request.BuiltIn != null && request.WeightsUrl == null ? _settings.Mirror : null;
            var downloader = _settings.Offline ? null : new WeightsDownloader(_settings.DownloadOptions(mirror));
            var cached = _cache.GetWeights(weightsRequest, downloader == null ? null : downloader.DownloadAsync, _cancellationToken);
            return (cached.Path, cached.Hashes.Sha256);
        }

        /// <summary>What to download and how to verify it: the catalog's file (a pinned Sha256 replacing its hashes), or a custom network's.</summary>
        internal static WeightsRequest WeightsRequestFor(ModelRequest request, NetworkLayout layout)
        {
            var builtIn = request.Config == null ? request.BuiltIn : null;
            if (builtIn != null)
            {
                // A pinned Sha256 replaces the catalog's hashes (a private mirror's copy); the size is the catalog's.
                var urls = request.WeightsUrl != null ? SplitUrls(request.WeightsUrl) : builtIn.Urls;
                return new WeightsRequest(builtIn.WeightsFileName, builtIn.WeightsSize, urls,
                    request.Sha256 ?? builtIn.Sha256, request.Sha256 != null ? null : builtIn.Sha1);
            }
            // A custom network: its size follows from the cfg (modern 20-byte header, every layer present).
            var customUrls = SplitUrls(request.WeightsUrl!);
            var size = DarknetConverter.ExpectedFileSize(layout, 20, null);
            return new WeightsRequest(FileNameOf(customUrls[0], request.Name + ".weights"), size, customUrls, request.Sha256);
        }

        private string ReadConfig(ModelRequest request)
        {
            if (!request.ConfigIsUrl)
            {
                if (!File.Exists(request.Config))
                    throw new DarknetException(BuildErrorCodes.LocalFileNotFound,
                        $"Config {request.Config} does not exist.");
                return File.ReadAllText(request.Config);
            }
            return ConfigDownload.Get(_cache.Root, request.Config!, _settings, _cancellationToken);
        }

        /// <summary>The catalog's names for a built-in layout (the converter takes the first N); null lets the library name any other cfg.</summary>
        private static IReadOnlyList<string>? LayerNamesFor(ModelRequest request) =>
            request.Config == null ? request.BuiltIn?.LayerNames : null;

        private static List<string> SplitUrls(string urls) =>
            urls.Split(new[] { ';', ' ' }, StringSplitOptions.RemoveEmptyEntries).ToList();

        private static string FileNameOf(string url, string fallback)
        {
            var name = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? Path.GetFileName(uri.AbsolutePath) : "";
            return name.Length == 0 ? fallback : name;
        }

        /// <summary>The core library's build identity: a changed converter or catalog never reuses an old conversion.</summary>
        private static string ConverterVersion()
        {
            var assembly = typeof(DarknetConverter).Assembly;
            return assembly.GetName().Version + "/" + assembly.ManifestModule.ModuleVersionId.ToString("N");
        }
    }
}
