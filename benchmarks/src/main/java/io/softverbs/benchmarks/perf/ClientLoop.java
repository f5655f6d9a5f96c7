package io.softverbs.benchmarks.perf;

/**
 * The measuring side of a test, one size at a time: warm-up slices, then the measurement, all through the same
 * loop, so that what the JIT compiled (and what class loading and constant resolution it triggered) while warming
 * up is exactly what runs measured.
 */
public interface ClientLoop
{
    /**
     * Called before the barrier that starts a size.
     *
     * @param size the message size about to run.
     */
    void prepare(int size);

    /**
     * Runs one unreported slice of the measured loop (the server is serving meanwhile). Allocates nothing beyond
     * what the measured loop would: the caller reads the thread's allocation around it.
     *
     * @param size       the message size.
     * @param count      iterations to run, unless durationNs stops the slice first.
     * @param durationNs if positive, stop after this long (the way {@code -D} measures), else run count.
     * @return the iterations run.
     */
    long warmUp(int size, long count, long durationNs);

    /**
     * Runs the measured iterations of a size (the server is serving meanwhile), after {@link #warmUp}.
     *
     * @param size the message size.
     * @return the figures, without the server's allocation (the caller adds it).
     */
    SizeResult measure(int size);
}
