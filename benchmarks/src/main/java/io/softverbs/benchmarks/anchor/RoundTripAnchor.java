package io.softverbs.benchmarks.anchor;

import org.HdrHistogram.Histogram;

/**
 * An inter-thread ping-pong a user would pick instead of softverbs: the calling thread sends a message, an echo
 * thread returns it, and each round trip is timed. The echo thread runs only while {@link #measure} does, so it
 * takes no core from whatever is measured next.
 * <p>
 * Each implementation keeps its own timed loop on purpose: in one shared loop the round trip would be a call with
 * three receivers, which the JIT cannot inline, and the anchor would be measured slower than it is.
 */
public interface RoundTripAnchor extends AutoCloseable
{
    /** @return what is measured, for the report. */
    String name();

    /**
     * @param warmup     unrecorded round trips first.
     * @param iterations recorded round trips.
     * @return the round trips in nanoseconds.
     */
    Histogram measure(int warmup, int iterations);

    @Override
    void close();
}
