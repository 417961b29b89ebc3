using System;
using System.IO;
using System.Runtime.InteropServices;
using Darknet.Weights;
using Darknet.Weights.IO;

namespace Darknet.Cli;

/// <summary>
/// <c>darknet convert</c> never writes over its own inputs: the output is compared with each input as a file
/// (device + inode, volume + file id on Windows, after following links), so <c>./a.cfg</c>, <c>../dir/a.cfg</c>,
/// <c>A.CFG</c> on a case-insensitive disk, a symlink and a hard link are all caught. Where the platform gives no
/// identity the full paths are compared.
/// </summary>
internal static class OutputGuard
{
    public static void RefuseInputs(string output, params (string Flag, string Path)[] inputs)
    {
        var target = FileStatus.Of(output, followLinks: true);
        foreach (var (flag, input) in inputs)
        {
            var source = FileStatus.Of(input, followLinks: true);
            bool same = target.HasIdentity && source.HasIdentity ? target.IsSameFile(source) : SamePath(output, input);
            if (!same) continue;
            throw new DarknetException(ErrorCodes.OutputIsAnInput,
                $"--out {output} is the {flag} file {input} ({How(output, input)}): writing it would destroy the input; choose another output file");
        }
    }

    private static string How(string output, string input)
    {
        if (FileStatus.Of(output, followLinks: false).Kind == FileKind.SymbolicLink) return "through a symbolic link";
        if (SamePath(output, input)) return output == input ? "the same path" : "another spelling of the same path";
        return string.Equals(Path.GetFullPath(output), Path.GetFullPath(input), StringComparison.OrdinalIgnoreCase)
            ? "the same file in another case"
            : "the same file under another name: a hard link or another spelling";
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b),
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || RuntimeInformation.IsOSPlatform(OSPlatform.OSX)
                ? StringComparison.OrdinalIgnoreCase
                : StringComparison.Ordinal);
}
