namespace Microsoft.ML.Autoencoders;

/// <summary>Element-wise nonlinearity of a layer.</summary>
public enum Activation
{
    /// <summary>No nonlinearity (a linear layer).</summary>
    Identity,
    /// <summary>max(x, 0).</summary>
    Relu,
    /// <summary>max(x, 0.01 x).</summary>
    LeakyRelu,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh,
    /// <summary>Logistic sigmoid, 1 / (1 + e^-x).</summary>
    Sigmoid,
}

/// <summary>How the reconstruction is compared with the input.</summary>
public enum ReconstructionLoss
{
    /// <summary>Mean squared error over rows and features.</summary>
    MeanSquaredError,
    /// <summary>Mean per-feature binary cross-entropy; inputs must lie in [0, 1] and the output activation must be <see cref="Activation.Sigmoid"/>.</summary>
    BinaryCrossEntropy,
}
