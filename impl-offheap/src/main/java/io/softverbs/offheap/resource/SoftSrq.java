package io.softverbs.offheap.resource;

import io.softverbs.AsyncEvent;
import io.softverbs.AsyncEventType;
import io.softverbs.Errors;
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

    /** Engine: called after a receive was consumed; fires the limit event once when armed. */
    public void afterConsume()
    {
        final int armedLimit = limit;
        if (armedLimit > 0 && ring.available() < armedLimit)
        {
            limit = 0;
            context.raise(Text.limitReached(armedLimit));
        }
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
