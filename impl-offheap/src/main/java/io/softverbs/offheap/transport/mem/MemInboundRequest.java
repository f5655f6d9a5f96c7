package io.softverbs.offheap.transport.mem;

import io.softverbs.Access;
import io.softverbs.SendFlags;
import io.softverbs.offheap.engine.Segments;
import io.softverbs.offheap.host.SendRing;
import io.softverbs.offheap.host.WqeLayout;
import io.softverbs.offheap.resource.SoftQp;
import io.softverbs.offheap.transport.InboundRequest;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The responder's view of a request on the mem transport: the requester's WQE, read in place from its send ring
 * (as an RNIC fetches a descriptor by DMA). The requester's memory is checked against the requester's key table.
 */
final class MemInboundRequest implements InboundRequest
{
    private final Segments sink = new Segments();
    private SoftQp requester;
    private UnsafeBuffer ring;
    private int offset;

    void wrap(final SoftQp requester, final long wqeBlock)
    {
        this.requester = requester;
        final SendRing sq = requester.sendRing();
        this.ring = sq.buffer();
        this.offset = sq.offset(wqeBlock);
    }

    @Override
    public int opcode()
    {
        return ring.getByte(offset + WqeLayout.OPCODE);
    }

    @Override
    public int flags()
    {
        return ring.getByte(offset + WqeLayout.FLAGS);
    }

    @Override
    public long length()
    {
        return ring.getInt(offset + WqeLayout.LENGTH) & 0xFFFF_FFFFL;
    }

    @Override
    public long remoteAddress()
    {
        return ring.getLong(offset + WqeLayout.REMOTE_ADDRESS);
    }

    @Override
    public int rkey()
    {
        return ring.getInt(offset + WqeLayout.RKEY);
    }

    @Override
    public int immData()
    {
        return ring.getInt(offset + WqeLayout.IMM);
    }

    @Override
    public int invalidateRkey()
    {
        return ring.getInt(offset + WqeLayout.INV_RKEY);
    }

    @Override
    public long compareAdd()
    {
        return ring.getLong(offset + WqeLayout.COMPARE_ADD);
    }

    @Override
    public long swap()
    {
        return ring.getLong(offset + WqeLayout.SWAP);
    }

    @Override
    public boolean resolveSource(final Segments out)
    {
        if ((flags() & SendFlags.INLINE) != 0)
        {
            out.clear();
            out.addChecked(ring.addressOffset() + offset + WqeLayout.DATA, length());
            return true;
        }
        return out.resolveSgl(requester.keys(), requester.pd(), ring, offset + WqeLayout.DATA, numSge(), 0) ==
            Segments.ALLOWED;
    }

    @Override
    public boolean deliverRead(final Segments source)
    {
        if (sink.resolveSgl(requester.keys(), requester.pd(), ring, offset + WqeLayout.DATA, numSge(),
            Access.LOCAL_WRITE) != Segments.ALLOWED)
        {
            return false;
        }
        Segments.copy(source, sink);
        return true;
    }

    @Override
    public boolean checkAtomicSink()
    {
        return sink.resolveSgl(requester.keys(), requester.pd(), ring, offset + WqeLayout.DATA, numSge(),
            Access.LOCAL_WRITE) == Segments.ALLOWED && sink.count() == 1 && sink.total() == Long.BYTES;
    }

    @Override
    public void deliverAtomic(final long original)
    {
        UnsafeApi.putLong(sink.address(0), original);
    }

    private int numSge()
    {
        return ring.getByte(offset + WqeLayout.NUM_SGE);
    }
}
