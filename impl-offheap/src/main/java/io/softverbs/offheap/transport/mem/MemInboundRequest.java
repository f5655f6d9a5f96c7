package io.softverbs.offheap.transport.mem;

import io.softverbs.LinePadding;
import io.softverbs.Opcode;
import io.softverbs.offheap.engine.Segments;
import io.softverbs.offheap.host.DeviceBuffer;
import io.softverbs.offheap.resource.SoftQp;
import io.softverbs.offheap.transport.InboundRequest;
import io.softverbs.offheap.transport.WqeRequest;

/**
 * The responder's view of a request on the mem transport. A compact request is read from its lane slot alone
 * (header and payload), so it touches nothing on the requester's side but the slot. An extended one is read in
 * place from the requester's WQE ({@link WqeRequest}), as an RNIC fetches SGE lists and payloads by DMA.
 */
final class MemInboundRequest extends LinePadding implements InboundRequest
{
    private final WqeRequest extended = new WqeRequest();
    private DeviceBuffer slotBuffer;
    private int slot;
    private int form;

    void wrap(final SoftQp requester, final DeviceBuffer slotBuffer, final int slot)
    {
        // Reference stores only on change: each one into this long-lived object runs the collector's write
        // barrier, which (G1, across regions) includes a StoreLoad fence.
        if (this.slotBuffer != slotBuffer)
        {
            this.slotBuffer = slotBuffer;
        }
        this.slot = slot;
        this.form = slotBuffer.getByte(slot + MemRequest.FORM);
        if (form == MemRequest.EXTENDED)
        {
            extended.wrap(requester, slotBuffer.getLong(slot + MemRequest.WQE_BLOCK));
        }
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
    public boolean ackRequested()
    {
        return slotBuffer.getByte(slot + MemRequest.ACK_REQ) != 0;
    }

    @Override
    public long length()
    {
        return compact() ? form : extended.length();
    }

    @Override
    public long remoteAddress()
    {
        return compact() ? slotBuffer.getLong(slot + MemRequest.C_REMOTE_ADDRESS) : extended.remoteAddress();
    }

    @Override
    public int rkey()
    {
        return compact() ? slotBuffer.getInt(slot + MemRequest.C_RKEY) : extended.rkey();
    }

    @Override
    public int immData()
    {
        if (compact())
        {
            return isWrite() ? 0 : slotBuffer.getInt(slot + MemRequest.C_IMM);
        }
        return extended.immData();
    }

    @Override
    public int invalidateRkey()
    {
        if (compact())
        {
            return isWrite() ? 0 : slotBuffer.getInt(slot + MemRequest.C_INV_RKEY);
        }
        return extended.invalidateRkey();
    }

    @Override
    public long compareAdd()
    {
        return compact() ? 0 : extended.compareAdd();
    }

    @Override
    public long swap()
    {
        return compact() ? 0 : extended.swap();
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
        return extended.resolveSource(out);
    }

    @Override
    public boolean deliverRead(final Segments source)
    {
        return !compact() && extended.deliverRead(source);
    }

    @Override
    public boolean checkAtomicSink()
    {
        return !compact() && extended.checkAtomicSink();
    }

    @Override
    public void deliverAtomic(final long original)
    {
        extended.deliverAtomic(original);
    }

    /** The original's execution wrote the requester's sink; a duplicate must not write it again. */
    @Override
    public boolean redeliversDuplicates()
    {
        return false;
    }
}
