package io.softverbs.offheap.engine;

import static io.softverbs.offheap.engine.RequesterContext.DONE;
import static io.softverbs.offheap.engine.RequesterContext.SENT;

import io.softverbs.Access;
import io.softverbs.LinePadding;
import io.softverbs.Opcode;
import io.softverbs.QpState;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcStatus;
import io.softverbs.offheap.host.DeviceBuffer;
import io.softverbs.offheap.host.SendRing;
import io.softverbs.offheap.host.WqeLayout;
import io.softverbs.offheap.resource.SoftMr;
import io.softverbs.offheap.resource.SoftQp;
import io.softverbs.offheap.transport.Link;
import io.softverbs.offheap.transport.WqeRequest;

/**
 * The requester stage (rxe's req): walks a scheduled QP's send ring from the doorbell, checks each WQE's local
 * memory, executes local operations, executes one-sided operations and SENDs at once where the peer is in this
 * process (mem), and hands the rest to the transport with a PSN. It stops at a fence, at the READ/atomic limit,
 * during an RNR wait, and when the transport is full.
 */
final class Requester extends LinePadding
{
    private static final int BUDGET = 64;

    private final Engine engine;
    private final Completer completer;
    private final Responder responder;
    private final Segments scratch = new Segments();
    private final WqeRequest direct = new WqeRequest();
    private final PostedRequest posted = new PostedRequest();

    Requester(final Engine engine, final Completer completer, final Responder responder)
    {
        this.engine = engine;
        this.completer = completer;
        this.responder = responder;
    }

    void process(final SoftQp qp)
    {
        final int state = qp.stateOrdinal();
        if (state == QpState.ERR.ordinal())
        {
            completer.flushSendQueue(qp);
            completer.flushReceiveQueue(qp);
            return;
        }
        if (state < QpState.RTS.ordinal())
        {
            return;
        }
        final RequesterContext rc = qp.requester();
        final SendRing sq = qp.sendRing();
        rc.fetch(sq);
        if (rc.rnrPaused || rc.halted || rc.stalled || state == QpState.SQD.ordinal())
        {
            return; // SQD: what is in flight finishes, nothing new starts
        }

        final DeviceBuffer ring = sq.buffer();
        final Link link = qp.link();
        int budget = BUDGET;
        boolean more = false;
        while (rc.sendSeq < rc.fetchSeq)
        {
            if (budget-- == 0)
            {
                more = true;
                break;
            }
            final int i = rc.index(rc.sendSeq);
            if (rc.state[i] == DONE)
            {
                rc.sendSeq++; // a local operation already executed before a rewind
                continue;
            }
            final int offset = sq.offset(rc.blockStart[i]);
            final int opcodeOrdinal = ring.getByte(offset + WqeLayout.OPCODE);
            final int flags = ring.getByte(offset + WqeLayout.FLAGS);
            final Opcode opcode = Opcode.of(opcodeOrdinal);
            if (opcode == null)
            {
                completer.fail(qp, rc, rc.sendSeq, WcStatus.LOC_QP_OP_ERR);
                return;
            }
            if (opcode == Opcode.LOCAL_INV)
            {
                final WcStatus status = localInvalidate(qp, ring.getInt(offset + WqeLayout.INV_RKEY));
                if (status != WcStatus.SUCCESS)
                {
                    completer.fail(qp, rc, rc.sendSeq, status);
                    return;
                }
                rc.state[i] = DONE;
                rc.sendSeq++;
                continue;
            }
            final boolean readOrAtomic = Completer.isReadOrAtomic(opcodeOrdinal);
            if (((flags & SendFlags.FENCE) != 0 && rc.inflightRdAtomic > 0) ||
                (readOrAtomic && rc.inflightRdAtomic >= Math.max(1, qp.maxRdAtomic())))
            {
                break; // an ACK reschedules the QP
            }
            if ((flags & SendFlags.INLINE) == 0)
            {
                final int check = scratch.resolveSgl(qp.keys(), qp.pd(), ring, offset + WqeLayout.DATA,
                    ring.getByte(offset + WqeLayout.NUM_SGE), readOrAtomic ? Access.LOCAL_WRITE : 0);
                if (check == Segments.WAIT)
                {
                    engine.stall(qp); // this QP waits for the registration; other QPs go on
                    break;
                }
                if (check == Segments.DENIED)
                {
                    completer.fail(qp, rc, rc.sendSeq, WcStatus.LOC_PROT_ERR);
                    return;
                }
            }
            if (rc.ackSeq == rc.sendSeq && ResponderContext.executesDirectly(opcode) &&
                executeDirect(qp, link, rc.nextPsn, rc.blockStart[i], (flags & SendFlags.INLINE) == 0 ? scratch : null))
            {
                rc.state[i] = DONE; // executed and, with nothing before it outstanding, as good as acknowledged
                rc.psn[i] = rc.nextPsn;
                rc.nextPsn = Psn.next(rc.nextPsn);
                rc.ackSeq++;
                rc.sendSeq++;
                continue;
            }
            final boolean ackReq = wantsAck(qp, rc, flags, readOrAtomic);
            if (!link.sendRequest(rc.nextPsn, rc.blockStart[i], ackReq))
            {
                more = true; // transport full: try again next cycle
                break;
            }
            sent(qp, rc, ackReq, readOrAtomic);
        }
        completer.advance(qp);
        if (more)
        {
            engine.schedule(qp);
        }
    }

