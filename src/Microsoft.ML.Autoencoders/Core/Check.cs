namespace Microsoft.ML.Autoencoders;

/// <summary>Argument checks whose messages name the option or argument, the value found and what is expected.</summary>
internal static class Check
{
    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> unless <paramref name="condition"/> holds.</summary>
    public static void Option(bool condition, string option, object value, string expected)
    {
        if (!condition)
            throw new ArgumentOutOfRangeException(option, value, $"Option {option} is {value}; expected {expected}.");
    }
}
