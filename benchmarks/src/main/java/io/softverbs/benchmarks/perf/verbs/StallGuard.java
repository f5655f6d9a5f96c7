package io.softverbs.benchmarks.perf.verbs;

import java.util.concurrent.TimeUnit;

import io.softverbs.LinePadding;
import io.softverbs.benchmarks.perf.PerfException;

/**
 * Bounds every busy wait: a loop calls {@link #idle()} each time it found nothing to do and {@link #reset()} when
 * it made progress; after {@link #STALL_NANOS} without progress the run fails instead of hanging. Reads the clock
 * only once every few thousand idle spins, so it costs nothing on the measured path.
 */
public final class StallGuard extends LinePadding
{
    /** Longest time without progress before a run is declared stalled. */
    public static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final int CLOCK_MASK = 0xFFF;

    private final String what;
    private int spins;
    private long deadline;

    /** @param what the wait, for the failure message. */
    public StallGuard(final String what)
    {
        this.what = what;
    }

    /** Progress was made: start counting afresh. */
    public void reset()
    {
        spins = 0;
        deadline = 0;
    }

    /** Nothing to do this spin. @throws PerfException when no progress was made for too long. */
    public void idle()
    {
        if ((++spins & CLOCK_MASK) == 0)
        {
            checkClock();
        }
    }

    private void checkClock()
    {
        final long now = System.nanoTime();
        if (deadline == 0)
        {
            deadline = now + STALL_NANOS;
        }
        else if (now - deadline > 0)
        {
            throw PerfException.stalled(what, STALL_NANOS);
        }
    }
}
