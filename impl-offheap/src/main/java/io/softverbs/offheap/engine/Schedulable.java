package io.softverbs.offheap.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import io.softverbs.offheap.LinePadding;

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

    /** @return true if it was not scheduled yet (the caller enqueues it). */
    final boolean trySchedule()
    {
        return scheduled == 0 && SCHEDULED.compareAndSet(this, 0, 1);
    }

    /** Clears the mark before it is served, so a later doorbell schedules it again. */
    final void clearScheduled()
    {
        SCHEDULED.setVolatile(this, 0);
    }
}
