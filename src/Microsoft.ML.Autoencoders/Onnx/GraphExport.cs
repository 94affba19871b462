using Microsoft.ML.Autoencoders.Networks;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Onnx;

/// <summary>Writes a network into an ONNX graph with one input (the input column) and one output per output column.</summary>
internal static class GraphExport
{
    public static OnnxGraph Build(AutoencoderVariant variant, AutoencoderNetwork network, ModelState state)
    {
        var graph = new OnnxGraph();
        var inputColumn = variant.Options.InputColumnName;
        var input = graph.Input(inputColumn, state.InputSize);
        Dictionary<string, string> values;
        using (no_grad()) values = variant.EmitOutputs(graph, network, input);
        foreach (var column in state.Outputs)
            graph.Output(values[column.Name], OnnxNames.Of(column.Name, inputColumn), column.Size == 0 ? Array.Empty<long>() : new long[] { column.Size }, column.Type);
        return graph;
    }
}
