namespace Microsoft.ML.HyperDpo;

/// <summary>
/// An <see cref="IProgress{T}"/> that hands each record to its handler at once, on the reporting thread, in order.
/// </summary>
/// <remarks>
/// <see cref="Progress{T}"/> posts each record to the synchronization context it captured, or to the thread pool when there
/// is none (a console application, a test): records then arrive late, possibly out of order, and possibly after the
/// training call has returned. This type suits a handler that is cheap and thread-safe for the reporting thread, such as
/// appending to a list or updating a console line; the trainers' <c>Progress</c> options accept either.
/// </remarks>
/// <typeparam name="T">The record type, e.g. <see cref="TrainingProgress"/>.</typeparam>
/// <param name="handler">Called with each record, before <see cref="Report"/> returns.</param>
public sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    private readonly Action<T> _handler = handler ?? throw new ArgumentNullException(nameof(handler));

    /// <summary>Calls the handler with <paramref name="value"/> on the calling thread.</summary>
    public void Report(T value) => _handler(value);
}
