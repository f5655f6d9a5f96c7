package io.softverbs.benchmarks.perf;

/** What the server side of a test does while the client measures one size: echo, repost receives, or progress. */
public interface ServerLoop
{
    /**
     * Called before the barrier that starts a size, so the client cannot act before this side is ready.
     *
     * @param size the message size about to run.
     */
    void prepare(int size);

    /** @param stop fires when the client has measured the size; the loop then returns. */
    void serve(StopSignal stop);
}
