package io.softverbs.offheap.resource;

import io.softverbs.AsyncEvent;
import io.softverbs.AsyncEventType;
import io.softverbs.Errors;
import io.softverbs.PostLists;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SharedReceiveQueue;
import io.softverbs.VerbsException;
import io.softverbs.offheap.SoftContext;
import io.softverbs.offheap.host.RecvRing;
import io.softverbs.offheap.host.RingLock;

/** A shared receive queue ({@code ibv_srq}): one receive ring the engine serves to all its QPs. */
public final class SoftSrq implements SharedReceiveQueue
{
    private final SoftContext context;
    private final SoftPd pd;
    private final RecvRing ring;
    private volatile int limit;
    private final RingLock lock = new RingLock();
    private volatile boolean closed;

    /**
     * @param context owning context.
     * @param pd      owning PD.
     * @param ring    receive ring.
     * @param limit   initial limit, 0 = not armed.
     */
    public SoftSrq(final SoftContext context, final SoftPd pd, final RecvRing ring, final int limit)
    {
        this.context = context;
        this.pd = pd;
        this.ring = ring;
        this.limit = limit;
    }

    /** @return the ring. */
    public RecvRing ring()
    {
        return ring;
    }

    /** @return owning PD. */
    public SoftPd pd()
    {
        return pd;
    }

    /** @return owning context. */
    public SoftContext context()
    {
        return context;
    }

    @Override
    public int postRecv(final RecvWorkRequest wr)
    {
        if (closed)
        {
            return Errors.EPERM;
        }
        lock.lock();
        try
        {
            return ring.post(wr);
        }
        finally
        {
            lock.unlock();
        }
    }

    /** One hold of the post lock and one doorbell for the whole list. */
    @Override
    public int postRecv(final RecvWorkRequest[] list, final int offset, final int length)
    {
        if (closed || !PostLists.isRange(list, offset, length))
        {
            return 0;
        }
        lock.lock();
        try
        {
            return ring.post(list, offset, length);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * A consumer, with the receive side's lock held, after a receive was consumed: disarms the limit once fewer
     * receives than it remain.
     *
     * @return the limit that was crossed, for {@link #raiseLimitReached} once the lock is released; 0 if none.
     */
    public int afterConsume()
    {
        final int armedLimit = limit;
        if (armedLimit > 0 && ring.available() < armedLimit)
        {
            limit = 0;
            return armedLimit;
        }
        return 0;
    }

    /**
     * Raises the limit event, with no lock held: the application's handler may post into this SRQ or anywhere else.
     *
     * @param crossed the limit {@link #afterConsume} returned.
     */
    public void raiseLimitReached(final int crossed)
    {
        context.raise(Text.limitReached(crossed));
    }

    @Override
    public void armLimit(final int limit)
    {
        if (limit < 0 || limit > ring.depth())
        {
            throw Text.limitOutOfRange(limit, ring.depth());
        }
        this.limit = limit;
    }

    @Override
    public void close()
    {
        closed = true;
        context.forget(this);
    }

    /** This class's text, kept out of its constant pool (see {@code SoftCq.Text}). */
    private static final class Text
    {
        private Text()
        {
        }

        static AsyncEvent limitReached(final int limit)
        {
            return new AsyncEvent(AsyncEventType.SRQ_LIMIT_REACHED, -1,
                "fewer than " + limit + " receives remain on the SRQ");
        }

        static VerbsException limitOutOfRange(final int limit, final int depth)
        {
            return new VerbsException(Errors.EINVAL, "SRQ limit must be in [0, " + depth + "]: " + limit);
        }
    }
}
