using Microsoft.ML.Autoencoders.Ops;
using TorchSharp;
using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>Options of the stacked autoencoder (docs/methods.md#stacked-autoencoder): greedy layer-wise pretraining — a
/// one-hidden-layer autoencoder per layer of <see cref="AutoencoderOptions.HiddenLayers"/> and the code, each trained
/// for <see cref="PretrainEpochs"/> on the previous one's codes — then the stacked encoders and mirrored decoders are
/// fine-tuned end to end for <see cref="AutoencoderOptions.Epochs"/>. The history records every phase in order.</summary>
public sealed class StackedAutoencoderOptions : VariantOptions
{
    internal override AutoencoderVariant CreateVariant() => new StackedVariant(this);

    /// <summary>Two hidden layers by default, the smallest stack where pretraining differs from plain training.</summary>
    public StackedAutoencoderOptions() => HiddenLayers = new[] { 128, 64 };

    /// <summary>Epochs of each layer's pretraining; 0 skips pretraining; null (the default) sizes them to the data as
    /// <see cref="AutoencoderOptions.Epochs"/> does, with early stopping (docs/conventions.md#training-length).</summary>
    public int? PretrainEpochs { get; set; }

    /// <summary>Stacked denoising pretraining (Vincent et al. 2010): the share of each layer's input values set to 0
    /// while it pretrains, in [0, 1); 0: none. Fine-tuning sees clean rows.</summary>
    public double PretrainCorruption { get; set; }

    /// <summary>Stacked contractive pretraining (Rifai et al. 2011): the weight of each layer's contractive penalty
    /// ||J||_F^2 while it pretrains, on the same scale as <see cref="ContractiveAutoencoderOptions.ContractionWeight"/>; 0: none.</summary>
    public double PretrainContractionWeight { get; set; }

    internal override void Validate()
    {
        base.Validate();
        Check.Option(PretrainEpochs is null or >= 0, nameof(PretrainEpochs), PretrainEpochs!, "null (sized to the data), 0 (no pretraining) or more");
        Check.Option(PretrainCorruption >= 0 && PretrainCorruption < 1, nameof(PretrainCorruption), PretrainCorruption, "a share in [0, 1)");
        Check.Option(PretrainContractionWeight >= 0 && double.IsFinite(PretrainContractionWeight), nameof(PretrainContractionWeight), PretrainContractionWeight, "a finite number of 0 or more");
    }

}

internal sealed class StackedVariant(StackedAutoencoderOptions options) : DenseVariant(options)
{
    public const string StackedPhase = "stacked";

    /// <summary>Each layer, innermost last, as a one-layer autoencoder trained on the codes of the layers below it;
    /// its weights then go into the stack.</summary>
    protected override void Pretrain(TrainingSession session, DenseAutoencoderNetwork stack, TrainingData train, TrainingData? validation)
    {
        if (options.PretrainEpochs == 0) return;
        var sizes = DenseAutoencoderNetwork.Sizes(train.Size, options.HiddenLayers, options.CodeSize);
        int layers = sizes.Count - 1;
        TrainingData input = train, inputValidation = validation!;
        void ReleaseCodes()
        {
            if (ReferenceEquals(input, train)) return;
            input.Dispose();
            inputValidation?.Dispose();
        }
        try
        {
            for (int l = 0; l < layers; l++)
            {
                // Each layer is trained with the activations it will have in the stack; above the first, it reconstructs
                // the previous layer's codes, so with squared error.
                var loss = l == 0 ? options.Loss : ReconstructionLoss.MeanSquaredError;
                var codeActivation = l == layers - 1 ? options.CodeActivation : options.Activation;
                using var layer = new DenseAutoencoderNetwork(new[] { sizes[l], sizes[l + 1] }, options.Activation, codeActivation, l == 0 ? options.OutputActivation : options.Activation);
                layer.to(train.Device);
                TrainingLoss LayerLoss(Minibatch batch)
                {
                    var z = layer.Encode(batch.Input);
                    var reconstruction = TrainingLoss.Reconstruction(Losses.Mean(loss, layer.Decode(z), batch.Target));
                    return options.PretrainContractionWeight > 0
                        ? reconstruction.Add(ContractiveVariant.ContractionTerm, options.PretrainContractionWeight, ContractiveVariant.LayerPenalty(layer.Encoder.Layers[0], z, codeActivation))
                        : reconstruction;
                }
                Func<Tensor, Tensor>? corrupt = options.PretrainCorruption > 0 ? clean => clean * rand_like(clean).GreaterOrEqual(options.PretrainCorruption) : null;
                var phase = new TrainingPhase($"pretrain layer {l + 1}", layer, LayerLoss, options.PretrainEpochs, corrupt, EpochsOption: nameof(options.PretrainEpochs));
                session.Run(phase, input, validation is null ? null : inputValidation);
                using (no_grad())
                {
                    Copy(layer.Encoder.Layers[0], stack.Encoder.Layers[l]);
                    Copy(layer.Decoder!.Layers[0], stack.Decoder!.Layers[layers - 1 - l]);
                }
                if (l == layers - 1) break;
                layer.eval();
                // The next layer learns this one's codes, kept where the rows are (memory or disk); the previous layer's
                // codes go once these are made (layer 1's input is Fit's own rows).
                var codes = input.Map(layer.Encode, session.BatchSize);
                TrainingData? validationCodes;
                try
                {
                    validationCodes = validation is null ? null : inputValidation.Map(layer.Encode, session.BatchSize);
                }
                catch
                {
                    codes.Dispose();
                    throw;
                }
                ReleaseCodes();
                (input, inputValidation) = (codes, validationCodes!);
            }
        }
        finally
        {
            ReleaseCodes();
        }
        // The stack before fine-tuning, as an epoch 0 of its own phase.
        var whole = new TrainingPhase(StackedPhase, stack, batch => Objective(stack, batch), 0);
        session.Report(new EpochMetrics(0, session.Evaluate(whole, train), validation is null ? null : session.Evaluate(whole, validation), phase: StackedPhase));
    }

    private static void Copy(TorchSharp.Modules.Linear from, TorchSharp.Modules.Linear to)
    {
        to.weight!.copy_(from.weight!);
        to.bias!.copy_(from.bias!);
    }
}
