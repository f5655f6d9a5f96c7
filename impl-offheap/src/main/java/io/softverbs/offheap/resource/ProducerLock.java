package io.softverbs.offheap.resource;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serializes producers of one ring (libibverbs' post calls are thread-safe). A spin lock: the critical section is
 * a few stores into device memory, far shorter than parking would take.
 */
final class ProducerLock
{
    private final AtomicInteger held = new AtomicInteger();

    void lock()
    {
        while (!held.compareAndSet(0, 1))
        {
            Thread.onSpinWait();
        }
    }

    void unlock()
    {
        held.lazySet(0);
    }
}
