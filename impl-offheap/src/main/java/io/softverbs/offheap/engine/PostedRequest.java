package io.softverbs.offheap.engine;

import io.softverbs.Access;
import io.softverbs.SendWorkRequest;
import io.softverbs.offheap.resource.SoftQp;
import io.softverbs.offheap.transport.InboundRequest;
import org.agrona.UnsafeApi;

/**
 * A one-sided request read straight from the {@link SendWorkRequest} being posted, for the fused post
 * ({@link Requester#executePosted}): the responder executes it before it was ever written to the send ring. Every
 * local SGE is checked against the poster's key table and PD at use, as for a WQE read in place.
 */
final class PostedRequest implements InboundRequest
{
    private final Segments sink = new Segments();
    private SoftQp qp;
    private SendWorkRequest wr;
    private int flags;

    /**
     * @param qp    the posting QP.
     * @param wr    the request as posted.
     * @param flags its send flags, SIGNALED added for sq_sig_all.
     * @return this.
     */
    PostedRequest wrap(final SoftQp qp, final SendWorkRequest wr, final int flags)
    {
        // Reference stores only on change: each one into this long-lived object runs the collector's write barrier.
        if (this.qp != qp)
        {
            this.qp = qp;
        }
        if (this.wr != wr)
        {
            this.wr = wr;
        }
        this.flags = flags;
        return this;
    }

    @Override
    public int opcode()
    {
        return wr.opcode().ordinal();
    }

    @Override
    public int flags()
    {
        return flags;
    }

    @Override
    public long length()
    {
        return wr.totalLength();
    }

    @Override
    public long remoteAddress()
    {
        return wr.remoteAddress();
    }

    @Override
    public int rkey()
    {
        return wr.rkey();
    }

    @Override
    public int immData()
    {
        return wr.immData();
    }

    @Override
    public int invalidateRkey()
    {
        return wr.invalidateRkey();
    }

    @Override
    public long compareAdd()
    {
        return wr.compareAdd();
    }

    @Override
    public long swap()
    {
        return wr.swap();
    }

    @Override
    public boolean resolveSource(final Segments out)
    {
        return out.resolveSgl(qp.keys(), qp.pd(), wr, 0) == Segments.ALLOWED; // inline or not, read in place
    }

    @Override
    public boolean deliverRead(final Segments source)
    {
        if (!resolveSink())
        {
            return false;
        }
        Segments.copy(source, sink);
        return true;
    }

    @Override
    public boolean checkAtomicSink()
    {
        return resolveSink() && sink.count() == 1 && sink.total() == Long.BYTES;
    }

    @Override
    public void deliverAtomic(final long original)
    {
        UnsafeApi.putLong(sink.address(0), original); // checked by checkAtomicSink in this cycle
    }

    /** A READ's or atomic's sink: local SGEs needing LOCAL_WRITE (never a remote right). */
    private boolean resolveSink()
    {
        return sink.resolveSgl(qp.keys(), qp.pd(), wr, Access.LOCAL_WRITE) == Segments.ALLOWED;
    }
}
