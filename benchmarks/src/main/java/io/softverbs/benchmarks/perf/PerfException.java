package io.softverbs.benchmarks.perf;

/** A test run failed: a refused post, an error completion, a stall, or a peer that broke the exchange. */
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
}
