package io.softverbs.offheap.engine;

import static io.softverbs.offheap.engine.RequesterContext.DONE;
import static io.softverbs.offheap.engine.RequesterContext.FAILED;
import static io.softverbs.offheap.engine.RequesterContext.POSTED;
import static io.softverbs.offheap.engine.RequesterContext.SENT;

import io.softverbs.AsyncEvent;
import io.softverbs.AsyncEventType;
import io.softverbs.LinePadding;
import io.softverbs.Opcode;
import io.softverbs.QpState;
import io.softverbs.SendFlags;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.offheap.host.DeviceBuffer;
import io.softverbs.offheap.host.RecvRing;
import io.softverbs.offheap.host.SendRing;
import io.softverbs.offheap.host.WqeLayout;
import io.softverbs.offheap.resource.SoftCq;
import io.softverbs.offheap.resource.SoftQp;
import io.softverbs.offheap.transport.Syndrome;

/**
 * The completer stage (rxe's comp): turns responses into send completions, in posting order; handles RNR and
 * sequence NAKs by rewinding the requester (go-back-N); moves a QP to ERR and flushes its queues.
 */
final class Completer extends LinePadding
{
    private final Engine engine;

    Completer(final Engine engine)
    {
        this.engine = engine;
    }

    void onResponse(final SoftQp qp, final int psn, final int syndrome)
    {
        final int state = qp.stateOrdinal();
        if (state < QpState.RTS.ordinal() || state == QpState.ERR.ordinal())
        {
            return; // late response to a QP that moved on
        }
        final RequesterContext rc = qp.requester();
        if (syndrome == Syndrome.ACK)
        {
            onAck(qp, rc, psn);
            return;
        }
        pullAck(qp, rc); // a NAK follows the ACKs of everything before it
        final long seq = findSent(rc, psn);
        if (seq < 0)
        {
            return; // stale
        }
        if (Syndrome.isRnr(syndrome))
        {
            if (qp.rnrRetry() != 7 && rc.rnrRetriesUsed >= qp.rnrRetry())
            {
                fail(qp, rc, seq, WcStatus.RNR_RETRY_EXC_ERR);
                return;
            }
            rc.rnrRetriesUsed++;
            rewind(qp, rc, seq);
            rc.rnrPaused = true;
            engine.arm(qp, RequesterContext.TIMER_RNR, IbTimers.rnrNanos(syndrome));
        }
        else if (syndrome == Syndrome.NAK_PSN_SEQUENCE)
        {
            rewind(qp, rc, seq);
            engine.schedule(qp);
        }
        else
        {
            fail(qp, rc, seq, statusOf(syndrome));
        }
    }

    /** Takes an ACK the transport published and nobody has read yet (mem), if there is one. */
    private void pullAck(final SoftQp qp, final RequesterContext rc)
    {
        final int acked = qp.link() != null ? qp.link().pollAck() : -1;
        if (acked >= 0)
        {
            onAck(qp, rc, acked);
        }
    }

    private void onAck(final SoftQp qp, final RequesterContext rc, final int psn)
    {
        final DeviceBuffer ring = qp.sendRing().buffer();
        final SendRing sq = qp.sendRing();
        long seq = rc.ackSeq;
        boolean acked = false;
        while (seq < rc.sendSeq)
        {
            final int i = rc.index(seq);
            final byte state = rc.state[i];
            if (state == SENT && Psn.compare(rc.psn[i], psn) <= 0)
            {
                rc.state[i] = DONE;
                rc.inflightRdAtomic -= rc.readOrAtomic[i];
                acked = true;
            }
            else if (state != DONE)
            {
                break;
            }
            seq++;
        }
        rc.ackSeq = seq;
        if (acked)
        {
            // The retransmission timer is left running: when it expires, these ACKs' progress restarts it. Re-arming
            // it here would read the clock on every ACK.
            rc.retriesUsed = 0;
            rc.rnrRetriesUsed = 0;
        }
        advance(qp);
        if (rc.sendSeq < rc.fetchSeq || (rc.ssq == null && qp.sendRing().producerBlock() != rc.fetchBlock))
        {
            engine.schedule(qp); // acks may unblock a fence or the READ/atomic limit
        }
    }

