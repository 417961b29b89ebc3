using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using Darknet.Weights.IO;
using Darknet.Weights.Safetensors;

namespace Darknet.Cache.Download;

/// <summary>
/// The bytes downloaded so far at a path, and their metadata in "&lt;path&gt;.json" (written atomically): the URL
/// without credentials, the validator of the response they came from (a strong ETag, else Last-Modified) and the size
/// expected. A partial left by a killed or cancelled run is resumed only when its metadata names the same URL and size
/// and either a validator (sent as If-Range, so the server answers 200 with the whole file if it changed) or a hash
/// that will check the result; otherwise it is started again from byte 0.
/// <para>
/// It also keeps the hashes of the bytes held, so a download is hashed while it is written (no second pass over the
/// file): a 200 starts them from byte 0 (<see cref="StartOver"/>), each chunk written is added (<see cref="Appended"/>),
/// <see cref="Reset"/> drops them. A 206 continues them when they cover exactly the bytes held because this run wrote
/// and hashed every one of them; otherwise (bytes an earlier process left) <see cref="Continue"/> first hashes the
/// prefix from the disk, once, since nothing in memory vouches for it. <see cref="Hashes"/> falls back to hashing the
/// whole file only where this run wrote none of it (a complete partial left by an earlier run).
/// </para>
/// </summary>
internal sealed class PartialDownload
{
    private readonly string _identity;
    private readonly long _size;
    private readonly bool _hashWillCheck;
    private readonly bool _withSha1;

    /// <summary>The hashes of the bytes [0, Position) of the file, or null when not known (read them from the disk).</summary>
    private HashingStream? _hashes;

    private PartialDownload(string path, string identity, long size, bool hashWillCheck, bool withSha1)
    {
        Path = path;
        _identity = identity;
        _size = size;
        _hashWillCheck = hashWillCheck;
        _withSha1 = withSha1;
    }

    public string Path { get; }
    public string MetadataPath => MetadataPathFor(Path);

    /// <summary>The validator of the bytes held (a quoted strong ETag, or an HTTP date), or null.</summary>
    public string? Validator { get; private set; }

    /// <summary>How many responses of this run the bytes held came from (more than one: the file was assembled by resuming).</summary>
    public int Pieces { get; private set; }

    /// <summary>The bytes held start with bytes an earlier run left.</summary>
    public bool FromEarlierRun { get; private set; }

    /// <summary>Put together from more than one response: a failed check may be two versions mixed, not a bad file.</summary>
    public bool Assembled => Pieces > 1 || FromEarlierRun;

    public long Length
    {
        get
        {
            var info = new FileInfo(Path);
            return info.Exists ? info.Length : 0;
        }
    }

    /// <summary>May the bytes held be continued with a Range request?</summary>
    public bool Resumable => Length > 0 && (Validator != null || _hashWillCheck);

    public static string MetadataPathFor(string path) => path + ".json";

    /// <summary>
    /// The partial at <paramref name="path"/> for the URL <paramref name="identity"/> (without credentials): kept when
    /// resumable, else deleted with its metadata. <paramref name="withSha1"/>: its hashes include a SHA-1 (one will be checked).
    /// </summary>
    public static PartialDownload Open(string path, string identity, long size, bool hashWillCheck, bool withSha1)
    {
        var partial = new PartialDownload(path, identity, size, hashWillCheck, withSha1);
        if (File.Exists(path) && partial.ReadMetadata() && partial.Length <= size)
        {
            partial.FromEarlierRun = true;
            if (partial.Resumable) return partial;
        }
        partial.Reset();
        return partial;
    }

    /// <summary>Drops the bytes and the metadata: the next response starts from byte 0.</summary>
    public void Reset()
    {
        AtomicFile.TryDelete(Path);
        AtomicFile.TryDelete(MetadataPath);
        Validator = null;
        Pieces = 0;
        FromEarlierRun = false;
        ForgetHashes();
    }

