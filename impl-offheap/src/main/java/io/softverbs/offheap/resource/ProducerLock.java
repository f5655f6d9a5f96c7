package io.softverbs.offheap.resource;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import io.softverbs.LinePadding;

/**
 * Serializes producers of one ring (libibverbs' post calls are thread-safe). A spin lock: the critical section is
 * a few stores into device memory, far shorter than parking would take. The lock word is a field of this padded
 * object rather than a separate atomic, so no other object's hot fields share its cache line.
 */
final class ProducerLock extends LinePadding
{
    private static final VarHandle HELD;

    static
    {
        try
        {
            HELD = MethodHandles.lookup().findVarHandle(ProducerLock.class, "held", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    @SuppressWarnings("unused") // accessed through HELD
    private volatile int held;

    void lock()
    {
        while (!HELD.compareAndSet(this, 0, 1))
        {
            Thread.onSpinWait();
        }
    }

    void unlock()
    {
        HELD.setRelease(this, 0);
    }
}
