package io.softverbs.offheap.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import io.softverbs.LinePadding;

/**
 * Something a doorbell puts on the engine's run queue (a QP's send queue or a shared send queue), with the mark
 * that keeps it there at most once.
 */
public abstract class Schedulable extends LinePadding
{
    private static final VarHandle SCHEDULED;

    static
    {
        try
        {
            SCHEDULED = MethodHandles.lookup().findVarHandle(Schedulable.class, "scheduled", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @SuppressWarnings("unused")
    private volatile int scheduled;

    /**
     * Called after the doorbell store. An exchange, not a read then a CAS: it is a full fence between that store
     * and the read of the mark. The engine clears the mark (a volatile store) and then reads the doorbell; with a
     * plain read here a post could see the mark still set while the engine, just past clearing it, read the old
     * doorbell, and that WQE would wait for some later wake-up (an ACK, if it ever comes: a directly executed
     * operation has none).
     *
     * @return true if it was not scheduled yet (the caller enqueues it).
     */
    final boolean trySchedule()
    {
        return (int)SCHEDULED.getAndSet(this, 1) == 0;
    }

    /** Clears the mark before it is served, so a later doorbell schedules it again. */
    final void clearScheduled()
    {
        SCHEDULED.setVolatile(this, 0);
    }
}
