namespace Microsoft.ML.HyperDpo.Evaluation;

/// <summary>A Monte-Carlo estimate of a hypervolume, from <see cref="Hypervolume.MonteCarlo"/>.</summary>
/// <param name="Value">The estimated hypervolume: the fraction of samples that some point dominates, times the volume of the sampling box.</param>
/// <param name="StandardError">
/// The binomial standard error of that estimate, <c>boxVolume * sqrt(f (1 - f) / samples)</c> for the
/// dominated fraction <c>f</c>. It is 0 when every sample or no sample is dominated.
/// </param>
public sealed record HypervolumeEstimate(double Value, double StandardError);
