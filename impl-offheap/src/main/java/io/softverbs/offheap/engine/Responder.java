package io.softverbs.offheap.engine;

import java.util.Arrays;

import io.softverbs.Access;
import io.softverbs.AsyncEvent;
import io.softverbs.AsyncEventType;
import io.softverbs.LinePadding;
import io.softverbs.Opcode;
import io.softverbs.SendFlags;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import io.softverbs.offheap.host.RecvRing;
import io.softverbs.offheap.resource.SoftCq;
import io.softverbs.offheap.resource.SoftMr;
import io.softverbs.offheap.resource.SoftQp;
import io.softverbs.offheap.resource.SoftSrq;
import io.softverbs.offheap.transport.InboundRequest;
import io.softverbs.offheap.transport.Link;
import io.softverbs.offheap.transport.Syndrome;
import org.agrona.UnsafeApi;

/**
 * The responder stage (rxe's resp): checks an inbound request's PSN, the QP's rights and every key, places data
 * with one copy, consumes receives, produces receive completions, and answers with an ACK or NAK. Duplicates are
 * re-acknowledged; where responses carry data, READs are re-executed and atomics answered from saved results.
 */
final class Responder extends LinePadding
{
    private final Engine engine;
    private final Completer completer;
    private final Segments source = new Segments();
    private final Segments target = new Segments();
    /**
     * QPs with an ACK to flush this cycle. Entries are overwritten only when they change and are not cleared after
     * a flush: a steady stream on one QP then stores no reference, so it never runs the collector's write barrier
     * (with G1, a StoreLoad fence for a store across regions). A stale entry only delays the collection of a
     * destroyed QP until its slot is reused.
     */
    private SoftQp[] acksDue = new SoftQp[16];
    private int acksDueCount;
    /** Most requests one ACK covers. */
    private static final int MAX_COALESCED_ACKS = 16;
    /** Not a PSN (those are 24 bits): an atomic whose original need not be kept for a duplicate. */
    private static final int NEVER_REPEATED = -1;
    /** {@link #checkSend}'s refusals that consume the receive with an error completion (not syndromes). */
    private static final int SINK_DENIED = -1;
    private static final int TOO_LONG = -2;
    private static final int INVALIDATE_DENIED = -3;
    /** The region a SEND that passed {@link #checkSend} invalidates, or null. */
    private SoftMr invalidating;

    Responder(final Engine engine, final Completer completer)
    {
        this.engine = engine;
        this.completer = completer;
    }

    void onRequest(final SoftQp qp, final int srcQpn, final int psn, final InboundRequest request)
    {
        final ResponderContext rs = qp.responder();
        if (rs.admittedQpn != srcQpn)
        {
            return; // not ready, in error, or not our peer: dropped as on a wire
        }
        final int order = Psn.compare(psn, rs.expectedPsn);
        if (order > 0)
        {
            return; // a gap (after an RNR NAK): the requester goes back to the expected PSN
        }
        final Opcode opcode = Opcode.of(request.opcode());
        if (order < 0)
        {
            duplicate(qp, psn, opcode, request);
            return;
        }

        final int syndrome = execute(qp, psn, opcode, request);
        if (syndrome == Syndrome.ACK)
        {
            rs.expectedPsn = Psn.next(psn);
        }
        respond(qp, psn, syndrome, request.ackRequested());
        if (syndrome >= Syndrome.NAK_INVALID_REQUEST && syndrome <= Syndrome.NAK_REMOTE_OPERATIONAL)
        {
            responderError(qp, syndrome);
        }
    }

