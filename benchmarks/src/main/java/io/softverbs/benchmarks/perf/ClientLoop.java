package io.softverbs.benchmarks.perf;

/** The measuring side of a test: warms up and measures one size at a time. */
public interface ClientLoop
{
    /**
     * Called before the barrier that starts a size.
     *
     * @param size the message size about to run.
     */
    void prepare(int size);

    /**
     * Runs the warm-up and the measured iterations of a size (the server is serving meanwhile).
     *
     * @param size the message size.
     * @return the figures, without the server's allocation (the caller adds it).
     */
    SizeResult measure(int size);
}
