using System;
using System.IO;
using System.Security.Cryptography;

namespace Darknet.Cache;

/// <summary>
/// Passes reads or writes through to an inner stream while computing size, SHA-256 and SHA-1 of the bytes that went by,
/// so a file is hashed in the same pass that writes or copies it: <c>FileHashes Complete()</c> after the last byte.
/// Sequential only (no seeking): what a converter's sink or a copy does. Over <see cref="Stream.Null"/> it is a plain
/// hasher of what is written to it (a download's, whose file is reopened for each response: see PartialDownload). Without <c>withSha1</c> the SHA-1 is left
/// out (<see cref="FileHashes.Sha1"/> empty): only downloaded weights are checked against a published SHA-1, and each
/// hash is a pass over a 248 MB file's worth of CPU.
/// </summary>
internal sealed class HashingStream : Stream
{
    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash? _sha1;
    private long _size;
    private FileHashes? _hashes;

    public HashingStream(Stream inner, bool leaveOpen = false, bool withSha1 = true)
    {
        _inner = inner;
        _leaveOpen = leaveOpen;
        _sha1 = withSha1 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA1) : null;
    }

    public override bool CanRead => _inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => _inner.CanWrite;
    public override long Length => _inner.Length;

    public override long Position
    {
        get => _size;
        set => throw new NotSupportedException("A hashing stream is sequential.");
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = _inner.Read(buffer, offset, count);
        Add(buffer, offset, read);
        return read;
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        _inner.Write(buffer, offset, count);
        Add(buffer, offset, count);
    }

#if NET
    // The converter writes float arrays as spans (no copy): the base class would copy each into a rented array.
    public override int Read(Span<byte> buffer)
    {
        var read = _inner.Read(buffer);
        Add(buffer.Slice(0, read));
        return read;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _inner.Write(buffer);
        Add(buffer);
    }

    private void Add(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        if (_hashes != null) throw new InvalidOperationException("The hashes were already taken.");
        _sha256.AppendData(bytes);
        _sha1?.AppendData(bytes);
        _size += bytes.Length;
    }
#endif

    public override void Flush() => _inner.Flush();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A hashing stream is sequential.");
    public override void SetLength(long value) => throw new NotSupportedException("A hashing stream is sequential.");

    /// <summary>The hashes of every byte read or written so far; no more bytes may pass after this.</summary>
    public FileHashes Complete()
    {
        if (_hashes != null) return _hashes;
        return _hashes = new FileHashes(_size, FileHashes.Hex(_sha256.GetHashAndReset()), _sha1 == null ? "" : FileHashes.Hex(_sha1.GetHashAndReset()));
    }

    private void Add(byte[] buffer, int offset, int count)
    {
        if (count <= 0) return;
        if (_hashes != null) throw new InvalidOperationException("The hashes were already taken.");
        _sha256.AppendData(buffer, offset, count);
        _sha1?.AppendData(buffer, offset, count);
        _size += count;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sha256.Dispose();
            _sha1?.Dispose();
            if (!_leaveOpen) _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
