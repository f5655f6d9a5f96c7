package io.softverbs.offheap.transport.mem;

import java.util.Arrays;
import java.util.HashMap;
import java.util.function.IntFunction;

import io.softverbs.Errors;
import io.softverbs.LinePadding;
import io.softverbs.VerbsException;
import io.softverbs.offheap.host.DeviceBuffer;
import io.softverbs.offheap.resource.SoftQp;
import io.softverbs.offheap.transport.InboundHandler;
import io.softverbs.offheap.transport.Link;
import io.softverbs.offheap.transport.Transport;

/**
 * The in-process transport of one context. Each engine this one sends to gets two {@link MemLane}s from it: one
 * for requests, one for responses (NAKs; ACKs are published in the requester's ACK cell, see {@link MemLink}),
 * so responses never wait behind requests and the two can never deadlock each other. A request carries the WQE's
 * header and, when small, its inline payload; otherwise the responder reads SGE lists and payloads in place in the
 * requester's send ring, and moves the data with one copy.
 * <p>
 * One-sided operations (WRITE, READ, atomics), and SENDs to a peer with a receive posted, do not travel at all when
 * nothing else of their QP is in flight or still in a lane: the requester executes them against the peer itself
 * ({@link Link#directPeer}), a SEND consuming the peer's receive and writing its completion. The system property
 * {@value #DIRECT_PROPERTY}{@code =false}, read when a context opens, turns that off, so every request goes
 * through the lanes as on a wire: for tests of the lanes, and to compare the two.
 */
public final class MemTransport extends LinePadding implements Transport
{
    /** System property: {@code false} sends one-sided operations and SENDs through the lanes too. */
    public static final String DIRECT_PROPERTY = "softverbs.mem.direct";

    static final int RSP_DST_QPN = 4;
    static final int RSP_PSN = 8;
    static final int RSP_SYNDROME = 12;

    /**
     * 64 KiB of slots per lane, the size of the Agrona anchor's ring: a lane cycles through all of its lines, and
     * 2048 slots (256 KiB per lane) spilled a one-thread ping-pong's working set out of L2 (290-300 against
     * 275-280 ns per round trip). A full lane is back-pressure: the requester tries again next cycle.
     */
    private static final int REQUEST_SLOTS = 512;
    private static final int RESPONSE_SLOTS = 256;
    private static final MemLane[] NO_LANES = new MemLane[0];

    private final String address;
    private final IntFunction<SoftQp> qps;
    /** Lanes to each peer engine, [requests, responses]; used only by this engine's control stage. */
    private final HashMap<MemTransport, MemLane[]> outbound = new HashMap<>();
    private volatile MemLane[] inboundRequests = NO_LANES;
    private volatile MemLane[] inboundResponses = NO_LANES;
    private final MemInboundRequest inbound = new MemInboundRequest();
    private final boolean direct = !Boolean.FALSE.toString().equals(System.getProperty(DIRECT_PROPERTY));
    /** This context's engine doorbell; peers' links ring it after giving the engine work. */
    private volatile Runnable doorbell = MemTransport::noDoorbell;

    /**
     * @param deviceName the device's name.
     * @param qps        the device's QPN to QP mapping.
     */
    public MemTransport(final String deviceName, final IntFunction<SoftQp> qps)
    {
        this.address = Text.address(deviceName);
        this.qps = qps;
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
            throw Text.notOnMem(remoteQpn, remoteAddress);
        }
        final MemTransport peerTransport = (MemTransport)peer.transport();
        final MemLane[] lanes = outbound.computeIfAbsent(peerTransport, MemTransport::openLanes);
        return new MemLink(local, peer, direct, lanes[0], lanes[1], peerTransport);
    }

    @Override
    public void attachDoorbell(final Runnable doorbell)
    {
        this.doorbell = doorbell;
    }

    /** A peer's link has just published a request, a response or an ACK for this context's engine. */
    void wakeEngine()
    {
        doorbell.run();
    }

    private static void noDoorbell()
    {
    }

    private static MemLane[] openLanes(final MemTransport peer)
    {
        final MemLane[] lanes = { new MemLane(REQUEST_SLOTS), new MemLane(RESPONSE_SLOTS) };
        peer.addInbound(lanes[0], lanes[1]);
        return lanes;
    }

    private synchronized void addInbound(final MemLane requests, final MemLane responses)
    {
        final MemLane[] newRequests = Arrays.copyOf(inboundRequests, inboundRequests.length + 1);
        newRequests[newRequests.length - 1] = requests;
        final MemLane[] newResponses = Arrays.copyOf(inboundResponses, inboundResponses.length + 1);
        newResponses[newResponses.length - 1] = responses;
        inboundResponses = newResponses;
        inboundRequests = newRequests;
    }

    @Override
    public boolean hasInbound()
    {
        for (final MemLane lane : inboundRequests)
        {
            if (lane.peek() >= 0)
            {
                return true;
            }
        }
        for (final MemLane lane : inboundResponses)
        {
            if (lane.peek() >= 0)
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public int poll(final InboundHandler handler, final int limit)
    {
        int work = 0;
        // Responses first: they free send queue slots and never depend on anything else.
        for (final MemLane lane : inboundResponses)
        {
            work += pollResponses(lane, handler, limit);
        }
        for (final MemLane lane : inboundRequests)
        {
            work += pollRequests(lane, handler, limit);
        }
        return work;
    }

    private int pollRequests(final MemLane lane, final InboundHandler handler, final int limit)
    {
        final DeviceBuffer buffer = lane.buffer();
        int count = 0;
        int slot;
        while (count < limit && (slot = lane.peek()) >= 0)
        {
            final SoftQp qp = qps.apply(buffer.getInt(slot + MemRequest.DST_QPN));
            // No such QP or not connected: dropped, as on a wire; the requester's timer deals with it.
            if (qp != null && qp.link() instanceof MemLink)
            {
                inbound.wrap(((MemLink)qp.link()).peer(), buffer, slot);
                handler.onRequest(qp, buffer.getInt(slot + MemRequest.SRC_QPN), buffer.getInt(slot + MemRequest.PSN),
                    inbound);
            }
            lane.consume();
            count++;
        }
        if (count > 0)
        {
            lane.release();
        }
        return count;
    }

    private int pollResponses(final MemLane lane, final InboundHandler handler, final int limit)
    {
        final DeviceBuffer buffer = lane.buffer();
        int count = 0;
        int slot;
        while (count < limit && (slot = lane.peek()) >= 0)
        {
            final SoftQp qp = qps.apply(buffer.getInt(slot + RSP_DST_QPN));
            if (qp != null)
            {
                handler.onResponse(qp, buffer.getInt(slot + RSP_PSN), buffer.getInt(slot + RSP_SYNDROME));
            }
            lane.consume();
            count++;
        }
        if (count > 0)
        {
            lane.release();
        }
        return count;
    }

    @Override
    public void close()
    {
    }

    /** This class's text, kept out of its constant pool (see {@code SoftCq.Text}). */
    private static final class Text
    {
        private Text()
        {
        }

        static String address(final String deviceName)
        {
            return MemFabric.SCHEME + deviceName;
        }

        static VerbsException notOnMem(final int qpn, final String address)
        {
            return new VerbsException(Errors.EINVAL, "QP " + qpn + " at " + address + " is not on mem");
        }
    }
}
