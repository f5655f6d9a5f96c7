package io.softverbs.benchmarks.perf;

import java.util.concurrent.TimeUnit;

import io.softverbs.Errors;
import io.softverbs.WorkCompletion;

/**
 * A test run failed: a refused post, an error completion, a stall, or a peer that broke the exchange.
 *
 * <p>The data path's failures are built by the factories here, so that the classes of the measured loops hold no
 * string constant of their own: when the JIT is asked for a C2 compilation of a method, the asking thread first
 * resolves every string constant of the method's class, allocating each one not resolved yet, on a measured
 * thread (see {@code Warmup}).
 */
public final class PerfException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong. */
    public PerfException(final String message)
    {
        super(message);
    }

    /** @param message what went wrong. @param cause the underlying failure. */
    public PerfException(final String message, final Throwable cause)
    {
        super(message, cause);
    }

    /** @param rc what postSend returned. @return the failure. */
    public static PerfException postSendRefused(final int rc)
    {
        return new PerfException("postSend refused: " + Errors.name(rc));
    }

    /** @param rc what postRecv returned. @return the failure. */
    public static PerfException postRecvRefused(final int rc)
    {
        return new PerfException("postRecv refused: " + Errors.name(rc));
    }

    /** @param wc the send completion in error. @return the failure. */
    public static PerfException sendCompletionFailed(final WorkCompletion wc)
    {
        return new PerfException("send completion failed: " + wc);
    }

    /** @param wc the receive completion in error. @return the failure. */
    public static PerfException receiveCompletionFailed(final WorkCompletion wc)
    {
        return new PerfException("receive completion failed: " + wc);
    }

    /** @param what the wait. @param nanos how long it made no progress. @return the failure. */
    public static PerfException stalled(final String what, final long nanos)
    {
        return new PerfException(what + " made no progress for " + TimeUnit.NANOSECONDS.toSeconds(nanos) + " s");
    }
}
