package io.softverbs.benchmarks.perf;

/** The figures of one message size: a latency or a bandwidth row, plus what both sides allocated meanwhile. */
public sealed interface SizeResult permits LatencyResult, BandwidthResult
{
    /** @return the message size in bytes. */
    int size();

    /** @return the measured iterations (round trips or messages). */
    long iterations();

    /** @return bytes the measuring thread allocated while measuring, or -1 if the JVM cannot tell. */
    long clientAllocatedBytes();

    /** @return bytes the server thread allocated while serving, or -1 if unknown. */
    long serverAllocatedBytes();

    /**
     * @param bytes what the server reported.
     * @return this result with the server's allocation filled in.
     */
    SizeResult withServerAllocation(long bytes);
}
