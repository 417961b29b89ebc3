namespace Darknet.Weights.Tests.Conversion;

/// <summary>Small hand-written cfgs that cover every kind of weighted layer in a few hundred floats.</summary>
internal static class TestCfgs
{
    /// <summary>
    /// BN conv 3->4 (3x3), no-BN grouped conv 4->6 (groups=2, 1x1), maxpool to 2x2, connected 24->5, connected 5->3 with BN,
    /// [batchnorm] over 3. Float counts: 124, 18, 125, 27, 9 = 303.
    /// </summary>
    public const string Mixed = """
        [net]
        height=4
        width=4
        channels=3

        [convolutional]
        batch_normalize=1
        filters=4
        size=3
        stride=1
        pad=1
        activation=leaky

        [convolutional]
        filters=6
        groups=2
        size=1
        stride=1
        pad=1
        activation=linear

        [maxpool]
        size=2
        stride=2

        [connected]
        output=5
        activation=leaky

        [connected]
        output=3
        batch_normalize=1
        activation=linear

        [batchnorm]
        """;

    public const long MixedFloats = 303;

    public static readonly string[] MixedNames = { "c1", "c2", "fc1", "fc2", "bn1" };

    /// <summary>Two convs: 1->2 (1x1, BN: 8+2 = 10 floats) then 2->3 (3x3, no BN: 3+54 = 57 floats).</summary>
    public const string TwoConvs = """
        [net]
        height=8
        width=8
        channels=1

        [convolutional]
        batch_normalize=1
        filters=2
        size=1
        stride=1
        pad=1
        activation=leaky

        [convolutional]
        filters=3
        size=3
        stride=1
        pad=1
        activation=linear
        """;

    public static readonly string[] TwoConvNames = { "conv_a", "conv_b" };
}
