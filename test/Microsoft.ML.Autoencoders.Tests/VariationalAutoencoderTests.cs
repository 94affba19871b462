namespace Microsoft.ML.Autoencoders.Tests;

[TestClass]
public sealed class VariationalAutoencoderTests : EstimatorSuite
{
    protected override AutoencoderOptions SmallOptions(int seed) => new VariationalAutoencoderOptions
    {
        CodeSize = 4, HiddenLayers = new[] { 32 }, Epochs = 3, BatchSize = 64, Seed = seed, Threads = 1,
        Loss = ReconstructionLoss.BinaryCrossEntropy, OutputActivation = Activation.Sigmoid, LogVarianceColumnName = "LogVariance",
        ReconstructionColumnName = "Reconstruction", ReconstructionErrorColumnName = "Error",
    };

    protected override IEstimator<AutoencoderTransformer> Create(MLContext ml, AutoencoderOptions options) => ml.Transforms.VariationalAutoencoder((VariationalAutoencoderOptions)options);

    private static VariationalAutoencoderOptions DigitsOptions(int epochs, double learningRate) => new()
    {
        CodeSize = 8, HiddenLayers = new[] { 128 }, Epochs = epochs, LearningRate = learningRate, BatchSize = 64, Seed = 2, Threads = 1,
        Loss = ReconstructionLoss.BinaryCrossEntropy, OutputActivation = Activation.Sigmoid, ValidationFraction = 0.2, EarlyStoppingPatience = 0,
        KlWarmupEpochs = 5,
    };

    [TestCategory("Slow")]
    [TestMethod]
    public void Held_out_negative_ELBO_falls_far_below_the_untrained_models_and_KL_is_never_negative()
    {
        var ml = new MLContext(1);
        var data = TestData.ToDataView(ml, TestData.Digits.X);
        using var untrained = ml.Transforms.VariationalAutoencoder(DigitsOptions(1, 1e-9)).Fit(data);
        using var trained = ml.Transforms.VariationalAutoencoder(DigitsOptions(60, 2e-3)).Fit(data);
        var history = trained.TrainingHistory;
        // Grey pixels make the Bernoulli likelihood's floor the data's own entropy, sum_i H(x_i): no model goes below it.
        double floor = TestData.Digits.X.Average(r => r.Sum(v => v <= 0 || v >= 1 ? 0 : -(v * Math.Log(v) + (1 - v) * Math.Log(1 - v))));
        Console.WriteLine($"held-out -ELBO: untrained {untrained.FinalValidationLoss:F2}, epoch 1 {history[0].ValidationLoss:F2}, trained {trained.FinalValidationLoss:F2}, entropy floor {floor:F2} (nats per row); final KL {history[^1].Terms["kl"]:F2}");
        Assert.IsTrue(history[^1].ValidationLoss < history[0].ValidationLoss);
        Assert.IsTrue(trained.FinalValidationLoss - floor < 0.5 * (untrained.FinalValidationLoss - floor));
        Assert.IsTrue(history.All(h => h.Terms["kl"] >= 0 && h.Terms.ContainsKey("reconstruction")));
    }