    /**
     * The retransmission timer expired. It is armed by the first request sent while it is off and left running
     * across ACKs, so this is where IB's rule that every ACK making progress restarts it is applied, once per
     * timeout instead of once per ACK: nothing outstanding, it stays off; progress since it was armed (counting ACKs
     * published but not yet read), it starts again, giving the requests still outstanding a full timeout from now
     * (never less than one from their sending, at most about two); no progress, the oldest unacknowledged request
     * and everything after it are sent again, or the QP gives up.
     */
    void onRetransmitTimeout(final SoftQp qp)
    {
        final RequesterContext rc = qp.requester();
        pullAck(qp, rc);
        final long seq = firstSent(rc);
        if (seq < 0)
        {
            return;
        }
        if (rc.ackSeq != rc.ackSeqAtArm)
        {
            engine.arm(qp, RequesterContext.TIMER_RETRANSMIT, IbTimers.ackTimeoutNanos(qp.timeout()));
            return;
        }
        if (qp.retryCount() != 7 && rc.retriesUsed >= qp.retryCount())
        {
            fail(qp, rc, seq, WcStatus.RETRY_EXC_ERR);
            return;
        }
        rc.retriesUsed++;
        rewind(qp, rc, seq);
        engine.schedule(qp);
    }

    private static long findSent(final RequesterContext rc, final int psn)
    {
        for (long seq = rc.ackSeq; seq < rc.sendSeq; seq++)
        {
            final int i = rc.index(seq);
            if (rc.state[i] == SENT && rc.psn[i] == psn)
            {
                return seq;
            }
        }
        return -1;
    }

    private static long firstSent(final RequesterContext rc)
    {
        for (long seq = rc.ackSeq; seq < rc.sendSeq; seq++)
        {
            if (rc.state[rc.index(seq)] == SENT)
            {
                return seq;
            }
        }
        return -1;
    }

    /** Go-back-N: everything from seq on is sent again, with the same PSNs. */
    private void rewind(final SoftQp qp, final RequesterContext rc, final long seq)
    {
        final SendRing sq = qp.sendRing();
        for (long s = seq; s < rc.sendSeq; s++)
        {
            final int i = rc.index(s);
            if (rc.state[i] == SENT)
            {
                rc.state[i] = POSTED;
                rc.inflightRdAtomic -= rc.readOrAtomic[i];
            }
        }
        rc.sendSeq = seq;
        rc.nextPsn = rc.psn[rc.index(seq)];
        engine.disarm(qp);
    }

    /** Completes seq with an error once everything before it has completed; the rest is flushed. */
    void fail(final SoftQp qp, final RequesterContext rc, final long seq, final WcStatus status)
    {
        final int i = rc.index(seq);
        rc.state[i] = FAILED;
        rc.status[i] = (byte)status.ordinal();
        rc.sendSeq = seq + 1;
        rc.halted = true; // nothing after a failed request is transmitted
        engine.disarm(qp);
        advance(qp);
    }

    /** Reports every finished request at the head of the send queue, in order. */
    void advance(final SoftQp qp)
    {
        final RequesterContext rc = qp.requester();
        final SendRing sq = qp.sendRing();
        final DeviceBuffer ring = sq.buffer();
        final long start = rc.completeSeq;
        boolean failed = false;
        while (rc.completeSeq < rc.sendSeq)
        {
            final int i = rc.index(rc.completeSeq);
            final byte state = rc.state[i];
            if (state != DONE && state != FAILED)
            {
                break;
            }
            final WcStatus status = state == DONE ? WcStatus.SUCCESS : WcStatus.of(rc.status[i]);
            if (rc.ssq != null)
            {
                rc.ssq.finish(rc.ssqSeq[i], status); // the SSQ reports it in its own order
            }
            else
            {
                final int offset = sq.offset(rc.blockStart[i]);
                if (state == FAILED || (ring.getByte(offset + WqeLayout.FLAGS) & SendFlags.SIGNALED) != 0)
                {
                    emitSend(qp.sendCq(), sq, rc.blockStart[i], rc.completeSeq + 1, status, qp.qpNum(),
                        qp.destQpn());
                }
            }
            rc.completeSeq++;
            if (rc.ackSeq < rc.completeSeq)
            {
                rc.ackSeq = rc.completeSeq;
            }
            if (state == FAILED)
            {
                failed = true;
                break;
            }
        }
        if (rc.completeSeq != start)
        {
            publish(qp, rc, sq);
        }
        if (failed)
        {
            enterError(qp);
            return;
        }
        if (rc.drainPending && rc.completeSeq == rc.sendSeq)
        {
            rc.drainPending = false;
            engine.raise(Text.drained(qp.qpNum()));
        }
    }

    /** Frees completed ring space: the QP's own ring, or the shared ring through the SSQ's ordered completion. */
    private static void publish(final SoftQp qp, final RequesterContext rc, final SendRing sq)
    {
        if (rc.ssq != null)
        {
            rc.ssq.advance();
        }
        else
        {
            sq.publishCompleted(rc.endBlock(sq, rc.completeSeq - 1), rc.completeSeq);
        }
    }

