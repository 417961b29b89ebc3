using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Darknet.Cache;
using Darknet.Cache.Download;
using Darknet.Weights;
using Darknet.Weights.Models;

namespace Darknet.Cli;

/// <summary>
/// <c>darknet cache key [PROJECT...] [--model NAMES] [--sha256 DIGESTS]</c>: one line, a key for a CI cache of the machine
/// cache (actions/cache <c>key:</c>) made from the weights the projects pin: each DarknetModel's Sha256, else a built-in's
/// published digests, else (an unpinned custom model) its WeightsUrl without credentials. The same pins give the same
/// key whatever their order, names or file layout; a changed pin gives another key.
/// </summary>
internal static class CacheKeyCommand
{
    private const string Prefix = "darknet-weights-";

    public static int Run(CommandLine line, TextWriter stdout)
    {
        var pins = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var project in line.Words.Skip(1)) AddProject(project, pins);
        foreach (var name in List(line.Value("--model"))) AddBuiltIn(name, null, pins);
        foreach (var digest in List(line.Value("--sha256"))) pins.Add(Sha256Pin(digest, "--sha256"));
        if (pins.Count == 0)
            throw new CommandLineException("cache key: name a project, --model NAMES or --sha256 DIGESTS (none pins any weights)");
        stdout.WriteLine(KeyOf(pins));
        return Program.Ok;
    }

    internal static string KeyOf(IEnumerable<string> pins)
    {
        using var sha = SHA256.Create();
        var text = "darknet-cache-key-v1\n" + string.Join("\n", pins.OrderBy(p => p, StringComparer.Ordinal).Distinct());
        return Prefix + FileHashes.Hex(sha.ComputeHash(Encoding.UTF8.GetBytes(text))).Substring(0, 32);
    }

    private static IEnumerable<string> List(string? value) =>
        (value ?? "").Split(new[] { ',', ';', ' ' }, StringSplitOptions.RemoveEmptyEntries);

    private static void AddProject(string path, SortedSet<string> pins)
    {
        XDocument project;
        try
        {
            project = XDocument.Load(path);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is XmlException)
        {
            throw new DarknetException(ErrorCodes.FileAccessFailed, "Cannot read the project " + path + ": " + e.Message, e);
        }
        var models = project.Descendants().Where(e => e.Name.LocalName == "DarknetModel").ToList();
        if (models.Count == 0) throw new CommandLineException("cache key: " + path + " has no <DarknetModel> item");
        foreach (var model in models)
        {
            string? Metadata(string name) =>
                (model.Attribute(name)?.Value ?? model.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value)?.Trim() is { Length: > 0 } v ? v : null;
            var include = Metadata("Include");
            if (include == null) continue;
            var sha256 = Metadata("Sha256");
            var weightsUrl = Metadata("WeightsUrl");
            if (Metadata("WeightsFile") is { } file) pins.Add("file:" + file.Replace('\\', '/'));
            else if (Metadata("Config") == null && weightsUrl == null) AddBuiltIn(include, sha256, pins);
            else if (sha256 != null) pins.Add(Sha256Pin(sha256, include));
            else if (weightsUrl != null) pins.Add("url:" + string.Join(";", List(weightsUrl).Select(SafeUrl.WithoutCredentials)));
        }
    }

    private static void AddBuiltIn(string name, string? sha256, SortedSet<string> pins)
    {
        var model = ModelCatalog.Find(name)
                    ?? throw new DarknetException(ErrorCodes.UnknownBuiltInModel, $"'{name}' is not a built-in model (darknet --help lists them).");
        if (sha256 != null) pins.Add(Sha256Pin(sha256, name));
        else if (model.AcceptedSha256.Count > 0) pins.Add("sha256:" + string.Join("|", model.AcceptedSha256.OrderBy(d => d, StringComparer.Ordinal)));
        else if (model.Sha1 != null) pins.Add("sha1:" + model.Sha1);
        else pins.Add("url:" + string.Join(";", model.Urls));
    }

    private static string Sha256Pin(string digest, string what)
    {
        var hex = digest.Trim().ToLowerInvariant();
        if (hex.Length != 64 || !hex.All(c => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            throw new CommandLineException("cache key: " + what + ": '" + digest + "' is not a SHA-256 (64 hex digits)");
        return "sha256:" + hex;
    }
}
