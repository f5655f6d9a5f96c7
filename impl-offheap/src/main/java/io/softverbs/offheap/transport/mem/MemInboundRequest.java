package io.softverbs.offheap.transport.mem;

import io.softverbs.Access;
import io.softverbs.SendFlags;
import io.softverbs.offheap.engine.Segments;
import io.softverbs.offheap.host.SendRing;
import io.softverbs.offheap.host.WqeLayout;
import io.softverbs.offheap.resource.SoftQp;
import io.softverbs.offheap.transport.InboundRequest;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The responder's view of a request on the mem transport: header fields from the request record; SGE lists and
 * large inline payloads read in place from the requester's send ring (as an RNIC fetches them by DMA). The
 * requester's memory is checked against the requester's key table.
 */
final class MemInboundRequest implements InboundRequest
{
    private final Segments sink = new Segments();
    private SoftQp requester;
    private MutableDirectBuffer record;
    private int index;
    private UnsafeBuffer ring;
    private int wqeOffset;

    void wrap(final SoftQp requester, final MutableDirectBuffer record, final int index)
    {
        this.requester = requester;
        this.record = record;
        this.index = index;
        final SendRing sq = requester.sendRing();
        this.ring = sq.buffer();
        this.wqeOffset = sq.offset(record.getLong(index + MemRequest.WQE_BLOCK));
    }

    @Override
    public int opcode()
    {
        return record.getByte(index + MemRequest.OPCODE);
    }

    @Override
    public int flags()
    {
        return record.getByte(index + MemRequest.FLAGS);
    }

    @Override
    public long length()
    {
        return record.getInt(index + MemRequest.LENGTH) & 0xFFFF_FFFFL;
    }

    @Override
    public long remoteAddress()
    {
        return record.getLong(index + MemRequest.REMOTE_ADDRESS);
    }

    @Override
    public int rkey()
    {
        return record.getInt(index + MemRequest.RKEY);
    }

    @Override
    public int immData()
    {
        return record.getInt(index + MemRequest.IMM);
    }

    @Override
    public int invalidateRkey()
    {
        return record.getInt(index + MemRequest.INV_RKEY);
    }

    @Override
    public long compareAdd()
    {
        return record.getLong(index + MemRequest.COMPARE_ADD);
    }

    @Override
    public long swap()
    {
        return record.getLong(index + MemRequest.SWAP);
    }

    @Override
    public boolean resolveSource(final Segments out)
    {
        if ((flags() & SendFlags.INLINE) != 0)
        {
            final long length = length();
            out.clear();
            out.addChecked(length <= MemRequest.MAX_PAYLOAD ?
                record.addressOffset() + index + MemRequest.PAYLOAD : ring.addressOffset() + wqeOffset + WqeLayout.DATA,
                length);
            return true;
        }
        return out.resolveSgl(requester.keys(), requester.pd(), ring, wqeOffset + WqeLayout.DATA, numSge(), 0) ==
            Segments.ALLOWED;
    }

    @Override
    public boolean deliverRead(final Segments source)
    {
        if (sink.resolveSgl(requester.keys(), requester.pd(), ring, wqeOffset + WqeLayout.DATA, numSge(),
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
        return sink.resolveSgl(requester.keys(), requester.pd(), ring, wqeOffset + WqeLayout.DATA, numSge(),
            Access.LOCAL_WRITE) == Segments.ALLOWED && sink.count() == 1 && sink.total() == Long.BYTES;
    }

    @Override
    public void deliverAtomic(final long original)
    {
        UnsafeApi.putLong(sink.address(0), original);
    }

    private int numSge()
    {
        return record.getByte(index + MemRequest.NUM_SGE);
    }
}
