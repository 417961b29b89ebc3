using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Darknet.Cache;
using Darknet.Cache.Download;
using Darknet.Weights;
using Darknet.Weights.IO;
using Darknet.Weights.Models;

namespace Darknet.Cli;

/// <summary>
/// <c>darknet fetch MODEL... [--cache DIR] [--mirror URL] [--sha256 HEX] [--allow-http]</c>: downloads and verifies
/// built-in models' weights into a machine cache ahead of time (CI warm-up, a cache carried into an air-gapped network).
/// It asks the cache for exactly the entry a build asks for (<see cref="WeightsRequest.ForBuiltIn"/>), so a later
/// <c>dotnet build -p:DarknetOffline=true</c> finds it. Exit codes: 0 ok, 1 a download failed, 2 usage error.
/// </summary>
public static class FetchCommand
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        CommandLine line;
        var models = new List<BuiltInModel>();
        string? sha256;
        try
        {
            line = CommandLine.Parse(args, new[] { "--cache", "--mirror", "--sha256" }, new[] { "--allow-http" });
            if (line.Words.Count == 0) throw new CommandLineException("name at least one model");
            foreach (var name in line.Words)
            {
                var model = ModelCatalog.Find(name);
                if (model == null)
                {
                    var nearest = NearestModelName.Suggest(name);
                    stderr.WriteLine($"darknet: {ErrorCodes.UnknownBuiltInModel}: unknown model '{name}'" +
                                     (nearest != null ? $": did you mean '{nearest}'?" : "") + "; `darknet fetch --help` lists the built-in models");
                    return Program.UsageError;
                }
                models.Add(model);
            }
            var pin = line.Value("--sha256");
            sha256 = pin == null ? null
                : FileHashes.ParseHex(pin, 64) ?? throw new CommandLineException($"--sha256 '{pin}' is not 64 hexadecimal digits");
            if (sha256 != null && models.Count != 1) throw new CommandLineException("--sha256 pins one model's file: name one model");
            var mirror = line.Value("--mirror");
            if (mirror != null && !(Uri.TryCreate(mirror, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
                throw new CommandLineException($"--mirror '{SafeUrl.Redact(mirror)}' is not an http:// or https:// base URL");
        }
        catch (CommandLineException e)
        {
            stderr.WriteLine($"darknet: {ErrorCodes.BadCommandLine}: fetch: {e.Message}");
            stderr.Write(Program.FetchHelp);
            return Program.UsageError;
        }

        var root = line.Value("--cache") is { } dir ? Path.GetFullPath(dir) : CacheLocation.Resolve();
        var failed = 0;
        foreach (var model in models.Distinct())
        {
            var request = WeightsRequest.ForBuiltIn(model, sha256);
            var urls = WeightsDownloader.CandidateUrls(request, line.Value("--mirror"));
            var log = new FetchLog(stdout, stderr, urls);
            var cache = new MachineCache(root, log);
            var downloader = new WeightsDownloader(new DownloadOptions
            {
                Mirror = line.Value("--mirror"),
                AllowHttp = line.Switches.Contains("--allow-http"),
            }, log);
            try
            {
                var fetched = cache.GetWeights(request, (r, partial, token) =>
                {
                    stdout.WriteLine($"{model.Name}: downloading {request.FileName} ({Megabytes.Format(request.Size)}) from {SafeUrl.Redact(urls.FirstOrDefault() ?? "?")}" +
                                     (urls.Count > 1 ? $" (or {urls.Count - 1} fallback URLs)" : ""));
                    return downloader.DownloadAsync(r, partial, token);
                });
                stdout.WriteLine(fetched.Downloaded
                    ? $"{model.Name}: {request.FileName} ({Megabytes.Format(fetched.Hashes.Size)}, SHA-256 {fetched.Hashes.Sha256}) -> {fetched.Path}"
                    : $"{model.Name}: {request.FileName} is in the cache already, verified: {fetched.Path}");
            }
            catch (DarknetException e)
            {
                stderr.WriteLine($"darknet: {e.Code}: {model.Name}: {e.Message}" + (IsDownloadFailure(e.Code) ? " " + HowToGetIt(model, sha256, cache.WeightsPath(request)) : ""));
                failed++;
            }
        }
        return failed > 0 ? Program.Failed : Program.Ok;
    }

    private static bool IsDownloadFailure(string code) =>
        code == ErrorCodes.AllUrlsFailed || code == ErrorCodes.HttpStatus || code == ErrorCodes.HtmlPage ||
        code == ErrorCodes.NetworkError || code == ErrorCodes.Stalled || code == ErrorCodes.WrongSize ||
        code == ErrorCodes.TooManyRedirects;

    /// <summary>The build's "To fix it" (ModelAcquirer), in the CLI's flags.</summary>
    private static string HowToGetIt(BuiltInModel model, string? sha256, string entryPath) =>
        "To fix it: pass --mirror with a server you can reach that has " + model.WeightsFileName +
        " (--mirror https://mirror.example.org/darknet/); behind a proxy, set HTTPS_PROXY (and NO_PROXY); or run `darknet fetch " +
        model.Name + (sha256 != null ? " --sha256 " + sha256 : "") + " --cache DIR` where the download works and copy DIR here," +
        " or place the file at " + entryPath + ".";

    private static string Redacted(string message, IReadOnlyList<string> urls)
    {
        foreach (var url in urls) message = message.Replace(url, SafeUrl.Redact(url));
        return message;
    }

    /// <summary>
    /// Progress and what the cache says at high level on stdout; retries and URLs given up (indented) and warnings on
    /// stderr, every candidate URL redacted.
    /// </summary>
    private sealed class FetchLog : IDarknetLog
    {
        private readonly TextWriter _stdout;
        private readonly TextWriter _stderr;
        private readonly IReadOnlyList<string> _urls;

        public FetchLog(TextWriter stdout, TextWriter stderr, IReadOnlyList<string> urls)
        {
            _stdout = stdout;
            _stderr = stderr;
            _urls = urls;
        }

        public void Message(LogLevel level, string text)
        {
            if (level == LogLevel.High) _stdout.WriteLine(text);
            else _stderr.WriteLine("  " + Redacted(text));
        }

        public void Warning(string code, string text) => _stderr.WriteLine("darknet: warning " + code + ": " + text);

        public void Progress(DownloadProgress p)
        {
            if (p.Percent < 100)
                _stdout.WriteLine($"  {p.Percent,3}% ({(p.BytesReceived / 1e6).ToString("0.0", CultureInfo.InvariantCulture)} of {Megabytes.Format(p.TotalBytes)})");
        }

        private string Redacted(string message)
        {
            foreach (var url in _urls) message = message.Replace(url, SafeUrl.Redact(url));
            return message;
        }
    }
}
