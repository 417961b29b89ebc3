using System;

namespace Darknet.Weights.Numpy;

/// <summary>What the readers accept as an array: float32 of either byte order, C or Fortran order, at most 2 GiB and 64 dimensions.</summary>
internal static class Float32Arrays
{
    // numpy's NPY_MAXDIMS (32 in numpy 1.x, 64 in 2.x). Also keeps the Fortran reorder, O(elements * rank), cheap.
    public const int MaxDimensions = 64;

    // One .NET byte[] holds at most this many bytes; no darknet layer comes near it (yolov3's largest: 18 MiB).
    public const long MaxBytes = 0x7FFFFFC7;

    /// <summary>True for float32 ('f4', 'float32'); <paramref name="bigEndian"/> from a '&gt;' byte order.</summary>
    public static bool IsFloat32(string name, char endian, out bool bigEndian)
    {
        if (name.Length > 0 && "<>=|".IndexOf(name[0]) >= 0)
        {
            endian = name[0];
            name = name.Substring(1);
        }
        bigEndian = endian == '>';
        return name == "f4" || name == "float32";
    }

    /// <summary>Refuses anything but float32, naming what it is.</summary>
    public static bool RequireFloat32(string name, char endian, string where)
    {
        if (IsFloat32(name, endian, out bool bigEndian)) return bigEndian;
        throw new DarknetException(ErrorCodes.UnsupportedArray,
            $"{where} is a {Describe(name)} array ('{name}'); only float32 arrays are supported (numpy: a.astype(np.float32))");
    }

    public static int ElementCount(int[] shape, string where)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new DarknetException(ErrorCodes.MalformedPickle, $"{where} has a negative dimension in shape ({string.Join(", ", shape)})");
            count *= d;
            if (count * 4 > MaxBytes)
                throw new DarknetException(ErrorCodes.UnsupportedArray, $"{where} has shape ({string.Join(", ", shape)}): more than 2 GiB in one array");
        }
        return (int)count;
    }

    /// <summary>Reorders Fortran-order (first index fastest) values into C order (last index fastest).</summary>
    public static float[] FortranToC(float[] data, int[] shape)
    {
        if (shape.Length < 2) return data;
        var result = new float[data.Length];
        if (data.Length == 0) return result;
        int rank = shape.Length;
        var fortranStride = new long[rank];
        long stride = 1;
        for (int k = 0; k < rank; k++)
        {
            fortranStride[k] = stride;
            stride *= shape[k];
        }
        var index = new int[rank];
        long source = 0;
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = data[source];
            for (int k = rank - 1; k >= 0; k--)
            {
                index[k]++;
                source += fortranStride[k];
                if (index[k] < shape[k]) break;
                source -= fortranStride[k] * shape[k];
                index[k] = 0;
            }
        }
        return result;
    }

    private static string Describe(string name)
    {
        var code = name.TrimStart('<', '>', '=', '|');
        switch (code)
        {
            case "f2": return "float16";
            case "f8": return "float64";
            case "f16": return "float128";
            case "i1": return "int8";
            case "i2": return "int16";
            case "i4": return "int32";
            case "i8": return "int64";
            case "u1": return "uint8";
            case "u2": return "uint16";
            case "u4": return "uint32";
            case "u8": return "uint64";
            case "b1": return "bool";
            case "O": case "O8": return "object";
            default: return code.Length > 0 && char.IsLetter(code[0]) ? code : "non-float32";
        }
    }
}
