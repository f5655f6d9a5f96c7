package io.softverbs.offheap.engine;

import io.softverbs.offheap.host.SendRing;
import io.softverbs.offheap.host.WqeLayout;
import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The requester's per-QP state, owned by the engine: where each WQE starts, its PSN and progress, and the
 * cursors of the send queue. Sequence numbers count WQEs since the QP was created:
 * {@code completeSeq <= ackSeq <= sendSeq <= fetchSeq}.
 */
public final class RequesterContext
{
    static final byte POSTED = 0;
    static final byte SENT = 1;
    static final byte DONE = 2;
    static final byte FAILED = 3;

    static final int TIMER_NONE = 0;
    static final int TIMER_RETRANSMIT = 1;
    static final int TIMER_RNR = 2;

    final int mask;
    final long[] blockStart;
    final int[] psn;
    final byte[] state;
    final byte[] status;

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
    boolean inTimerList;

    /** @param depth most outstanding WQEs. */
    public RequesterContext(final int depth)
    {
        final int capacity = BitUtil.findNextPositivePowerOfTwo(depth + 1);
        mask = capacity - 1;
        blockStart = new long[capacity];
        psn = new int[capacity];
        state = new byte[capacity];
        status = new byte[capacity];
    }

    int index(final long seq)
    {
        return (int)seq & mask;
    }

    /** Parses WQEs rung since the last call, skipping NOP padding. @param sq the send ring. */
    void fetch(final SendRing sq)
    {
        final long producer = sq.producerBlock();
        final UnsafeBuffer ring = sq.buffer();
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

    /** Drops everything (QP reset): all cursors jump to what has been rung. @param sq the send ring. */
    void reset(final SendRing sq)
    {
        fetch(sq);
        sendSeq = fetchSeq;
        ackSeq = fetchSeq;
        completeSeq = fetchSeq;
        inflightRdAtomic = 0;
        retriesUsed = 0;
        rnrRetriesUsed = 0;
        rnrPaused = false;
        halted = false;
        stalled = false;
        drainPending = false;
        timerKind = TIMER_NONE;
        deadlineNs = 0;
        sq.publishCompleted(fetchBlock, fetchSeq);
    }
}
