package io.softverbs.offheap.engine;

import io.softverbs.WcStatus;
import io.softverbs.offheap.host.DeviceBuffer;
import io.softverbs.offheap.host.SendRing;
import io.softverbs.offheap.host.WqeLayout;
import io.softverbs.offheap.resource.SoftCq;
import org.agrona.BitUtil;

/**
 * The engine's state of a shared send queue: every WQE in posting order with the channel it went to and how it
 * finished. Channels transmit and retransmit on their own; completions leave only from the head, so the CQ sees
 * them in SSQ posting order even when a later channel is acknowledged first.
 */
public final class SsqState
{
    private static final byte PENDING = 0;
    private static final byte FINISHED = 1;

    private final SendRing ring;
    private final SoftCq cq;
    private final int mask;
    private final long[] blockStart;
    private final int[] channelQpn;
    private final byte[] state;
    private final byte[] status;
    long fetchBlock;
    long fetchSeq;
    private long completeSeq;

    /**
     * @param ring  the shared ring.
     * @param cq    where every channel's send completions go.
     * @param depth most outstanding WQEs.
     */
    public SsqState(final SendRing ring, final SoftCq cq, final int depth)
    {
        this.ring = ring;
        this.cq = cq;
        final int capacity = BitUtil.findNextPositivePowerOfTwo(depth + 1);
        mask = capacity - 1;
        blockStart = new long[capacity];
        channelQpn = new int[capacity];
        state = new byte[capacity];
        status = new byte[capacity];
    }

    /** @return the shared ring. */
    public SendRing ring()
    {
        return ring;
    }

    /**
     * Dispatcher: records the next WQE.
     *
     * @param block its first block.
     * @param qpn   its channel.
     * @return its SSQ sequence number.
     */
    long add(final long block, final int qpn)
    {
        final long seq = fetchSeq++;
        final int i = (int)seq & mask;
        blockStart[i] = block;
        channelQpn[i] = qpn;
        state[i] = PENDING;
        return seq;
    }

    /** A channel finished one of its WQEs. @param seq SSQ sequence. @param wcStatus how. */
    void finish(final long seq, final WcStatus wcStatus)
    {
        final int i = (int)seq & mask;
        state[i] = FINISHED;
        status[i] = (byte)wcStatus.ordinal();
    }

    /** Reports finished WQEs from the head, in posting order, and frees their ring blocks. */
    void advance()
    {
        final DeviceBuffer buffer = ring.buffer();
        final long start = completeSeq;
        while (completeSeq < fetchSeq)
        {
            final int i = (int)completeSeq & mask;
            if (state[i] != FINISHED)
            {
                break;
            }
            final int offset = ring.offset(blockStart[i]);
            final WcStatus wcStatus = WcStatus.of(status[i]);
            if (wcStatus != WcStatus.SUCCESS ||
                (buffer.getByte(offset + WqeLayout.FLAGS) & io.softverbs.SendFlags.SIGNALED) != 0)
            {
                Completer.emitSend(cq, ring, blockStart[i], completeSeq + 1, wcStatus, channelQpn[i], 0);
            }
            completeSeq++;
        }
        if (completeSeq != start)
        {
            final long last = blockStart[(int)(completeSeq - 1) & mask];
            ring.publishCompleted(last + buffer.getShort(ring.offset(last) + WqeLayout.BLOCK_COUNT), completeSeq);
        }
    }
}
