package io.softverbs.benchmarks.perf;

/**
 * One bandwidth row. MB is 2^20 bytes, as perftest's; the message rate is in millions per second.
 *
 * @param size                  message size in bytes.
 * @param iterations            messages completed.
 * @param elapsedNanos          from the first post to the last completion.
 * @param peakMessagesPerSecond the best rate over any slice of at least {@link #PEAK_SLICE_NANOS} and ten
 *                              signaled completions; the average if the run was shorter.
 * @param clientAllocatedBytes  bytes the posting thread allocated while measuring, or -1.
 * @param serverAllocatedBytes  bytes the server thread allocated while serving, or -1.
 */
public record BandwidthResult(int size, long iterations, long elapsedNanos, double peakMessagesPerSecond,
    long clientAllocatedBytes, long serverAllocatedBytes) implements SizeResult
{
    /** Shortest slice the peak is taken over. */
    public static final long PEAK_SLICE_NANOS = 1_000_000;
    private static final double MEGABYTE = 1 << 20;

    /** @return messages per second over the whole run. */
    public double messagesPerSecond()
    {
        return elapsedNanos <= 0 ? 0 : iterations * 1e9 / elapsedNanos;
    }

    /** @return BW average[MB/sec]. */
    public double averageMegabytesPerSecond()
    {
        return messagesPerSecond() * size / MEGABYTE;
    }

    /** @return BW peak[MB/sec]. */
    public double peakMegabytesPerSecond()
    {
        return Math.max(peakMessagesPerSecond, messagesPerSecond()) * size / MEGABYTE;
    }

    /** @return MsgRate[Mpps]. */
    public double messageRateMpps()
    {
        return messagesPerSecond() / 1e6;
    }

    @Override
    public BandwidthResult withServerAllocation(final long bytes)
    {
        return new BandwidthResult(size, iterations, elapsedNanos, peakMessagesPerSecond, clientAllocatedBytes, bytes);
    }
}