    /**
     * Reports a finished WQE at the head of a send ring: reads what its CQE needs, frees the ring up to and
     * including it, then produces the CQE. In that order because, as with {@code ibv_poll_cq}, an application
     * that has polled the completion may post into the freed entry at once, and freed blocks may be rewritten.
     *
     * @param cq            the CQ to report on.
     * @param sq            the send ring (a QP's own, or a shared send queue's).
     * @param block         the WQE's first block.
     * @param completedWqes WQEs completed once this one is.
     * @param status        the completion status.
     * @param qpNum         the local QP.
     * @param destQpn       the remote QP.
     */
    static void emitSend(
        final SoftCq cq,
        final SendRing sq,
        final long block,
        final long completedWqes,
        final WcStatus status,
        final int qpNum,
        final int destQpn)
    {
        final DeviceBuffer ring = sq.buffer();
        final int offset = sq.offset(block);
        final Opcode opcode = Opcode.of(ring.getByte(offset + WqeLayout.OPCODE));
        final long wrId = ring.getLong(offset + WqeLayout.WR_ID);
        final int length = ring.getInt(offset + WqeLayout.LENGTH);
        sq.publishCompletedHeld(block + ring.getShort(offset + WqeLayout.BLOCK_COUNT), completedWqes);
        if (!cq.produce(wrId, status, opcode == null ? WcOpcode.SEND : opcode.completionOpcode(), length, qpNum,
            destQpn, 0, 0, 0))
        {
            sq.releaseCompletion();
        }
    }

    /** Moves a QP to ERR: everything posted and not completed completes with WR_FLUSH_ERR. */
    void enterError(final SoftQp qp)
    {
        qp.state(QpState.ERR);
        engine.disarm(qp);
        flushSendQueue(qp);
        flushReceiveQueue(qp);
        if (qp.srq() != null)
        {
            engine.raise(Text.lastWqeReached(qp.qpNum()));
        }
    }

    void flushSendQueue(final SoftQp qp)
    {
        final RequesterContext rc = qp.requester();
        final SendRing sq = qp.sendRing();
        rc.fetch(sq);
        if (rc.completeSeq == rc.fetchSeq)
        {
            return;
        }
        for (long seq = rc.completeSeq; seq < rc.fetchSeq; seq++)
        {
            final int i = rc.index(seq);
            if (rc.ssq != null)
            {
                rc.ssq.finish(rc.ssqSeq[i], WcStatus.WR_FLUSH_ERR); // in its place in the SSQ order
            }
            else
            {
                emitSend(qp.sendCq(), sq, rc.blockStart[i], seq + 1, WcStatus.WR_FLUSH_ERR, qp.qpNum(),
                    qp.destQpn());
            }
        }
        rc.dropOutstanding(sq);
        if (rc.ssq != null)
        {
            rc.ssq.advance();
        }
    }

    void flushReceiveQueue(final SoftQp qp)
    {
        final RecvRing rq = qp.ownReceiveRing();
        if (rq == null)
        {
            return;
        }
        final ResponderContext rs = qp.responder();
        rs.lockReceives();
        try
        {
            while (rq.hasReceive())
            {
                Responder.completeReceive(rs, qp.destQpn(), WcStatus.WR_FLUSH_ERR, WcOpcode.RECV, 0, 0, 0, 0);
            }
        }
        finally
        {
            rs.unlockReceives();
        }
    }

    static boolean isReadOrAtomic(final int opcode)
    {
        return opcode == Opcode.RDMA_READ.ordinal() ||
            opcode == Opcode.ATOMIC_CMP_AND_SWP.ordinal() ||
            opcode == Opcode.ATOMIC_FETCH_AND_ADD.ordinal();
    }

    private static WcStatus statusOf(final int syndrome)
    {
        switch (syndrome)
        {
            case Syndrome.NAK_INVALID_REQUEST:
                return WcStatus.REM_INV_REQ_ERR;
            case Syndrome.NAK_REMOTE_ACCESS:
                return WcStatus.REM_ACCESS_ERR;
            case Syndrome.NAK_REMOTE_OPERATIONAL:
                return WcStatus.REM_OP_ERR;
            case Syndrome.REQUESTER_PROTECTION:
                return WcStatus.LOC_PROT_ERR;
            default:
                return WcStatus.BAD_RESP_ERR;
        }
    }

    /** This class's text, kept out of its constant pool (see {@code SoftCq.Text}). */
    private static final class Text
    {
        private Text()
        {
        }

        static AsyncEvent drained(final int qpNum)
        {
            return new AsyncEvent(AsyncEventType.SQ_DRAINED, qpNum, "send queue drained");
        }

        static AsyncEvent lastWqeReached(final int qpNum)
        {
            return new AsyncEvent(AsyncEventType.QP_LAST_WQE_REACHED, qpNum,
                "QP entered the error state; no more receives will be taken from its SRQ");
        }
    }
}