    [TestCategory("Slow")]
    [TestMethod]
    public void The_validation_loss_is_the_negative_ELBO_with_z_sampled_not_decoded_at_the_mean()
    {
        var ml = new MLContext(1);
        var (x, _) = TestData.Digits;
        var options = DigitsOptions(15, 2e-3);
        options.ValidationFraction = 0;
        options.LogVarianceColumnName = "LogVariance";
        var held = x.Skip(1200).Take(300).ToArray();
        options.ValidationData = TestData.ToDataView(ml, held);
        using var model = ml.Transforms.VariationalAutoencoder(options).Fit(TestData.ToDataView(ml, x.Take(1200).ToArray()));
        var scored = model.Transform(options.ValidationData);
        var means = TestData.Column(scored, "Code");
        var logVariances = TestData.Column(scored, "LogVariance");
        // Independently, through the saved graphs: -ELBO = E_q[-log p(x|z)] + KL(q || N(0, I)), 40 samples a row.
        static double Nll(float[] row, float[] p) => -row.Zip(p).Sum(v => v.First * Math.Log(Math.Max(v.Second, 1e-7)) + (1 - v.First) * Math.Log(Math.Max(1 - v.Second, 1e-7)));
        var rand = new Random(5);
        double elbo = 0, atMean = 0;
        for (int i = 0; i < held.Length; i++)
        {
            double kl = -0.5 * means[i].Zip(logVariances[i]).Sum(q => 1 + q.Second - q.First * q.First - Math.Exp(q.Second));
            double sampled = Enumerable.Range(0, 40).Average(_ => Nll(held[i], model.Decode(means[i].Zip(logVariances[i]).Select(q => (float)(q.First + Math.Exp(0.5 * q.Second) * TestData.Gaussian(rand))).ToArray())));
            elbo += (sampled + kl) / held.Length;
            atMean += (Nll(held[i], model.Decode(means[i])) + kl) / held.Length;
        }
        Console.WriteLine($"-ELBO reported {model.FinalValidationLoss:F3}, independent estimate {elbo:F3}; decoding the posterior mean instead {atMean:F3} (nats per row)");
        Assert.AreEqual(elbo, model.FinalValidationLoss!.Value, 0.02 * elbo, "the reported loss estimates the negative ELBO");
        Assert.IsTrue(elbo - atMean > 0.04 * elbo, "the mean-decoded figure is far enough below the ELBO for the check above to tell them apart");
    }

    [TestMethod]
    public void Generated_and_decoded_rows_have_the_datas_size_and_range_also_after_reload()
    {
        var ml = new MLContext(1);
        var data = TestData.ToDataView(ml, TestData.Digits.X);
        using var model = ml.Transforms.VariationalAutoencoder(DigitsOptions(20, 2e-3)).Fit(data);
        var generated = model.Generate(50, seed: 3);
        Assert.AreEqual(50, generated.Length);
        Assert.IsTrue(generated.All(r => r.Length == 64 && r.All(v => v >= 0 && v <= 1)));
        Assert.IsTrue(generated.Select(r => r.Average()).Distinct().Count() > 40, "samples differ");
        EstimatorSuite.AssertClose(generated, model.Generate(50, seed: 3), 0, "same seed, same samples");
        // Generated digits look like digits on average: mean ink close to the data's.
        double dataInk = TestData.Digits.X.Average(r => r.Average()), generatedInk = generated.Average(r => r.Average());
        Assert.AreEqual(dataInk, generatedInk, 0.1);

        var path = Path.GetTempFileName();
        ml.Model.Save(model, data.Schema, path);
        using var reloaded = (VariationalAutoencoderTransformer)AutoencoderTransformer.Load(new MLContext(), path);
        File.Delete(path);
        EstimatorSuite.AssertClose(generated, reloaded.Generate(50, seed: 3), 0, "generation after reload");
        var latent = new float[] { 0.5f, -1, 0, 0, 1, 0, 0, 0.25f };
        CollectionAssert.AreEqual(model.Decode(latent), reloaded.Decode(latent));
    }

    [TestMethod]
    public void Bad_variational_options_and_arguments_are_named()
    {
        var ml = new MLContext(1);
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.VariationalAutoencoder(new VariationalAutoencoderOptions { Beta = -1 })).Message, "Beta");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.VariationalAutoencoder(new VariationalAutoencoderOptions { KlWarmupEpochs = -1 })).Message, "KlWarmupEpochs");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.VariationalAutoencoder(new VariationalAutoencoderOptions { CodeActivation = Activation.Relu })).Message, "CodeActivation");
        using var model = (VariationalAutoencoderTransformer)Create(ml, SmallOptions(1)).Fit(TestData.ToDataView(ml, Rows));
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => model.Generate(0)).Message, "count");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => model.Decode(new float[3])).Message, "3 values");
    }
}
