package io.softverbs.offheap.transport.mem;

import io.softverbs.Access;
import io.softverbs.Opcode;
import io.softverbs.SendFlags;
import io.softverbs.offheap.LinePadding;
import io.softverbs.offheap.engine.Segments;
import io.softverbs.offheap.host.DeviceBuffer;
import io.softverbs.offheap.host.SendRing;
import io.softverbs.offheap.host.WqeLayout;
import io.softverbs.offheap.resource.SoftQp;
import io.softverbs.offheap.transport.InboundRequest;
import org.agrona.UnsafeApi;

/**
 * The responder's view of a request on the mem transport: header fields from the request's lane slot; a compact
 * request's payload from the slot itself; SGE lists and larger inline payloads read in place from the requester's
 * send ring (as an RNIC fetches them by DMA). The requester's memory is checked against the requester's key
 * table. The requester's objects are touched only for an extended request, so a compact one reads nothing but
 * its slot on the requester's side.
 */
final class MemInboundRequest extends LinePadding implements InboundRequest
{
    private final Segments sink = new Segments();
    private SoftQp requester;
    private DeviceBuffer slotBuffer;
    private int slot;
    private int form;

    void wrap(final SoftQp requester, final DeviceBuffer slotBuffer, final int slot)
    {
        // Reference stores only on change: each one into this long-lived object runs the collector's write
        // barrier, which (G1, across regions) includes a StoreLoad fence.
        if (this.requester != requester)
        {
            this.requester = requester;
        }
        if (this.slotBuffer != slotBuffer)
        {
            this.slotBuffer = slotBuffer;
        }
        this.slot = slot;
        this.form = slotBuffer.getByte(slot + MemRequest.FORM);
    }

    private boolean compact()
    {
        return form != MemRequest.EXTENDED;
    }

    private boolean isWrite()
    {
        return opcode() == Opcode.RDMA_WRITE.ordinal();
    }

    @Override
    public int opcode()
    {
        return slotBuffer.getByte(slot + MemRequest.OPCODE);
    }

    @Override
    public int flags()
    {
        return slotBuffer.getByte(slot + MemRequest.FLAGS);
    }

    @Override
    public long length()
    {
        return compact() ? form : slotBuffer.getInt(slot + MemRequest.LENGTH) & 0xFFFF_FFFFL;
    }

    @Override
    public long remoteAddress()
    {
        return slotBuffer.getLong(slot + (compact() ? MemRequest.C_REMOTE_ADDRESS : MemRequest.REMOTE_ADDRESS));
    }

    @Override
    public int rkey()
    {
        return slotBuffer.getInt(slot + (compact() ? MemRequest.C_RKEY : MemRequest.KEY));
    }

    @Override
    public int immData()
    {
        if (compact())
        {
            return isWrite() ? 0 : slotBuffer.getInt(slot + MemRequest.C_IMM);
        }
        return slotBuffer.getInt(slot + MemRequest.IMM);
    }

    @Override
    public int invalidateRkey()
    {
        if (compact())
        {
            return isWrite() ? 0 : slotBuffer.getInt(slot + MemRequest.C_INV_RKEY);
        }
        return slotBuffer.getInt(slot + MemRequest.KEY);
    }

    @Override
    public long compareAdd()
    {
        return compact() ? 0 : slotBuffer.getLong(slot + MemRequest.COMPARE_ADD);
    }

    @Override
    public long swap()
    {
        return compact() ? 0 : slotBuffer.getLong(slot + MemRequest.SWAP);
    }

    @Override
    public boolean resolveSource(final Segments out)
    {
        if (compact())
        {
            out.clear();
            out.addChecked(slotBuffer.addressOffset() + slot + MemRequest.C_PAYLOAD, form);
            return true;
        }
        final SendRing sq = requester.sendRing();
        final int wqe = wqeOffset(sq);
        if ((flags() & SendFlags.INLINE) != 0)
        {
            out.clear();
            out.addChecked(sq.buffer().addressOffset() + wqe + WqeLayout.DATA, length());
            return true;
        }
        return out.resolveSgl(requester.keys(), requester.pd(), sq.buffer(), wqe + WqeLayout.DATA, numSge(), 0) ==
            Segments.ALLOWED;
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

    private boolean resolveSink()
    {
        final SendRing sq = requester.sendRing();
        return !compact() && sink.resolveSgl(requester.keys(), requester.pd(), sq.buffer(),
            wqeOffset(sq) + WqeLayout.DATA, numSge(), Access.LOCAL_WRITE) == Segments.ALLOWED;
    }

    @Override
    public void deliverAtomic(final long original)
    {
        UnsafeApi.putLong(sink.address(0), original);
    }

    private int wqeOffset(final SendRing sq)
    {
        return sq.offset(slotBuffer.getLong(slot + MemRequest.WQE_BLOCK));
    }

    private int numSge()
    {
        return slotBuffer.getByte(slot + MemRequest.NUM_SGE);
    }
}
