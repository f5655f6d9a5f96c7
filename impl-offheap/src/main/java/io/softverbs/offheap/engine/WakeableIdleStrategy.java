package io.softverbs.offheap.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import io.softverbs.LinePadding;
import org.agrona.concurrent.IdleStrategy;

/**
 * The idle strategy of a DEDICATED engine thread: it backs off as Agrona's {@code BackoffIdleStrategy} does (spin,
 * yield, then park for periods that double up to a maximum), so an idle device costs no CPU, and whoever gives the
 * engine work wakes it at once ({@link #wake}), as a doorbell interrupts an RNIC. Without the wake a message to an
 * idle engine waited out the rest of its park: a round trip after a pause of a millisecond or more took 0.5-1.5 ms.
 * <p>
 * No wake-up is lost: before it parks the thread announces it ({@link #PARKING}, a volatile store) and then looks
 * for work once more; a producer makes its work visible, fences, and unparks a thread it sees parking. One of the
 * two sees the other. A producer skips the fence while the thread is still working or spinning: the thread then
 * yields for microseconds before it announces a park, and its last look comes long after the producer's store is
 * visible. Were that ever wrong, the park's own timeout would still end the wait.
 * <p>
 * Timers ring nothing, so a park never outlasts the engine's earliest timer (a retransmission, an RNR retry).
 */
public final class WakeableIdleStrategy extends LinePadding implements IdleStrategy
{
    /** Working, or spinning between cycles: a producer does nothing. */
    static final int WORKING = 0;
    /** Yielding, or between two parks: a producer fences and looks again. */
    static final int BACKING_OFF = 1;
    /** About to park, or parked: a producer unparks the thread. */
    static final int PARKING = 2;

    /**
     * A constant, resolved when the class is initialised: a literal in {@link #alias} would be allocated on the engine
     * thread when C2 first compiles a method of this class, which resolves every string the class's code names.
     */
    private static final String ALIAS = "wakeable-backoff";
    private static final VarHandle PHASE;

    static
    {
        try
        {
            PHASE = MethodHandles.lookup().findVarHandle(WakeableIdleStrategy.class, "phase", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @SuppressWarnings("unused") // accessed through PHASE
    private volatile int phase;
    /** The idling thread; written before the first {@link #PARKING} store, which publishes it. */
    private Thread thread;
    private final BooleanSupplier hasWork;
    private final LongSupplier nanosToDeadline;
    private final int maxSpins;
    private final int maxYields;
    private final long minParkNs;
    private final long maxParkNs;
    /** Set when the agent is about to be closed: parks end, so closing never waits one out. */
    private volatile boolean stopped;
    private int spins;
    private int yields;
    private long parkNs;

    /**
     * @param hasWork         whether work is waiting (read-only, from the idling thread): the last look before a park.
     * @param nanosToDeadline how long until the engine's earliest timer is due (a park ends by then), or
     *                        {@link Long#MAX_VALUE} if none is armed.
     * @param maxSpins        idle calls that spin.
     * @param maxYields       idle calls after them that yield.
     * @param minParkNs       the first park's length; each next one doubles it.
     * @param maxParkNs       the longest park.
     */
    public WakeableIdleStrategy(
        final BooleanSupplier hasWork,
        final LongSupplier nanosToDeadline,
        final int maxSpins,
        final int maxYields,
        final long minParkNs,
        final long maxParkNs)
    {
        this.hasWork = hasWork;
        this.nanosToDeadline = nanosToDeadline;
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.minParkNs = minParkNs;
        this.maxParkNs = maxParkNs;
        this.parkNs = minParkNs;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (spins < maxSpins)
        {
            spins++;
            Thread.onSpinWait();
            return;
        }
        if (yields < maxYields)
        {
            if (yields++ == 0)
            {
                PHASE.setRelease(this, BACKING_OFF);
            }
            Thread.yield();
            return;
        }
        if (thread == null)
        {
            thread = Thread.currentThread();
        }
        PHASE.setVolatile(this, PARKING); // before the last look: a StoreLoad fence
        if (!stopped && !hasWork.getAsBoolean())
        {
            // Nobody rings for a timer: a retransmission or an RNR retry is due when its deadline says.
            final long untilDeadline = nanosToDeadline.getAsLong();
            if (untilDeadline > 0)
            {
                LockSupport.parkNanos(this, Math.min(parkNs, untilDeadline));
                parkNs = Math.min(parkNs << 1, maxParkNs);
            }
        }
        PHASE.setRelease(this, BACKING_OFF);
    }

    @Override
    public void reset()
    {
        spins = 0;
        yields = 0;
        parkNs = minParkNs;
        if ((int)PHASE.getOpaque(this) != WORKING)
        {
            PHASE.setRelease(this, WORKING);
        }
    }

    @Override
    public String alias()
    {
        return ALIAS;
    }

    /**
     * Any thread, after it has made work for the engine visible (a doorbell, a request, response or ACK from a
     * peer, a control command): ends the engine thread's park, if it is parked or about to park.
     */
    public void wake()
    {
        if ((int)PHASE.getOpaque(this) != WORKING)
        {
            VarHandle.fullFence(); // the work before, the look at the phase after
            if ((int)PHASE.getVolatile(this) == PARKING)
            {
                LockSupport.unpark(thread);
            }
        }
    }

    /** The agent is about to be closed: the thread stops parking, and a park under way ends now. */
    public void stop()
    {
        stopped = true; // then the phase: the thread sets the phase, then reads this flag, so one sees the other
        if ((int)PHASE.getVolatile(this) == PARKING)
        {
            LockSupport.unpark(thread);
        }
    }

    /** @return true while the thread is parked or about to park (for tests). */
    boolean isParking()
    {
        return (int)PHASE.getVolatile(this) == PARKING;
    }
}