    private int execute(final SoftQp qp, final int psn, final Opcode opcode, final InboundRequest request)
    {
        if (opcode == null)
        {
            return Syndrome.NAK_INVALID_REQUEST;
        }
        switch (opcode)
        {
            case SEND:
            case SEND_WITH_IMM:
            case SEND_WITH_INV:
            case SEND_WITH_INV_AND_IMM:
                return send(qp, opcode, request);
            case RDMA_WRITE:
                return write(qp.responder(), request);
            case RDMA_WRITE_WITH_IMM:
                return writeWithImm(qp, request);
            case RDMA_READ:
                return read(qp.responder(), request);
            case ATOMIC_CMP_AND_SWP:
            case ATOMIC_FETCH_AND_ADD:
                return atomic(qp.responder(), psn, opcode, request);
            default:
                return Syndrome.NAK_INVALID_REQUEST;
        }
    }

    private int send(final SoftQp qp, final Opcode opcode, final InboundRequest request)
    {
        final ResponderContext rs = qp.responder();
        rs.lockReceives();
        try
        {
            final int check = checkSend(rs, opcode, request);
            switch (check)
            {
                case Syndrome.ACK:
                    placeSend(rs, qp.destQpn(), opcode, request);
                    return Syndrome.ACK;
                case SINK_DENIED:
                    completeReceive(rs, qp.destQpn(), WcStatus.LOC_PROT_ERR, WcOpcode.RECV, 0, 0, 0, 0);
                    return Syndrome.NAK_REMOTE_OPERATIONAL;
                case TOO_LONG:
                    completeReceive(rs, qp.destQpn(), WcStatus.LOC_LEN_ERR, WcOpcode.RECV, (int)source.total(), 0,
                        0, 0);
                    return Syndrome.NAK_INVALID_REQUEST;
                case INVALIDATE_DENIED:
                    completeReceive(rs, qp.destQpn(), WcStatus.LOC_PROT_ERR, WcOpcode.RECV, 0, 0, 0, 0);
                    return Syndrome.NAK_INVALID_REQUEST;
                default:
                    return check;
            }
        }
        finally
        {
            rs.unlockReceives();
        }
    }

    /**
     * Every check of a SEND before anything is placed, with the receive side's lock held: the receive, the
     * source, the sink, the length, and the key to invalidate (kept in {@link #invalidating}).
     *
     * @return {@link Syndrome#ACK} if it may be placed now; a syndrome if it is refused with the receive left
     *         posted; {@link #SINK_DENIED}, {@link #TOO_LONG} or {@link #INVALIDATE_DENIED} if it is refused and
     *         consumes the receive with an error completion.
     */
    private int checkSend(final ResponderContext rs, final Opcode opcode, final InboundRequest request)
    {
        final RecvRing rq = rs.receives;
        if (!rq.hasReceive())
        {
            return Syndrome.RNR_NAK | rs.minRnrTimer;
        }
        if (!request.resolveSource(source))
        {
            return Syndrome.REQUESTER_PROTECTION;
        }
        final int slot = rq.headOffset();
        final int sink = target.resolveSgl(rs.keys, rs.pd, rq.buffer(), slot + RecvRing.SGES,
            rq.buffer().getInt(slot + RecvRing.NUM_SGE), Access.LOCAL_WRITE);
        if (sink == Segments.WAIT)
        {
            return Syndrome.RNR_NAK | rs.minRnrTimer; // the receive buffer is still being registered
        }
        if (sink == Segments.DENIED)
        {
            return SINK_DENIED;
        }
        if (source.total() > target.total())
        {
            return TOO_LONG;
        }
        invalidating = null;
        if (opcode.hasInv())
        {
            final SoftMr mr = rs.keys.lookup(request.invalidateRkey());
            if (mr == null || mr.pd() != rs.pd || (mr.access() & Access.REMOTE_INVALIDATE) == 0 ||
                mr.state() != SoftMr.VALID)
            {
                return INVALIDATE_DENIED;
            }
            invalidating = mr;
        }
        return Syndrome.ACK;
    }

