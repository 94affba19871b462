using Microsoft.ML.Autoencoders.Networks;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Onnx;

/// <summary>A network's decoder as a graph of its own (input "latent" [batch, code], output "decoded"), kept in the
/// model file beside the main graph so generation works after reload.</summary>
internal static class DecoderExport
{
    private const string Input = "latent", Output = "decoded";

    public static byte[] Build(AutoencoderNetwork network, int codeSize, int inputSize)
    {
        var graph = new OnnxGraph();
        string decoded;
        using (no_grad()) decoded = network.EmitDecoder(graph, graph.Input(Input, codeSize));
        graph.Output(decoded, Output, new long[] { inputSize });
        return graph.ToModel(new Dictionary<string, string>());
    }

    /// <summary>The scorer of an auxiliary decoder graph taking latent vectors of <paramref name="latentSize"/>.</summary>
    public static OnnxScorer Scorer(ModelState state, string name, int latentSize)
        => new(state.Graphs[name], Input, latentSize, new[] { new OutputColumn(Output, state.InputSize) }, new[] { Output });
}