    /**
     * Whether the WQE at {@code rc.sendSeq}, about to be sent, wants its ACK at once: only an ACK that completes
     * something the application will see, frees a READ/atomic slot, keeps a shared send queue's order or keeps the
     * send queue from filling is worth waiting for; the others are covered by the next one (IB's cumulative ACK), as
     * libibverbs frees unsignaled WQEs. The request carries the answer (AckReq) and the requester watches for the
     * ACK: one decision for both.
     */
    private static boolean wantsAck(
        final SoftQp qp, final RequesterContext rc, final int flags, final boolean readOrAtomic)
    {
        return (flags & SendFlags.SIGNALED) != 0 || readOrAtomic || rc.ssq != null ||
            rc.sendSeq + 1 - rc.completeSeq >= Math.max(1, qp.sendRing().depth() >> 1);
    }

    /** The WQE at {@code rc.sendSeq} went to the transport with the next PSN: it now waits for its ACK. */
    private void sent(final SoftQp qp, final RequesterContext rc, final boolean ackReq, final boolean readOrAtomic)
    {
        final int i = rc.index(rc.sendSeq);
        rc.psn[i] = rc.nextPsn;
        rc.nextPsn = Psn.next(rc.nextPsn);
        rc.state[i] = SENT;
        rc.readOrAtomic[i] = (byte)(readOrAtomic ? 1 : 0);
        rc.inflightRdAtomic += rc.readOrAtomic[i];
        rc.sendSeq++;
        if (ackReq)
        {
            engine.watchAck(qp);
        }
        if (rc.timerKind == RequesterContext.TIMER_NONE)
        {
            engine.arm(qp, RequesterContext.TIMER_RETRANSMIT, IbTimers.ackTimeoutNanos(qp.timeout()));
        }
    }

    /**
     * The fused SEND post (INVOKER): a request whose transport can send it straight from the work request
     * ({@link Link#sendPosted}) is sent by the posting thread, in a cycle it entered for this, before its WQE is
     * written; the WQE follows at once, under the send lock, and the requester takes it as sent. A ping-pong's
     * critical path then holds the request's encoding into the lane, not also the WQE's encoding and decoding.
     * Only when nothing posted earlier still waits to be sent (no overtaking) and the QP may send now.
     *
     * @param qp    the posting QP.
     * @param wr    the request, already checked by the post.
     * @param flags its send flags, SIGNALED added for sq_sig_all.
     * @return true if sent and written; false if it must be posted the ordinary way (nothing was done).
     */
    boolean sendPosted(final SoftQp qp, final SendWorkRequest wr, final int flags)
    {
        if (qp.stateOrdinal() != QpState.RTS.ordinal())
        {
            return false;
        }
        final RequesterContext rc = qp.requester();
        final SendRing sq = qp.sendRing();
        rc.fetch(sq);
        final Link link = qp.link();
        if (rc.sendSeq != rc.fetchSeq || rc.rnrPaused || rc.halted || rc.stalled || link == null ||
            ((flags & SendFlags.FENCE) != 0 && rc.inflightRdAtomic > 0))
        {
            return false;
        }
        final boolean ackReq = wantsAck(qp, rc, flags, false);
        if (!qp.sendAndWrite(link, rc.nextPsn, wr, flags, rc.fetchBlock, ackReq))
        {
            return false;
        }
        rc.fetch(sq); // the WQE just written, and any other thread's since (they come after it)
        sent(qp, rc, ackReq, false);
        completer.advance(qp);
        return true;
    }

    /**
     * The fused post (INVOKER): a one-sided request (WRITE, READ, atomic) is executed by the posting thread, in a
     * cycle it entered for this, without ever being written to the send ring, when its QP has nothing outstanding
     * (so nothing it could overtake) and the peer's responder would execute it now with success (see
     * {@link Responder#executeDirect}). A signaled one completes at once. This saves the WQE's encoding, the
     * requester's reading it back and the completer's freeing it: the three stages' work on the one request that
     * needs none of them.
     *
     * @param qp    the posting QP.
     * @param wr    the request, already checked by the post.
     * @param flags its send flags, SIGNALED added for sq_sig_all.
     * @return true if it executed and completed; false if it must be posted the ordinary way.
     */
    boolean executePosted(final SoftQp qp, final SendWorkRequest wr, final int flags)
    {
        final ResponderContext peer = directPeerIfIdle(qp);
        return peer != null && executeOne(qp, peer, wr, flags);
    }

