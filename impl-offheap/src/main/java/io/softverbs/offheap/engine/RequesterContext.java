package io.softverbs.offheap.engine;

import io.softverbs.LinePadding;
import io.softverbs.offheap.host.DeviceBuffer;
import io.softverbs.offheap.host.SendRing;
import io.softverbs.offheap.host.WqeLayout;
import org.agrona.BitUtil;

/**
 * The requester's per-QP state, owned by the engine: where each WQE starts, its PSN and progress, and the
 * cursors of the send queue. Sequence numbers count WQEs since the QP was created:
 * {@code completeSeq <= ackSeq <= sendSeq <= fetchSeq}.
 */
public final class RequesterContext extends LinePadding
{
    static final byte POSTED = 0;
    static final byte SENT = 1;
    static final byte DONE = 2;
    static final byte FAILED = 3;

    /**
     * Elements left unused before and after each per-WQE array of a QP with its own send ring (128 bytes or more
     * each side): the engine writes these arrays on every request, and the other side of an in-process
     * connection must not share their first or last cache lines, wherever the collector puts them. A channel of
     * a shared send queue keeps small arrays instead: there may be 10,000 of them, on one engine.
     */
    private static final int GUARD = LinePadding.BYTES; // elements: enough for the byte arrays, and so for all

    static final int TIMER_NONE = 0;
    static final int TIMER_RETRANSMIT = 1;
    static final int TIMER_RNR = 2;

    /** For a channel of a shared send queue: the SSQ, and each WQE's place in it; null otherwise. */
    final SsqState ssq;
    /** {@link #GUARD} or 0: where index 0 of the ring of WQEs is in each array. */
    private final int first;
    long[] ssqSeq;
    int mask;
    long[] blockStart;
    int[] psn;
    byte[] state;
    byte[] status;
    /** 1 for a READ or atomic: what counts against max_rd_atomic while it is in flight. */
    byte[] readOrAtomic;

    long fetchBlock;
    long fetchSeq;
    long sendSeq;
    long ackSeq;
    long completeSeq;
    int nextPsn;
    int inflightRdAtomic;
    int retriesUsed;
    int rnrRetriesUsed;
    boolean rnrPaused;
    boolean halted;
    boolean stalled;
    boolean drainPending;

    int timerKind;
    long deadlineNs;
    /** {@link #ackSeq} when the retransmission timer was armed: ACKs since then restart it when it expires. */
    long ackSeqAtArm;
    boolean inTimerList;
    /** On the engine's ACK watch list, until every WQE before {@link #ackWantedSeq} is acknowledged. */
    boolean ackWatched;
    long ackWantedSeq;

    /** @param depth most outstanding WQEs. */
    public RequesterContext(final int depth)
    {
        this(null, BitUtil.findNextPositivePowerOfTwo(depth + 1));
    }

    /**
     * A channel of a shared send queue: no ring of its own, a small window that grows only if the channel has
     * many WQEs outstanding at once (so 10,000 channels cost little).
     *
     * @param ssq the shared send queue's state.
     */
    public RequesterContext(final SsqState ssq)
    {
        this(ssq, 4);
    }

    private RequesterContext(final SsqState ssq, final int capacity)
    {
        this.ssq = ssq;
        first = ssq == null ? GUARD : 0;
        mask = capacity - 1;
        final int length = first + capacity + first;
        blockStart = new long[length];
        psn = new int[length];
        state = new byte[length];
        status = new byte[length];
        readOrAtomic = new byte[length];
        ssqSeq = ssq == null ? null : new long[length];
    }

    /**
     * Dispatcher: appends a WQE of the shared send queue to this channel.
     *
     * @param block its first block in the shared ring.
     * @param seq   its SSQ sequence number.
     */
    void appendDispatched(final long block, final long seq)
    {
        if (fetchSeq - completeSeq > mask)
        {
            grow();
        }
        final int i = index(fetchSeq);
        blockStart[i] = block;
        ssqSeq[i] = seq;
        state[i] = POSTED;
        fetchSeq++;
    }

    private void grow()
    {
        final int capacity = (mask + 1) * 2;
        final int length = first + capacity + first;
        final long[] newBlockStart = new long[length];
        final int[] newPsn = new int[length];
        final byte[] newState = new byte[length];
        final byte[] newStatus = new byte[length];
        final byte[] newReadOrAtomic = new byte[length];
        final long[] newSsqSeq = new long[length];
        final int newMask = capacity - 1;
        for (long seq = completeSeq; seq < fetchSeq; seq++)
        {
            final int from = index(seq);
            final int to = first + ((int)seq & newMask);
            newBlockStart[to] = blockStart[from];
            newPsn[to] = psn[from];
            newState[to] = state[from];
            newStatus[to] = status[from];
            newReadOrAtomic[to] = readOrAtomic[from];
            newSsqSeq[to] = ssqSeq[from];
        }
        mask = newMask;
        blockStart = newBlockStart;
        psn = newPsn;
        state = newState;
        status = newStatus;
        readOrAtomic = newReadOrAtomic;
        ssqSeq = newSsqSeq;
    }

    int index(final long seq)
    {
        return first + ((int)seq & mask);
    }

    /** Parses WQEs rung since the last call, skipping NOP padding. @param sq the send ring. */
    void fetch(final SendRing sq)
    {
        if (ssq != null)
        {
            return; // a channel's WQEs are dispatched to it from the shared ring
        }
        final long producer = sq.producerBlock();
        final DeviceBuffer ring = sq.buffer();
        while (fetchBlock < producer)
        {
            final int offset = sq.offset(fetchBlock);
            final int blocks = ring.getShort(offset + WqeLayout.BLOCK_COUNT);
            if (ring.getByte(offset + WqeLayout.OPCODE) != WqeLayout.OPCODE_NOP)
            {
                final int i = index(fetchSeq);
                blockStart[i] = fetchBlock;
                state[i] = POSTED;
                fetchSeq++;
            }
            fetchBlock += blocks;
        }
    }

    /** @param seq a WQE sequence. @return the block just past it. */
    long endBlock(final SendRing sq, final long seq)
    {
        final long start = blockStart[index(seq)];
        return start + sq.buffer().getShort(sq.offset(start) + WqeLayout.BLOCK_COUNT);
    }

    /**
     * Every WQE parsed so far is finished (flushed or dropped): all cursors jump to the last one. Frees the QP's
     * own ring; a channel's SSQ frees its shared ring in posting order instead.
     *
     * @param sq the send ring.
     */
    void dropOutstanding(final SendRing sq)
    {
        sendSeq = fetchSeq;
        ackSeq = fetchSeq;
        completeSeq = fetchSeq;
        inflightRdAtomic = 0;
        rnrPaused = false;
        halted = false;
        if (ssq == null)
        {
            sq.publishCompleted(fetchBlock, fetchSeq);
        }
    }

    /** Drops everything (QP reset) and forgets retry, stall and timer state. @param sq the send ring. */
    void reset(final SendRing sq)
    {
        fetch(sq);
        dropOutstanding(sq);
        retriesUsed = 0;
        rnrRetriesUsed = 0;
        stalled = false;
        drainPending = false;
        timerKind = TIMER_NONE;
        deadlineNs = 0;
    }
}
