using Xunit;

namespace Darknet.Testing;

/// <summary>
/// Debian's python3-opencv (cv2.dnn.readNetFromDarknet): an independent Darknet reader to hold the converter against.
/// Outside CI a machine without it skips; with CI=true the tests fail instead, since ./test.sh installs python3-opencv.
/// </summary>
public static class OpenCv
{
    private static readonly Lazy<bool> Available = new(() => Numpy.CanImport("cv2"));

    public static void Require()
    {
        Numpy.Require();
        if (Available.Value) return;
        var ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (ci) throw new InvalidOperationException($"{Numpy.Python} cannot import cv2, and under CI the OpenCV cross-checks must run (./test.sh installs python3-opencv)");
        Skip.If(true, $"{Numpy.Python} with OpenCV is not installed (apt-get install python3-opencv)");
    }
}