    /**
     * The fused post of a list: {@link #executePosted} for each request in turn, from {@code list[from]}, until one
     * may not execute at once. Unsignaled SENDs in a row share one hold of the peer's receive lock, so a burst pays
     * one locked instruction, not one per message; the lock is released before a signaled request, whose completion
     * goes to a CQ that may be the very one the lock guards.
     *
     * @param qp   the posting QP.
     * @param list the requests, not yet checked.
     * @param from the first.
     * @param end  one past the last.
     * @return how many executed and completed, from {@code from}; the rest must be posted the ordinary way.
     */
    int executePostedList(final SoftQp qp, final SendWorkRequest[] list, final int from, final int end)
    {
        final ResponderContext peer = directPeerIfIdle(qp);
        if (peer == null)
        {
            return 0;
        }
        final RequesterContext rc = qp.requester();
        final SendRing sq = qp.sendRing();
        final int qpn = qp.qpNum();
        boolean locked = false;
        int i = from;
        try
        {
            for (; i < end; i++)
            {
                final SendWorkRequest wr = list[i];
                final Opcode opcode = wr.opcode();
                if (opcode == null || !ResponderContext.executesDirectly(opcode) || qp.checkPost(wr) != 0)
                {
                    break;
                }
                final int flags = qp.sendFlags(wr);
                if (opcode.isSend() && (flags & SendFlags.SIGNALED) == 0)
                {
                    if (!locked)
                    {
                        peer.lockReceives();
                        locked = true;
                    }
                    if (!sq.hasWqeRoom() ||
                        !responder.sendLocked(peer, qpn, rc.nextPsn, opcode, posted.wrap(qp, wr, flags)))
                    {
                        break;
                    }
                    rc.nextPsn = Psn.next(rc.nextPsn);
                }
                else
                {
                    if (locked)
                    {
                        locked = false;
                        peer.unlockReceives();
                    }
                    if (!executeOne(qp, peer, wr, flags))
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            if (locked)
            {
                peer.unlockReceives();
            }
        }
        return i - from;
    }

    /**
     * @return the peer's responder context if the QP may execute a posted request at once: in RTS, nothing of it
     *         outstanding or stalled, and a peer in this process; else null.
     */
    private static ResponderContext directPeerIfIdle(final SoftQp qp)
    {
        if (qp.stateOrdinal() != QpState.RTS.ordinal())
        {
            return null;
        }
        final RequesterContext rc = qp.requester();
        rc.fetch(qp.sendRing());
        final Link link = qp.link();
        return rc.completeSeq != rc.fetchSeq || rc.stalled || link == null ? null : link.directPeer();
    }

    /** {@link #executePosted} once its QP is known to be idle, for a request to {@code peer}. */
    private boolean executeOne(final SoftQp qp, final ResponderContext peer, final SendWorkRequest wr, final int flags)
    {
        final RequesterContext rc = qp.requester();
        final SendRing sq = qp.sendRing();
        final boolean signaled = (flags & SendFlags.SIGNALED) != 0;
        // A signaled request's completion takes a slot of the send queue until polled: reserved first, under the
        // send lock that the other posts check room under, so that no post can take the last slot meanwhile.
        if (!(signaled ? qp.reserveCompletion() : sq.hasWqeRoom()))
        {
            return false;
        }
        if (!responder.executeDirect(peer, qp.qpNum(), rc.nextPsn, posted.wrap(qp, wr, flags)))
        {
            if (signaled)
            {
                sq.releaseCompletion();
            }
            return false;
        }
        rc.nextPsn = Psn.next(rc.nextPsn);
        if (signaled && !qp.sendCq().produce(wr.wrId(), WcStatus.SUCCESS, wr.opcode().completionOpcode(),
            (int)wr.totalLength(), qp.qpNum(), qp.destQpn(), 0, 0, 0))
        {
            sq.releaseCompletion();
        }
        return true;
    }

    /**
     * A one-sided operation on a transport whose peer is in this process runs here and now, if the peer's
     * responder would run it with success (see {@link Responder#executeDirect}). Only when nothing of this QP is
     * outstanding: it must not overtake a request still on its way. The local SGE list checked just before is
     * handed over, not looked up again.
     */
    private boolean executeDirect(
        final SoftQp qp, final Link link, final int psn, final long wqeBlock, final Segments checkedSgl)
    {
        final ResponderContext peer = link.directPeer();
        return peer != null &&
            responder.executeDirect(peer, qp.qpNum(), psn, direct.wrap(qp, wqeBlock, checkedSgl));
    }

    private static WcStatus localInvalidate(final SoftQp qp, final int rkey)
    {
        final SoftMr mr = qp.keys().lookup(rkey);
        if (mr == null || mr.pd() != qp.pd())
        {
            return WcStatus.LOC_PROT_ERR;
        }
        mr.invalidate();
        return WcStatus.SUCCESS;
    }
}
