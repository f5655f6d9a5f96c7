package io.softverbs.benchmarks.perf;

import org.HdrHistogram.Histogram;

/**
 * One latency row: the measured round trips of a size, in nanoseconds, and the divisor perftest applies when
 * it reports them (2 for send_lat and write_lat, whose row is half the round trip).
 *
 * @param size                 message size in bytes.
 * @param iterations           measured round trips.
 * @param roundTrips           histogram of the round trips in nanoseconds.
 * @param divisor              1 or 2.
 * @param clientAllocatedBytes bytes the measuring thread allocated while measuring, or -1.
 * @param serverAllocatedBytes bytes the server thread allocated while serving, or -1.
 */
public record LatencyResult(int size, long iterations, Histogram roundTrips, int divisor, long clientAllocatedBytes,
    long serverAllocatedBytes) implements SizeResult
{
    /** @return the row's figures in microseconds, as reported. */
    public LatencyStats stats()
    {
        return LatencyStats.of(roundTrips, divisor);
    }

    /** @return the median round trip in nanoseconds (whole, not divided). */
    public double medianRoundTripNanos()
    {
        return roundTrips.getValueAtPercentile(50.0);
    }

    @Override
    public LatencyResult withServerAllocation(final long bytes)
    {
        return new LatencyResult(size, iterations, roundTrips, divisor, clientAllocatedBytes, bytes);
    }
}