    /// <summary>The If-Range value for a resumed request, or null when none can be sent.</summary>
    public RangeConditionHeaderValue? IfRange()
    {
        if (Validator == null) return null;
        if (Validator.StartsWith("\"", StringComparison.Ordinal)) return new RangeConditionHeaderValue(new EntityTagHeaderValue(Validator));
        return DateTimeOffset.TryParse(Validator, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? new RangeConditionHeaderValue(date)
            : null;
    }

    /// <summary>The validator a response carries: its ETag when strong, else its Last-Modified (RFC 1123), else null.</summary>
    public static string? ValidatorOf(HttpResponseMessage response)
    {
        var etag = response.Headers.ETag;
        if (etag != null && !etag.IsWeak) return etag.Tag;
        var modified = response.Content.Headers.LastModified;
        return modified.HasValue ? modified.Value.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture) : null;
    }

    /// <summary>A 200 response starts the file again: remember its validator before the first byte is written.</summary>
    public void StartOver(string? validator)
    {
        AtomicFile.TryDelete(Path);
        Validator = validator;
        Pieces = 1;
        FromEarlierRun = false;
        ForgetHashes();
        _hashes = NewHasher();
        AtomicFile.WriteAllText(MetadataPath,
            "{\"url\":" + Json.Quote(_identity) + ",\"validator\":" + (validator == null ? "null" : Json.Quote(validator)) +
            ",\"size\":" + _size.ToString(CultureInfo.InvariantCulture) + "}\n");
    }

    /// <summary>
    /// A 206 continues the bytes held. Their hashes go on from where this run's writes left them when those cover the
    /// whole file; else the bytes held are hashed from the disk first (an earlier process wrote them, or a write of this
    /// run failed part-way), so the hashes always cover exactly the bytes in the file.
    /// </summary>
    public void Continue(CancellationToken cancellationToken)
    {
        Pieces++;
        if (_hashes != null && _hashes.Position == Length) return;
        ForgetHashes();
        var hashes = NewHasher();
        try
        {
            using (var held = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
            {
                var buffer = new byte[1 << 20];
                int read;
                while ((read = held.Read(buffer, 0, buffer.Length)) > 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    hashes.Write(buffer, 0, read);
                }
            }
            _hashes = hashes;
        }
        catch
        {
            hashes.Dispose();
            throw;
        }
    }

    /// <summary>The first <paramref name="count"/> bytes of <paramref name="buffer"/> were just appended to the file.</summary>
    public void Appended(byte[] buffer, int count) => _hashes?.Write(buffer, 0, count);

    /// <summary>
    /// Size and hashes of the whole file: those computed as it was written, or (none of it written by this run) a pass
    /// over the file. Take them once the last byte is written.
    /// </summary>
    public FileHashes Hashes(CancellationToken cancellationToken)
    {
        var hashes = _hashes != null && _hashes.Position == Length ? _hashes.Complete() : null;
        ForgetHashes();
        return hashes ?? FileHashes.Compute(Path, _withSha1, cancellationToken);
    }

    public void Delete() => Reset();

    /// <summary>The download is complete and verified: the metadata is no longer needed (the cache renames the file).</summary>
    public void Complete() => AtomicFile.TryDelete(MetadataPath);

    /// <summary>Hashes bytes written to it and nothing else: a hashing stream over no stream.</summary>
    private HashingStream NewHasher() => new HashingStream(Stream.Null, withSha1: _withSha1);

    private void ForgetHashes()
    {
        _hashes?.Dispose();
        _hashes = null;
    }

    private bool ReadMetadata()
    {
        string text;
        try
        {
            text = File.ReadAllText(MetadataPath);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            return false;
        }
        object? parsed;
        try
        {
            parsed = Json.Parse(text, message => new FormatException(message));
        }
        catch (FormatException)
        {
            return false;
        }
        if (parsed is not List<KeyValuePair<string, object?>> members) return false;
        object? url = null, validator = null, size = null;
        foreach (var member in members)
        {
            switch (member.Key)
            {
                case "url": url = member.Value; break;
                case "validator": validator = member.Value; break;
                case "size": size = member.Value; break;
            }
        }
        if (url is not string sameUrl || sameUrl != _identity || size is not decimal sameSize || sameSize != _size) return false;
        if (validator != null && validator is not string) return false;
        Validator = (string?)validator;
        return true;
    }
}
