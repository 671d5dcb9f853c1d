namespace Microsoft.ML.HyperDpo.Tests.Training;

/// <summary>An <see cref="IProgress{T}"/> that handles each record at once, on the reporting thread.</summary>
internal sealed class SynchronousProgress<T>(Action<T> handle) : IProgress<T>
{
    public void Report(T value) => handle(value);
}
