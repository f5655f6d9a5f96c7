package io.softverbs.offheap.transport.mem;

import io.softverbs.LinePadding;
import io.softverbs.Opcode;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.offheap.engine.ResponderContext;
import io.softverbs.offheap.engine.Segments;
import io.softverbs.offheap.host.DeviceBuffer;
import io.softverbs.offheap.host.SendRing;
import io.softverbs.offheap.host.WqeLayout;
import io.softverbs.offheap.resource.SoftQp;
import io.softverbs.offheap.transport.Link;
import io.softverbs.offheap.transport.Syndrome;
import org.agrona.BufferUtil;

/**
 * A connected QP's path to its peer on the mem transport. Requests go into the lane to the peer's engine, one
 * slot each. NAKs go into the response lane. ACKs are not messages at all: the peer's responder stores the
 * cumulative ACK PSN in this link's ACK cell (its own cache line), and the requester reads the cell when it has
 * a reason to ({@link #pollAck}), so an ACK costs the responder one plain store. That store moves a line of the
 * requester's, so the responder makes it before its application sees the request only when the request asked for
 * its ACK (the AckReq byte); otherwise after its next post has sent the reply. One-sided operations and SENDs often
 * need no request at all: the link hands the requester the peer's responder context ({@link #directPeer}) to execute
 * them against.
 */
final class MemLink extends LinePadding implements Link
{
    /** The cell: how many ACKs the peer has published (high 32 bits) and the newest ACK's PSN (low 24 bits). */
    private static final int ACK = 0;
    private static final long PSN_MASK = 0xFF_FFFFL;
    /** Set in the cell when the QP drops this link, so the peer looks up the QP's current one. */
    private static final int CLOSED = 8;

    private final SoftQp local;
    private final SoftQp peer;
    /** The peer's responder, if requests may execute against it directly; null if they all travel. */
    private final ResponderContext directPeer;
    /** Copied: the data path never reads the peer's objects, whose cache lines the peer's thread writes. */
    private final int peerQpn;
    private final MemLane requests;
    /** Requester side: the request lane's position just past this link's newest request; 0 before the first. */
    private long sentThrough;
    private final MemLane responses;
    /** The peer's transport, whose engine consumes everything this link sends: requests, NAKs and ACKs. */
    private final MemTransport peerTransport;
    /** Written by the peer's responder, read by this QP's requester. */
    private final DeviceBuffer ackCell = new DeviceBuffer(BufferUtil.allocateDirectAligned(MemLane.CACHE_LINE, MemLane.CACHE_LINE));
    private long lastAck;
    /** Responder side: ACKs published for the peer, so a repeated ACK of the same PSN is still seen as new. */
    private long acksPublished;
    /**
     * Responder side: the requester's link, whose ACK cell this side writes; cached because the requester's QP
     * object shares cache lines with state its own thread writes on every post.
     */
    private MemLink requesterLink;
    /**
     * Responder side: this side's own view of {@link #requesterLink}'s ACK cell, so publishing an ACK reads no
     * field of the requester's link object (which its thread writes when it reads ACKs).
     */
    private final DeviceBuffer requesterAckCell = new DeviceBuffer();

    MemLink(
        final SoftQp local,
        final SoftQp peer,
        final boolean direct,
        final MemLane requests,
        final MemLane responses,
        final MemTransport peerTransport)
    {
        this.local = local;
        this.directPeer = direct ? peer.responder() : null;
        this.peer = peer;
        this.peerQpn = peer.qpNum();
        this.requests = requests;
        this.responses = responses;
        this.peerTransport = peerTransport;
    }

    SoftQp peer()
    {
        return peer;
    }

    /**
     * Requests go direct only when none of this link's is still in the lane: the peer's engine reads the expected
     * PSN, then executes, without a lock common to the direct path, so a copy it is still to handle (one sent
     * before a go-back-N, or a retransmission's original) could otherwise pass its PSN check at the same moment as
     * the same request executed here, and run twice. Once the lane is consumed through this link's last request,
     * the peer's engine has done with all of them, and the direct path sees what they changed.
     */
    @Override
    public ResponderContext directPeer()
    {
        return sentThrough == 0 || requests.consumedThrough(sentThrough) ? directPeer : null;
    }

    @Override
    public boolean sendRequest(final int psn, final long wqeBlock, final boolean ackReq)
    {
        final int slot = requests.claim();
        if (slot < 0)
        {
            return false;
        }
        final SendRing sq = local.sendRing();
        final DeviceBuffer wqe = sq.buffer();
        final int offset = sq.offset(wqeBlock);
        final int opcode = wqe.getByte(offset + WqeLayout.OPCODE);
        final int flags = wqe.getByte(offset + WqeLayout.FLAGS);
        final int length = wqe.getInt(offset + WqeLayout.LENGTH);
        final DeviceBuffer out = requests.buffer();
        if (isCompact(opcode, flags, length))
        {
            writeCompact(slot, opcode, flags, psn, ackReq, length, wqe.getInt(offset + WqeLayout.RKEY),
                wqe.getLong(offset + WqeLayout.REMOTE_ADDRESS), wqe.getInt(offset + WqeLayout.IMM),
                wqe.getInt(offset + WqeLayout.INV_RKEY));
            // Both ends lie inside our own rings: the WQE holds length bytes of data, the slot has room for them.
            Segments.copyChecked(wqe.addressOffset() + offset + WqeLayout.DATA,
                out.addressOffset() + slot + MemRequest.C_PAYLOAD, length);
        }
        else
        {
            writeHeader(slot, opcode, flags, psn, ackReq, MemRequest.EXTENDED);
            out.putLong(slot + MemRequest.WQE_BLOCK, wqeBlock); // the responder reads the rest in place
        }
        sentThrough = requests.publish(slot);
        peerTransport.wakeEngine();
        return true;
    }

