using TorchSharp;
using Microsoft.ML.Autoencoders.Networks;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>Options of the stacked autoencoder (METHODS.md section 7): greedy layer-wise pretraining — a
/// one-hidden-layer autoencoder per layer of <see cref="AutoencoderOptions.HiddenLayers"/> and the code, each trained
/// for <see cref="PretrainEpochs"/> on the previous one's codes — then the stacked encoders and mirrored decoders are
/// fine-tuned end to end for <see cref="AutoencoderOptions.Epochs"/>. The history records every phase in order.</summary>
public sealed class StackedAutoencoderOptions : AutoencoderOptions
{
    /// <summary>Two hidden layers by default, the smallest stack where pretraining differs from plain training.</summary>
    public StackedAutoencoderOptions() => HiddenLayers = new[] { 128, 64 };

    /// <summary>Epochs of each layer's pretraining; 0 skips pretraining.</summary>
    public int PretrainEpochs { get; set; } = 10;

    internal override void Validate()
    {
        base.Validate();
        Require(PretrainEpochs >= 0, nameof(PretrainEpochs), PretrainEpochs, "0 (no pretraining) or more");
    }

    internal override AutoencoderVariant CreateVariant() => new StackedVariant(this);
}

internal sealed class StackedVariant(StackedAutoencoderOptions options) : AutoencoderVariant(options)
{
    public const string StackedPhase = "stacked";

    public override void Pretrain(TrainingSession session, AutoencoderNetwork network, Tensor train, Tensor? validation, Tensor? trainAuxiliary, Tensor? validationAuxiliary)
    {
        if (options.PretrainEpochs == 0) return;
        var stack = (DenseAutoencoderNetwork)network;
        var device = network.parameters().First().device;
        var sizes = new List<int> { (int)train.shape[1] };
        sizes.AddRange(options.HiddenLayers);
        sizes.Add(options.CodeSize);
        int layers = sizes.Count - 1;
        Tensor input = train, inputValidation = validation!;
        for (int l = 0; l < layers; l++)
        {
            // Each layer is trained with the activations it will have in the stack; above the first, it reconstructs
            // the previous layer's codes, so with squared error.
            var layerOptions = options.Clone();
            layerOptions.HiddenLayers = Array.Empty<int>();
            layerOptions.CodeSize = sizes[l + 1];
            layerOptions.CodeActivation = l == layers - 1 ? options.CodeActivation : options.Activation;
            layerOptions.OutputActivation = l == 0 ? options.OutputActivation : options.Activation;
            layerOptions.Loss = l == 0 ? options.Loss : ReconstructionLoss.MeanSquaredError;
            using var layer = new DenseAutoencoderNetwork(sizes[l], layerOptions);
            layer.to(device);
            session.RunPhase(new AutoencoderVariant(layerOptions), layer, input, validation is null ? null : inputValidation, options.PretrainEpochs, $"pretrain layer {l + 1}");
            using (no_grad())
            {
                Copy(layer.Encoder.Layers.Single(), stack.Encoder.Layers.ElementAt(l));
                Copy(layer.Decoder.Layers.Single(), stack.Decoder.Layers.ElementAt(layers - 1 - l));
                layer.eval();
                input = layer.Encode(input);
                if (validation is not null) inputValidation = layer.Encode(inputValidation);
            }
        }
        // The stack before fine-tuning, as an epoch 0 of its own phase.
        session.Report(new EpochMetrics(0, TrainingSession.Evaluate(this, network, train, options.BatchSize),
            validation is null ? null : TrainingSession.Evaluate(this, network, validation, options.BatchSize), phase: StackedPhase));
    }

    private static void Copy(TorchSharp.Modules.Linear from, TorchSharp.Modules.Linear to)
    {
        to.weight!.copy_(from.weight!);
        to.bias!.copy_(from.bias!);
    }
}
