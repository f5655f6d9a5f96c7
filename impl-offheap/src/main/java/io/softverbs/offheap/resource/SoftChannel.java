package io.softverbs.offheap.resource;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

import io.softverbs.CompletionChannel;
import io.softverbs.CompletionQueue;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

/**
 * A completion channel ({@code ibv_comp_channel}): armed CQs that fired, in order, each taken by one waiting
 * thread (as each event read from the channel's fd goes to one reader).
 * <p>
 * Waiting allocates nothing, so an event-driven loop stays garbage-free: a waiter registers its thread in a slot,
 * looks at the queue again and parks; the engine queues the CQ and then unparks the registered threads. Either the
 * waiter's second look finds the CQ, or the engine finds the waiter (both sides write, then read the other's
 * word, with a full fence between), and an unpark before the park only makes the park return at once. A
 * blocking queue would allocate a wait node per wait.
 */
public final class SoftChannel implements CompletionChannel
{
    private static final int CAPACITY = 4096;
    /** Threads that can wait at once with an immediate wake-up; more wait in slices of {@link #SLICE_NS}. */
    private static final int WAITER_SLOTS = 64;
    private static final long SLICE_NS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Agrona's, not JCTools': see the engine's run queue (JCTools' queues allocate at their C2 compilations). */
    private final ManyToManyConcurrentArrayQueue<CompletionQueue> fired = new ManyToManyConcurrentArrayQueue<>(CAPACITY);
    private final AtomicReferenceArray<Thread> waiters = new AtomicReferenceArray<>(WAITER_SLOTS);
    /** One past the highest slot ever taken: how far {@link #fire} looks. */
    private final AtomicInteger slotsInUse = new AtomicInteger();

    /** Engine: an armed CQ fired. @param cq the CQ. */
    void fire(final CompletionQueue cq)
    {
        fired.offer(cq); // full (4,096 events nobody took): dropped, as the blocking queue did; the engine never waits
        for (int i = 0, n = slotsInUse.get(); i < n; i++)
        {
            final Thread waiter = waiters.get(i);
            if (waiter != null)
            {
                LockSupport.unpark(waiter);
            }
        }
    }

    @Override
    public CompletionQueue await(final long timeout, final TimeUnit unit)
    {
        CompletionQueue cq = fired.poll();
        if (cq != null)
        {
            return cq;
        }
        final Thread self = Thread.currentThread();
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        final int slot = register(self);
        try
        {
            while ((cq = fired.poll()) == null)
            {
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || self.isInterrupted())
                {
                    return null; // an interrupt ends the wait and stays set, as with a blocking queue's wait
                }
                LockSupport.parkNanos(this, slot >= 0 ? remaining : Math.min(remaining, SLICE_NS));
            }
            return cq;
        }
        finally
        {
            if (slot >= 0)
            {
                waiters.set(slot, null);
            }
        }
    }

    /** @return the slot now holding the thread, or -1 if every slot is taken. */
    private int register(final Thread self)
    {
        for (int i = 0; i < WAITER_SLOTS; i++)
        {
            if (waiters.get(i) == null && waiters.compareAndSet(i, null, self))
            {
                int inUse;
                while ((inUse = slotsInUse.get()) <= i && !slotsInUse.compareAndSet(inUse, i + 1))
                {
                    Thread.onSpinWait();
                }
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close()
    {
        fired.clear();
    }
}