    /**
     * With the receive side's lock held, a SEND that passed {@link #checkSend}: one copy into the receive's
     * buffers, then its completion. The lock is the CQ's, taken before the copy: taking a lock waits for every store
     * before it to reach its cache line, so taken between the payload and the CQE it would hold the CQE back for the
     * payload's line.
     */
    private void placeSend(final ResponderContext rs, final int srcQp, final Opcode opcode,
        final InboundRequest request)
    {
        final long bytes = Segments.copy(source, target);
        int flags = solicitedFlag(request);
        if (opcode.hasImm())
        {
            flags |= WorkCompletion.FLAG_WITH_IMM;
        }
        final SoftMr invalidated = invalidating;
        if (invalidated != null)
        {
            invalidating = null;
            invalidated.invalidate(); // before the completion is visible, as the spec requires
            flags |= WorkCompletion.FLAG_WITH_INV;
        }
        completeReceive(rs, srcQp, WcStatus.SUCCESS, WcOpcode.RECV, (int)bytes, request.immData(),
            invalidated != null ? request.invalidateRkey() : 0, flags);
    }

    private int write(final ResponderContext rs, final InboundRequest request)
    {
        if ((rs.accessFlags & Access.REMOTE_WRITE) == 0)
        {
            return Syndrome.NAK_INVALID_REQUEST;
        }
        if (!request.resolveSource(source))
        {
            return Syndrome.REQUESTER_PROTECTION;
        }
        final int check = target.resolveRemote(rs.keys, rs.pd, request.remoteAddress(), source.total(),
            request.rkey(), Access.REMOTE_WRITE);
        if (check != Segments.ALLOWED)
        {
            return remoteKeyRefusal(rs, check);
        }
        Segments.copy(source, target);
        return Syndrome.ACK;
    }

    private int writeWithImm(final SoftQp qp, final InboundRequest request)
    {
        final ResponderContext rs = qp.responder();
        rs.lockReceives();
        try
        {
            if (!rs.receives.hasReceive())
            {
                return Syndrome.RNR_NAK | rs.minRnrTimer;
            }
            final int syndrome = write(rs, request);
            if (syndrome == Syndrome.ACK)
            {
                completeReceive(rs, qp.destQpn(), WcStatus.SUCCESS, WcOpcode.RECV_RDMA_WITH_IMM,
                    (int)source.total(), request.immData(), 0, WorkCompletion.FLAG_WITH_IMM | solicitedFlag(request));
            }
            return syndrome;
        }
        finally
        {
            rs.unlockReceives();
        }
    }

    private int read(final ResponderContext rs, final InboundRequest request)
    {
        if ((rs.accessFlags & Access.REMOTE_READ) == 0)
        {
            return Syndrome.NAK_INVALID_REQUEST;
        }
        final int check = target.resolveRemote(rs.keys, rs.pd, request.remoteAddress(), request.length(),
            request.rkey(), Access.REMOTE_READ);
        if (check != Segments.ALLOWED)
        {
            return remoteKeyRefusal(rs, check);
        }
        return request.deliverRead(target) ? Syndrome.ACK : Syndrome.REQUESTER_PROTECTION;
    }

    /**
     * @param psn the request's PSN, under which the original is kept for a duplicate; {@link #NEVER_REPEATED} for
     *            a request executed directly, which never travelled and so is never sent again.
     */
    private int atomic(final ResponderContext rs, final int psn, final Opcode opcode, final InboundRequest request)
    {
        final int check = checkAtomic(rs, request);
        if (check != Syndrome.ACK)
        {
            return check;
        }
        final long original = performAtomic(opcode, request);
        if (psn != NEVER_REPEATED)
        {
            rs.saveAtomic(psn, original);
        }
        request.deliverAtomic(original);
        return Syndrome.ACK;
    }

    private int checkAtomic(final ResponderContext rs, final InboundRequest request)
    {
        final long address = request.remoteAddress();
        if ((rs.accessFlags & Access.REMOTE_ATOMIC) == 0 || (address & 7) != 0)
        {
            return Syndrome.NAK_INVALID_REQUEST;
        }
        final int check = target.resolveRemote(rs.keys, rs.pd, address, Long.BYTES, request.rkey(),
            Access.REMOTE_ATOMIC);
        if (check != Segments.ALLOWED)
        {
            return remoteKeyRefusal(rs, check);
        }
        return request.checkAtomicSink() ? Syndrome.ACK : Syndrome.REQUESTER_PROTECTION;
    }

