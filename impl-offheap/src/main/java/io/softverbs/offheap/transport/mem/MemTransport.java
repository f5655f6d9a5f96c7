package io.softverbs.offheap.transport.mem;

import java.util.function.IntFunction;

import io.softverbs.Errors;
import io.softverbs.VerbsException;
import io.softverbs.offheap.resource.SoftQp;
import io.softverbs.offheap.transport.InboundHandler;
import io.softverbs.offheap.transport.Link;
import io.softverbs.offheap.transport.Transport;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The in-process transport of one context. Requests are records in this engine's request ring carrying the WQE's
 * header (and a small inline payload); the responder reads SGE lists in the requester's send ring in place and moves
 * the data with one copy. Responses have
 * a ring of their own, which the requester always drains without waiting on anything, so the two rings can never
 * deadlock each other.
 */
public final class MemTransport implements Transport
{
    static final int REQUEST = 1;
    static final int RESPONSE = 2;

    static final int RSP_DST_QPN = 0;
    static final int RSP_PSN = 4;
    static final int RSP_SYNDROME = 8;
    static final int RESPONSE_LENGTH = 12;

    private static final int RING_BYTES = 1 << 20;

    private final String address;
    private final IntFunction<SoftQp> qps;
    final ManyToOneRingBuffer requests = newRing();
    final ManyToOneRingBuffer responses = newRing();
    private final MemInboundRequest inbound = new MemInboundRequest();
    private final MessageHandler requestReader = this::onRequest;
    private final MessageHandler responseReader = this::onResponse;
    private InboundHandler handler;

    /**
     * @param deviceName the device's name.
     * @param qps        the device's QPN to QP mapping.
     */
    public MemTransport(final String deviceName, final IntFunction<SoftQp> qps)
    {
        this.address = MemFabric.SCHEME + deviceName;
        this.qps = qps;
    }

    private static ManyToOneRingBuffer newRing()
    {
        return new ManyToOneRingBuffer(new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH, 64)));
    }

    @Override
    public String address()
    {
        return address;
    }

    @Override
    public Link connect(final SoftQp local, final String remoteAddress, final int remoteQpn)
    {
        final SoftQp peer = MemFabric.resolve(remoteAddress, remoteQpn);
        if (!(peer.transport() instanceof MemTransport))
        {
            throw new VerbsException(Errors.EINVAL, "QP " + remoteQpn + " at " + remoteAddress + " is not on mem");
        }
        return new MemLink(local, peer, (MemTransport)peer.transport());
    }

    @Override
    public int poll(final InboundHandler handler, final int limit)
    {
        this.handler = handler;
        // Responses first: they free send queue slots and never depend on anything else.
        return responses.read(responseReader, limit) + requests.read(requestReader, limit);
    }

    private void onRequest(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final SoftQp qp = qps.apply(buffer.getInt(index + MemRequest.DST_QPN));
        if (qp == null || !(qp.link() instanceof MemLink))
        {
            return; // no such QP or not connected: dropped, as on a wire; the requester's timer deals with it
        }
        final SoftQp requester = ((MemLink)qp.link()).peer();
        inbound.wrap(requester, buffer, index);
        handler.onRequest(qp, buffer.getInt(index + MemRequest.SRC_QPN), buffer.getInt(index + MemRequest.PSN), inbound);
    }

    private void onResponse(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final SoftQp qp = qps.apply(buffer.getInt(index + RSP_DST_QPN));
        if (qp != null)
        {
            handler.onResponse(qp, buffer.getInt(index + RSP_PSN), buffer.getInt(index + RSP_SYNDROME));
        }
    }

    @Override
    public void close()
    {
    }
}
