package io.softverbs.offheap.transport.mem;

import io.softverbs.offheap.resource.SoftQp;
import io.softverbs.offheap.transport.Link;
import org.agrona.concurrent.AtomicBuffer;
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
        final int index = peerRequests.tryClaim(MemTransport.REQUEST, MemTransport.REQUEST_LENGTH);
        if (index < 0)
        {
            return false;
        }
        final AtomicBuffer buffer = peerRequests.buffer();
        buffer.putInt(index + MemTransport.REQ_DST_QPN, peer.qpNum());
        buffer.putInt(index + MemTransport.REQ_SRC_QPN, local.qpNum());
        buffer.putInt(index + MemTransport.REQ_PSN, psn);
        buffer.putLong(index + MemTransport.REQ_WQE_BLOCK, wqeBlock);
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
