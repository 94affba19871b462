namespace Microsoft.ML.Autoencoders.Onnx;

/// <summary>ML.NET's ONNX transformer names graph inputs and outputs after columns; a graph cannot have an output of
/// its input's name, so an output column that replaces the input column gets an internal graph name (copied after),
/// as does a key column, whose ids are mapped to keys after, and a vector named Score, which the scalars' route through
/// the Score column would otherwise overwrite (MLNet/FirstPartyChain.cs).</summary>
internal static class OnnxNames
{
    /// <summary>The column ML.NET's predictors write, through which the saved chain makes one-value columns scalars.</summary>
    public const string ScoreColumn = "Score";

    public static string Of(OutputColumn column, string inputColumn)
        => column.Type == OutputType.Key || column.Name == inputColumn || column.Name == ScoreColumn && !column.IsMLNetScalar
            ? "_ae/out/" + column.Name : column.Name;
}
