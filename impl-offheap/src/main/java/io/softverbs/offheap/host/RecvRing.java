package io.softverbs.offheap.host;

import io.softverbs.Errors;
import io.softverbs.LinePadding;
import io.softverbs.RecvWorkRequest;
import org.agrona.BitUtil;

/**
 * A receive queue (of a QP or an SRQ) in device memory: fixed-size slots holding wr_id and SGEs, a producer
 * index published with a release store, and a consumer index the engine publishes back.
 */
public final class RecvRing extends LinePadding
{
    /** Slot field: user cookie (long). */
    public static final int WR_ID = 0;
    /** Slot field: SGE count (int). */
    public static final int NUM_SGE = 8;
    /** Slot offset of the first 16-byte SGE (address long, length int, lkey int). */
    public static final int SGES = 16;

    private static final int DB_PRODUCER = 0;
    private static final int DB_CONSUMER = 64;

    private final DeviceBuffer ring;
    private final DeviceBuffer doorbell;
    private final int depth;
    private final int slots;
    private final int slotMask;
    private final int slotSize;
    private final int maxSge;

    private long producer;
    private long consumer; // engine-owned

    /**
     * @param memory device memory.
     * @param depth  most outstanding receives.
     * @param maxSge SGEs per receive.
     */
    public RecvRing(final DeviceMemory memory, final int depth, final int maxSge)
    {
        this.depth = depth;
        this.maxSge = maxSge;
        slots = BitUtil.findNextPositivePowerOfTwo(depth);
        slotMask = slots - 1;
        slotSize = BitUtil.align(SGES + maxSge * WqeLayout.SGE_SIZE, WqeLayout.BLOCK);
        ring = memory.allocate(slots * slotSize);
        doorbell = memory.allocate(128);
    }

    /** @return the ring. */
    public DeviceBuffer buffer()
    {
        return ring;
    }

    /** @return most outstanding receives. */
    public int depth()
    {
        return depth;
    }

    /** @return SGEs per receive. */
    public int maxSge()
    {
        return maxSge;
    }

    /**
     * Producer: posts a receive. The caller serializes producers.
     *
     * @param wr the request.
     * @return 0, {@link Errors#EINVAL} or {@link Errors#ENOMEM}.
     */
    public int post(final RecvWorkRequest wr)
    {
        final int numSge = wr.numSge();
        if (numSge > maxSge || wr.sgeOverflow())
        {
            return Errors.EINVAL;
        }
        if (producer - doorbell.getLongVolatile(DB_CONSUMER) >= depth)
        {
            return Errors.ENOMEM;
        }
        final int offset = ((int)producer & slotMask) * slotSize;
        ring.putLong(offset + WR_ID, wr.wrId());
        ring.putInt(offset + NUM_SGE, numSge);
        for (int i = 0; i < numSge; i++)
        {
            final int sge = offset + SGES + i * WqeLayout.SGE_SIZE;
            ring.putLong(sge + WqeLayout.SGE_ADDRESS, wr.sgeAddress(i));
            ring.putInt(sge + WqeLayout.SGE_LENGTH, wr.sgeLength(i));
            ring.putInt(sge + WqeLayout.SGE_LKEY, wr.sgeLkey(i));
        }
        producer++;
        doorbell.putLongRelease(DB_PRODUCER, producer);
        return 0;
    }

    /** Engine: @return receives posted and not consumed. */
    public long available()
    {
        return doorbell.getLongAcquire(DB_PRODUCER) - consumer;
    }

    /** Engine: @return offset of the oldest unconsumed slot; valid only if {@link #available()} > 0. */
    public int headOffset()
    {
        return ((int)consumer & slotMask) * slotSize;
    }

    /** Engine: consumes the head slot. */
    public void consume()
    {
        consumer++;
        doorbell.putLongRelease(DB_CONSUMER, consumer);
    }

    /** Engine: drops every posted receive (QP reset). */
    public void resetConsumer()
    {
        consumer = doorbell.getLongAcquire(DB_PRODUCER);
        doorbell.putLongRelease(DB_CONSUMER, consumer);
    }
}
