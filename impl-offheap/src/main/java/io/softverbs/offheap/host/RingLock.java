package io.softverbs.offheap.host;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import io.softverbs.LinePadding;

/**
 * Serializes the producers of one ring (libibverbs' post calls are thread-safe), or its consumers (a receive ring
 * or CQ that the mem transport's direct path fills from the sending thread as well as from its own engine). A spin
 * lock: the critical section is a few stores into device memory, far shorter than parking would take. The lock word is a field of this padded
 * object rather than a separate atomic, so no other object's hot fields share its cache line.
 * <p>
 * The word counts acquisitions (odd while held), so {@link #awaitRelease} can tell the holder it saw from a later
 * one: a send queue's post reads inline sources under its lock, and deregistration waits out the holders there were
 * when the region became invalid, as the engine fence does for engine cycles.
 */
public final class RingLock extends LinePadding
{
    private static final VarHandle WORD;

    static
    {
        try
        {
            WORD = MethodHandles.lookup().findVarHandle(RingLock.class, "word", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @SuppressWarnings("unused") // accessed through WORD
    private volatile long word;

    public void lock()
    {
        while (true)
        {
            final long w = (long)WORD.getVolatile(this);
            if ((w & 1) == 0 && WORD.compareAndSet(this, w, w + 1))
            {
                return;
            }
            Thread.onSpinWait();
        }
    }

    public void unlock()
    {
        WORD.setRelease(this, (long)WORD.get(this) + 1);
    }

    /** Returns once the holder at the time of the call, if any, has released the lock. */
    public void awaitRelease()
    {
        final long w = (long)WORD.getVolatile(this);
        if ((w & 1) == 0)
        {
            return;
        }
        while ((long)WORD.getVolatile(this) == w)
        {
            Thread.onSpinWait();
        }
    }
}
