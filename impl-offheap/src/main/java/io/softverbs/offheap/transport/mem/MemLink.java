package io.softverbs.offheap.transport.mem;

import io.softverbs.SendFlags;
import io.softverbs.offheap.host.SendRing;
import io.softverbs.offheap.host.WqeLayout;
import io.softverbs.offheap.resource.SoftQp;
import io.softverbs.offheap.transport.Link;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

/** A connected QP's path to its peer on the mem transport: claim, fill, commit in the peer engine's rings. */
final class MemLink implements Link
{
    private final SoftQp local;
    private final SoftQp peer;
    private final ManyToOneRingBuffer peerRequests;
    private final ManyToOneRingBuffer peerResponses;

    MemLink(final SoftQp local, final SoftQp peer, final MemTransport peerTransport)
    {
        this.local = local;
        this.peer = peer;
        this.peerRequests = peerTransport.requests;
        this.peerResponses = peerTransport.responses;
    }

    SoftQp peer()
    {
        return peer;
    }

    @Override
    public boolean sendRequest(final int psn, final long wqeBlock)
    {
        final SendRing sq = local.sendRing();
        final UnsafeBuffer wqe = sq.buffer();
        final int offset = sq.offset(wqeBlock);
        final int flags = wqe.getByte(offset + WqeLayout.FLAGS);
        final int length = wqe.getInt(offset + WqeLayout.LENGTH);
        final int payload = (flags & SendFlags.INLINE) != 0 && length <= MemRequest.MAX_PAYLOAD ? length : 0;
        final int index = peerRequests.tryClaim(MemTransport.REQUEST, MemRequest.PAYLOAD + payload);
        if (index < 0)
        {
            return false;
        }
        final AtomicBuffer record = peerRequests.buffer();
        record.putInt(index + MemRequest.DST_QPN, peer.qpNum());
        record.putInt(index + MemRequest.SRC_QPN, local.qpNum());
        record.putInt(index + MemRequest.PSN, psn);
        record.putByte(index + MemRequest.OPCODE, wqe.getByte(offset + WqeLayout.OPCODE));
        record.putByte(index + MemRequest.FLAGS, (byte)flags);
        record.putByte(index + MemRequest.NUM_SGE, wqe.getByte(offset + WqeLayout.NUM_SGE));
        record.putInt(index + MemRequest.LENGTH, length);
        record.putInt(index + MemRequest.IMM, wqe.getInt(offset + WqeLayout.IMM));
        record.putInt(index + MemRequest.INV_RKEY, wqe.getInt(offset + WqeLayout.INV_RKEY));
        record.putInt(index + MemRequest.RKEY, wqe.getInt(offset + WqeLayout.RKEY));
        record.putLong(index + MemRequest.WQE_BLOCK, wqeBlock);
        record.putLong(index + MemRequest.REMOTE_ADDRESS, wqe.getLong(offset + WqeLayout.REMOTE_ADDRESS));
        record.putLong(index + MemRequest.COMPARE_ADD, wqe.getLong(offset + WqeLayout.COMPARE_ADD));
        record.putLong(index + MemRequest.SWAP, wqe.getLong(offset + WqeLayout.SWAP));
        if (payload > 0)
        {
            record.putBytes(index + MemRequest.PAYLOAD, wqe, offset + WqeLayout.DATA, payload);
        }
        peerRequests.commit(index);
        return true;
    }

    @Override
    public boolean sendResponse(final int psn, final int syndrome)
    {
        final int index = peerResponses.tryClaim(MemTransport.RESPONSE, MemTransport.RESPONSE_LENGTH);
        if (index < 0)
        {
            return false;
        }
        final AtomicBuffer buffer = peerResponses.buffer();
        buffer.putInt(index + MemTransport.RSP_DST_QPN, peer.qpNum());
        buffer.putInt(index + MemTransport.RSP_PSN, psn);
        buffer.putInt(index + MemTransport.RSP_SYNDROME, syndrome);
        peerResponses.commit(index);
        return true;
    }
}