    @Override
    public boolean sendPosted(final int psn, final SendWorkRequest wr, final int flags, final boolean ackReq)
    {
        final int opcode = wr.opcode().ordinal();
        final int length = (int)wr.totalLength();
        if (!isCompact(opcode, flags, length))
        {
            return false;
        }
        final int slot = requests.claim();
        if (slot < 0)
        {
            return false;
        }
        writeCompact(slot, opcode, flags, psn, ackReq, length, wr.rkey(), wr.remoteAddress(), wr.immData(),
            wr.invalidateRkey());
        long target = requests.buffer().addressOffset() + slot + MemRequest.C_PAYLOAD;
        for (int i = 0, n = wr.numSge(); i < n; i++)
        {
            final int sgeLength = wr.sgeLength(i);
            // The post checked each inline source against its MR; the slot has room for length bytes.
            Segments.copyChecked(wr.sgeAddress(i), target, sgeLength);
            target += sgeLength;
        }
        sentThrough = requests.publish(slot);
        peerTransport.wakeEngine();
        return true;
    }

    /** A SEND, or a WRITE without immediate, whose inline payload fits the slot travels in it. */
    private static boolean isCompact(final int opcode, final int flags, final int length)
    {
        return (flags & SendFlags.INLINE) != 0 && length <= MemRequest.COMPACT_PAYLOAD &&
            (isSend(opcode) || opcode == Opcode.RDMA_WRITE.ordinal());
    }

    private static boolean isSend(final int opcode)
    {
        return opcode == Opcode.SEND.ordinal() || opcode == Opcode.SEND_WITH_IMM.ordinal() ||
            opcode == Opcode.SEND_WITH_INV.ordinal() || opcode == Opcode.SEND_WITH_INV_AND_IMM.ordinal();
    }

    private void writeCompact(
        final int slot,
        final int opcode,
        final int flags,
        final int psn,
        final boolean ackReq,
        final int length,
        final int rkey,
        final long remoteAddress,
        final int immData,
        final int invalidateRkey)
    {
        writeHeader(slot, opcode, flags, psn, ackReq, (byte)length);
        final DeviceBuffer out = requests.buffer();
        if (opcode == Opcode.RDMA_WRITE.ordinal())
        {
            out.putInt(slot + MemRequest.C_RKEY, rkey);
            out.putLong(slot + MemRequest.C_REMOTE_ADDRESS, remoteAddress);
        }
        else
        {
            out.putInt(slot + MemRequest.C_IMM, immData);
            out.putInt(slot + MemRequest.C_INV_RKEY, invalidateRkey);
        }
    }

    private void writeHeader(
        final int slot, final int opcode, final int flags, final int psn, final boolean ackReq, final byte form)
    {
        final DeviceBuffer out = requests.buffer();
        out.putByte(slot + MemRequest.OPCODE, (byte)opcode);
        out.putByte(slot + MemRequest.FLAGS, (byte)flags);
        out.putByte(slot + MemRequest.ACK_REQ, (byte)(ackReq ? 1 : 0));
        out.putByte(slot + MemRequest.FORM, form);
        out.putInt(slot + MemRequest.DST_QPN, peerQpn);
        out.putInt(slot + MemRequest.SRC_QPN, local.qpNum());
        out.putInt(slot + MemRequest.PSN, psn);
    }

    @Override
    public boolean sendResponse(final int psn, final int syndrome)
    {
        if (syndrome == Syndrome.ACK)
        {
            // The requester's current link: a reconnected peer has a new one, a reset peer none.
            if (requesterLink == null || requesterAckCell.getIntVolatile(CLOSED) != 0)
            {
                final Link current = peer.link();
                requesterLink = current instanceof MemLink ? (MemLink)current : null;
                if (requesterLink == null)
                {
                    return true;
                }
                requesterAckCell.wrap(requesterLink.ackCell, 0, MemLane.CACHE_LINE);
            }
            requesterAckCell.putLongRelease(ACK, (++acksPublished << 32) | (psn & PSN_MASK));
            peerTransport.wakeEngine();
            return true;
        }
        final int slot = responses.claim();
        if (slot < 0)
        {
            return false;
        }
        final DeviceBuffer out = responses.buffer();
        out.putInt(slot + MemTransport.RSP_DST_QPN, peerQpn);
        out.putInt(slot + MemTransport.RSP_PSN, psn);
        out.putInt(slot + MemTransport.RSP_SYNDROME, syndrome);
        responses.publish(slot);
        peerTransport.wakeEngine();
        return true;
    }

    @Override
    public int pollAck()
    {
        final long value = ackCell.getLongAcquire(ACK);
        if (value == lastAck)
        {
            return -1;
        }
        lastAck = value;
        return (int)(value & PSN_MASK);
    }

    @Override
    public void close()
    {
        ackCell.putIntVolatile(CLOSED, 1);
    }

    @Override
    public boolean ackChanged()
    {
        return ackCell.getLongAcquire(ACK) != lastAck;
    }
}