    /** The atomic itself, on the address {@link #checkAtomic} resolved. @return the value before it. */
    private long performAtomic(final Opcode opcode, final InboundRequest request)
    {
        final long address = target.address(0);
        if (opcode == Opcode.ATOMIC_FETCH_AND_ADD)
        {
            return UnsafeApi.getAndAddLong(null, address, request.compareAdd());
        }
        return UnsafeApi.compareAndExchangeLong(null, address, request.compareAdd(), request.swap());
    }

    /**
     * The mem transport's direct path: executes a request of a requester in this process against its peer QP at
     * once, on the requester's thread, as a DMA engine would, with this responder's checks on the peer's rights,
     * keys and receives: a one-sided request (WRITE, READ, atomic), or a SEND or SEND_WITH_IMM, which consumes the
     * peer's next receive and writes its completion into the peer's CQ (both under their locks, as the peer's own
     * engine takes them). It runs only where the peer's own responder would execute the request now with success
     * and keep nothing but the next PSN: the peer connected to this requester and ready, expecting the requester's
     * next PSN, none of the requester's requests left in a lane for the peer's engine to handle (the caller got
     * {@code peer} from {@link Link#directPeer}, which checks), a receive posted for a SEND, and every check
     * passed. Anything else returns false before touching memory, and the request travels, to be answered (or
     * refused, with the peer QP's error handling, an RNR NAK for a SEND without a receive) by the peer itself.
     *
     * @param peer         the responder's context, owned by another engine: only the PSN is written here, and
     *                     for a SEND the receive ring's consumer side and the CQ, under their locks.
     * @param requesterQpn the requester QP, in a cycle of this engine.
     * @param nextPsn      the PSN the request would carry.
     * @param request      the request, read from the requester's WQE or work request.
     * @return true if it executed.
     */
    boolean executeDirect(final ResponderContext peer, final int requesterQpn, final int nextPsn,
        final InboundRequest request)
    {
        if (peer.admittedQpn != requesterQpn || peer.expectedPsn != nextPsn)
        {
            return false;
        }
        final Opcode opcode = Opcode.of(request.opcode());
        if (opcode == null || !ResponderContext.executesDirectly(opcode))
        {
            return false;
        }
        if (opcode.isSend())
        {
            peer.lockReceives();
            try
            {
                return sendLocked(peer, requesterQpn, nextPsn, opcode, request);
            }
            finally
            {
                peer.unlockReceives();
            }
        }
        if (!executeOneSided(peer, opcode, request))
        {
            return false;
        }
        // The request consumed its PSN, as one that travelled would. Nothing of this requester's is in flight or
        // still in a lane (Link#directPeer), so the peer's engine is not touching this field now; its next request
        // from us is published after this.
        peer.expectedPsn = Psn.next(nextPsn);
        return true;
    }

    /**
     * A SEND or SEND_WITH_IMM executed directly, with the peer's receive lock held ({@link
     * ResponderContext#lockReceives}): one request of a run that shares the hold, or {@link #executeDirect}'s one.
     * Admission and PSN are read under the lock: a reset or flush of the peer's receives, which holds it too, comes
     * wholly before this receive or wholly after it.
     *
     * @param opcode the request's opcode: a SEND that {@link ResponderContext#executesDirectly}.
     * @return true if the receive was consumed and completed; false if the request must travel (refused here: the
     *         peer's engine gives its error).
     */
    boolean sendLocked(final ResponderContext peer, final int requesterQpn, final int nextPsn, final Opcode opcode,
        final InboundRequest request)
    {
        if (peer.admittedQpn != requesterQpn || peer.expectedPsn != nextPsn ||
            checkSend(peer, opcode, request) != Syndrome.ACK)
        {
            return false;
        }
        placeSend(peer, requesterQpn, opcode, request);
        peer.receives.readAhead(); // the completion is out: the next SEND's receive, while this core has time
        peer.expectedPsn = Psn.next(nextPsn);
        return true;
    }

