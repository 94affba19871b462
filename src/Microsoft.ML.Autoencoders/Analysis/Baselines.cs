using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Analysis;

/// <summary>Reference figures to judge an autoencoder against.</summary>
public static class Baselines
{
    /// <summary>Mean squared reconstruction error per feature of <paramref name="test"/> rows under ML.NET's PCA
    /// (<c>ProjectToPrincipalComponents</c>) of the given rank fitted on <paramref name="train"/>: a linear autoencoder
    /// of code size <paramref name="rank"/> at its optimum.</summary>
    /// <remarks>The projection p = U^T (x - mean) has orthonormal U, so the error is ||x - mean||^2 - ||p||^2.</remarks>
    public static double PcaReconstructionError(MLContext mlContext, IDataView train, IDataView test, string column, int rank, int? seed = null)
    {
        var trainRows = DataReader.ReadMatrix(train, column, out int n, out int size);
        var mean = new double[size];
        for (int i = 0; i < n; i++) for (int j = 0; j < size; j++) mean[j] += trainRows[i * size + j] / (double)n;

        const string projection = "__pca_projection";
        var pca = mlContext.Transforms.ProjectToPrincipalComponents(projection, column, rank: rank, seed: seed).Fit(train);
        var scored = pca.Transform(test);
        var x = DataReader.ReadMatrix(scored, column, out int rows, out _);
        var p = DataReader.ReadMatrix(scored, projection, out _, out int k);
        double error = 0;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < size; j++) error += Math.Pow(x[i * size + j] - mean[j], 2);
            for (int j = 0; j < k; j++) error -= (double)p[i * k + j] * p[i * k + j];
        }
        return Math.Max(0, error) / ((double)rows * size);
    }
}
