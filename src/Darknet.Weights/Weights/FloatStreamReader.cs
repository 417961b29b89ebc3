using System;
using System.IO;

namespace Darknet.Weights
{
    /// <summary>
    /// Reads little-endian float32 values from a stream into caller-owned arrays through one reusable byte buffer,
    /// so reading a 250 MB file never needs more than that buffer besides the arrays being filled.
    /// </summary>
    internal sealed class FloatStreamReader
    {
        private const int BufferBytes = 1 << 20;

        private readonly Stream _stream;
        private readonly byte[] _buffer;

        public FloatStreamReader(Stream stream, int bufferBytes = BufferBytes)
        {
            _stream = stream ?? throw new ArgumentNullException(nameof(stream));
            _buffer = new byte[Math.Max(4, bufferBytes & ~3)];
        }

        /// <summary>Floats read so far.</summary>
        public long FloatsRead { get; private set; }

        /// <summary>Bytes after the last whole float when the stream ended inside one (0 otherwise).</summary>
        public int StrayBytes { get; private set; }

        /// <summary>
        /// Fills <paramref name="destination"/>[offset..offset+count) and returns how many floats it read:
        /// fewer than <paramref name="count"/> only when the stream ended.
        /// </summary>
        public int Read(float[] destination, int offset, int count)
        {
            int done = 0;
            while (done < count)
            {
                int want = (int)Math.Min((long)(count - done) * 4, _buffer.Length);
                int got = Fill(want);
                int floats = got / 4;
                CopyFloats(floats, destination, offset + done);
                done += floats;
                FloatsRead += floats;
                if (got < want)
                {
                    StrayBytes = got % 4;
                    break;
                }
            }
            return done;
        }

        /// <summary>Reads to the end of the stream and returns how many whole floats were left (stray bytes go to <see cref="StrayBytes"/>).</summary>
        public long CountRemaining()
        {
            long bytes = 0;
            int n;
            while ((n = _stream.Read(_buffer, 0, _buffer.Length)) > 0) bytes += n;
            StrayBytes = (int)(bytes % 4);
            return bytes / 4;
        }

        private int Fill(int count)
        {
            int total = 0;
            while (total < count)
            {
                int n = _stream.Read(_buffer, total, count - total);
                if (n <= 0) break;
                total += n;
            }
            return total;
        }

        private void CopyFloats(int floats, float[] destination, int at)
        {
            if (!BitConverter.IsLittleEndian)
            {
                for (int i = 0; i < floats * 4; i += 4)
                {
                    byte b0 = _buffer[i], b1 = _buffer[i + 1];
                    _buffer[i] = _buffer[i + 3];
                    _buffer[i + 1] = _buffer[i + 2];
                    _buffer[i + 2] = b1;
                    _buffer[i + 3] = b0;
                }
            }
            Buffer.BlockCopy(_buffer, 0, destination, at * 4, floats * 4);
        }
    }
}