    private boolean executeOneSided(final ResponderContext peer, final Opcode opcode, final InboundRequest request)
    {
        switch (opcode)
        {
            case RDMA_WRITE:
                return write(peer, request) == Syndrome.ACK;
            case RDMA_READ:
                return read(peer, request) == Syndrome.ACK;
            case ATOMIC_CMP_AND_SWP:
            case ATOMIC_FETCH_AND_ADD:
                return atomic(peer, NEVER_REPEATED, opcode, request) == Syndrome.ACK;
            default:
                return false;
        }
    }

    private void duplicate(final SoftQp qp, final int psn, final Opcode opcode, final InboundRequest request)
    {
        if (!request.redeliversDuplicates())
        {
            respond(qp, psn, Syndrome.ACK, true); // its data reached the requester when the original executed
        }
        else if (opcode == Opcode.RDMA_READ)
        {
            respond(qp, psn, read(qp.responder(), request), true); // READs are idempotent: execute again
        }
        else if (opcode != null && opcode.isAtomic())
        {
            final int saved = qp.responder().findAtomic(psn);
            if (saved >= 0 && request.checkAtomicSink())
            {
                request.deliverAtomic(qp.responder().atomicOriginal(saved)); // never execute twice
                respond(qp, psn, Syndrome.ACK, true);
            }
        }
        else
        {
            // Executed before; the ACK was lost or late, and a requester that sends again is waiting for it.
            respond(qp, psn, Syndrome.ACK, true);
        }
    }

    /**
     * With the receive side's lock held ({@link ResponderContext#lockReceives}): consumes the head receive, writes its
     * CQE, fires the CQ's channel if armed, and notes an SRQ limit it crossed (raised once the lock is released).
     */
    static void completeReceive(
        final ResponderContext rs,
        final int srcQp,
        final WcStatus status,
        final WcOpcode opcode,
        final int byteLen,
        final int imm,
        final int invalidatedRkey,
        final int flags)
    {
        final RecvRing rq = rs.receives;
        final long wrId = rq.buffer().getLong(rq.headOffset() + RecvRing.WR_ID);
        rq.consume();
        final SoftCq cq = rs.recvCq;
        if (cq.produceLocked(wrId, status, opcode, byteLen, rs.qpn, srcQp, imm, invalidatedRkey, flags))
        {
            cq.notifyIfArmed(status, flags);
        }
        final SoftSrq srq = rs.srq;
        if (srq != null)
        {
            final int crossed = srq.afterConsume();
            if (crossed > 0)
            {
                rs.srqLimitCrossed = crossed; // raised when the lock is released
            }
        }
    }

    /** A pending rkey is not an error: the peer is told to come back later (RNR NAK), as for a missing receive. */
    private static int remoteKeyRefusal(final ResponderContext rs, final int check)
    {
        return check == Segments.WAIT ? Syndrome.RNR_NAK | rs.minRnrTimer : Syndrome.NAK_REMOTE_ACCESS;
    }

    private static int solicitedFlag(final InboundRequest request)
    {
        return (request.flags() & SendFlags.SOLICITED) != 0 ? WorkCompletion.FLAG_SOLICITED : 0;
    }

