package io.softverbs.benchmarks.perf.loop;

/** The measuring side of a latency test: one round trip at a time, timed by {@link LatencyMeter}. */
public interface LatencyClient
{
    /**
     * Called before the barrier that starts a size.
     *
     * @param size the message size about to run.
     */
    void prepare(int size);

    /** Runs one round trip at the prepared size; returns when it is complete. Allocates nothing. */
    void roundTrip();
}
