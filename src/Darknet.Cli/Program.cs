using System;
using System.IO;

namespace Darknet.Cli
{
    /// <summary>The <c>darknet</c> command: <c>convert</c> and <c>inspect</c>. Exit codes: 0 ok, 1 failed, 2 usage error.</summary>
    public static class Program
    {
        public const int Ok = 0;
        public const int Failed = 1;
        public const int UsageError = 2;

        public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

        public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                var writer = args.Length == 0 ? stderr : stdout;
                writer.Write(Usage);
                return args.Length == 0 ? UsageError : Ok;
            }

            var rest = args[1..];
            switch (args[0])
            {
                case "convert":
                    return ConvertCommand.Run(rest, stdout, stderr);
                case "inspect":
                    return InspectCommand.Run(rest, stdout, stderr);
                default:
                    stderr.WriteLine($"darknet: {Darknet.Weights.ErrorCodes.BadCommandLine}: unknown command '{args[0]}'");
                    stderr.Write(Usage);
                    return UsageError;
            }
        }

        public const string Usage =
            "usage:\n" +
            "  darknet convert --model darknet|yolo|yolov3|yolov3_feat --weights_dir DIR --save_dir DIR [--format npy|npz|onnx|safetensors]\n" +
            "  darknet convert --cfg FILE --weights FILE --out FILE.npy [--layers N] [--format npy|npz|onnx|safetensors]\n" +
            "  darknet inspect FILE.npy|FILE.npz|FILE.safetensors\n";
    }
}