    /**
     * ACKs are coalesced: one cumulative ACK per QP answers every request executed before it (the responder's ACK
     * coalescing of InfiniBand). It goes out at the end of the cycle if a request asked for it (AckReq), otherwise
     * at the latest in the engine's next cycle or post ({@link #flushAcks}). A NAK goes out at once, after the ACK it
     * must follow.
     *
     * @param ackReq the request wants its ACK at once ({@link InboundRequest#ackRequested}).
     */
    private void respond(final SoftQp qp, final int requestPsn, final int syndrome, final boolean ackReq)
    {
        final ResponderContext rs = qp.responder();
        int psn = requestPsn;
        if (syndrome == Syndrome.ACK)
        {
            rs.ackWanted |= ackReq;
            // Cumulative: everything before the expected PSN has executed. A duplicate's ACK so never names an
            // older PSN than one already sent, which matters where the newest ACK replaces the last (mem).
            psn = (rs.expectedPsn - 1) & Psn.MASK;
            if (!rs.ackPending)
            {
                rs.ackPending = true;
                rs.ackPsn = psn;
                if (!rs.ackQueued)
                {
                    rs.ackQueued = true; // listed once until sent, so the list never outgrows the QPs with ACKs due
                    listAckDue(qp);
                }
            }
            else if (Psn.compare(psn, rs.ackPsn) > 0)
            {
                rs.ackPsn = psn;
            }
            if (++rs.ackCoalesced == MAX_COALESCED_ACKS)
            {
                sendAck(qp, rs); // bound how far the requester's send queue waits behind us
            }
            return;
        }
        sendAck(qp, rs);
        // A transport that cannot take the response drops it; the requester's retransmission gets it answered again.
        qp.link().sendResponse(psn, syndrome);
    }

    /**
     * Sends coalesced ACKs.
     *
     * @param all true: every one due; false: only those a request asked for at once, keeping the others for a
     *            later call (the end of a cycle, where the next post or cycle sends them).
     */
    void flushAcks(final boolean all)
    {
        final int count = acksDueCount;
        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            final SoftQp qp = acksDue[i];
            final ResponderContext rs = qp.responder();
            if (all || rs.ackWanted || !rs.ackPending)
            {
                rs.ackQueued = false;
                sendAck(qp, rs);
            }
            else
            {
                if (acksDue[kept] != qp)
                {
                    acksDue[kept] = qp;
                }
                kept++;
            }
        }
        acksDueCount = kept;
    }

    /** @return true if ACKs wait for {@link #flushAcks}; read by the engine's idle check as a hint. */
    boolean hasAcksDue()
    {
        return acksDueCount > 0;
    }

    private void listAckDue(final SoftQp qp)
    {
        if (acksDueCount == acksDue.length)
        {
            acksDue = Arrays.copyOf(acksDue, acksDueCount * 2);
        }
        if (acksDue[acksDueCount] != qp)
        {
            acksDue[acksDueCount] = qp;
        }
        acksDueCount++;
    }

    private static void sendAck(final SoftQp qp, final ResponderContext rs)
    {
        if (rs.ackPending)
        {
            rs.ackPending = false;
            rs.ackWanted = false;
            rs.ackCoalesced = 0;
            final Link link = qp.link();
            if (link != null)
            {
                link.sendResponse(rs.ackPsn, Syndrome.ACK);
            }
        }
    }

    private void responderError(final SoftQp qp, final int syndrome)
    {
        final AsyncEventType type;
        switch (syndrome)
        {
            case Syndrome.NAK_REMOTE_ACCESS:
                type = AsyncEventType.QP_ACCESS_ERR;
                break;
            case Syndrome.NAK_INVALID_REQUEST:
                type = AsyncEventType.QP_REQ_ERR;
                break;
            default:
                type = AsyncEventType.QP_FATAL;
        }
        completer.enterError(qp);
        engine.raise(Text.responderError(type, qp.qpNum(), syndrome));
    }

    /** This class's text, kept out of its constant pool (see {@code SoftCq.Text}). */
    private static final class Text
    {
        private Text()
        {
        }

        static AsyncEvent responderError(final AsyncEventType type, final int qpNum, final int syndrome)
        {
            return new AsyncEvent(type, qpNum, "responder error, syndrome 0x" + Integer.toHexString(syndrome));
        }
    }
}
