package io.softverbs.benchmarks.perf.oob;

import java.io.IOException;

/**
 * The side channel two softverbs-perf processes (or threads) talk over, apart from the verbs being measured:
 * endpoint exchange, barriers between sizes, the client's "this phase is done" (each warm-up slice, then the
 * measurement) and the server's report back.
 * Both sides make the calls in the same order; every blocking call is bounded by a timeout.
 */
public interface OutOfBand extends AutoCloseable
{
    /**
     * @param local what this side tells the peer.
     * @return what the peer told this side.
     * @throws IOException on failure or timeout.
     */
    PeerInfo exchange(PeerInfo local) throws IOException;

    /**
     * Returns when both sides have called it.
     *
     * @throws IOException on failure or timeout.
     */
    void barrier() throws IOException;

    /**
     * Client: the current size is measured; the server may stop serving it.
     *
     * @throws IOException on failure.
     */
    default void requestStop() throws IOException
    {
        requestStop(true);
    }

    /**
     * Client: ends the phase the server is serving (a warm-up slice, or the measurement); the server answers with
     * {@link #sendReport(long)} either way.
     *
     * @param sizeDone true if the size is over (the measurement ended), false if another phase of it follows.
     * @throws IOException on failure.
     */
    void requestStop(boolean sizeDone) throws IOException;

    /**
     * Server: never blocks.
     *
     * @return true once the client has called {@link #requestStop(boolean)} for the current phase.
     * @throws IOException on failure.
     */
    boolean stopRequested() throws IOException;

    /**
     * Server: after {@link #stopRequested()} returned true.
     *
     * @return true if that stop ended the size, false if the client runs another phase of it.
     */
    boolean sizeDone();

    /**
     * Server: answers a stop with a figure for the client to print (the bytes its thread allocated).
     *
     * @param value the figure.
     * @throws IOException on failure.
     */
    void sendReport(long value) throws IOException;

    /**
     * Client: the server's answer to {@link #requestStop()}.
     *
     * @return the figure the server sent.
     * @throws IOException on failure or timeout.
     */
    long receiveReport() throws IOException;

    /** @return how the exchange travels, for the banner (perftest's "Data ex. method"). */
    String description();

    /** Releases the channel; a peer blocked on it fails instead of waiting for its timeout. */
    @Override
    void close();
}
