package io.softverbs.offheap.host;

import io.softverbs.Errors;
import io.softverbs.LinePadding;
import io.softverbs.RecvWorkRequest;
import org.agrona.BitUtil;

/**
 * A receive queue (of a QP or an SRQ) in device memory: fixed-size slots holding wr_id and SGEs, a producer
 * index published with a release store, and a consumer index published back. Producers are serialized by the QP's
 * or SRQ's post lock. Consumers hold "the lock" of the methods below, the receive side's lock of the QP they
 * consume for (its receive CQ's producer lock, and an SRQ's {@link #lockConsumer} as well), because a receive is
 * consumed by the QP's own engine (requests that travelled, flushes, resets) and, on the mem transport's direct
 * path, by the sending thread.
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

    /** The producer's position and its sight of the consumer's (apart: different threads write them). */
    private final RingCursor producer = new RingCursor();
    private final RingCursor consumer = new RingCursor();
    private final RingLock consumerLock = new RingLock();

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
        final int result = write(wr);
        if (result == 0)
        {
            doorbell.putLongRelease(DB_PRODUCER, producer.position);
        }
        return result;
    }

    /**
     * Producer: posts {@code list[offset..offset+length)} in order, up to the first it refuses, and publishes them
     * with one release store. The caller serializes producers and checked the range.
     *
     * @return how many were posted.
     */
    public int post(final RecvWorkRequest[] list, final int offset, final int length)
    {
        int n = 0;
        while (n < length && write(list[offset + n]) == 0)
        {
            n++;
        }
        if (n > 0)
        {
            doorbell.putLongRelease(DB_PRODUCER, producer.position);
        }
        return n;
    }

    /** Writes a receive into the next slot and advances the producer's position, unpublished. */
    private int write(final RecvWorkRequest wr)
    {
        final int numSge = wr.numSge();
        if (numSge > maxSge || wr.sgeOverflow())
        {
            return Errors.EINVAL;
        }
        final RingCursor p = producer;
        if (p.position - p.seen >= depth)
        {
            p.seen = doorbell.getLongVolatile(DB_CONSUMER);
            if (p.position - p.seen >= depth)
            {
                return Errors.ENOMEM;
            }
        }
        final int offset = ((int)p.position & slotMask) * slotSize;
        ring.putLong(offset + WR_ID, wr.wrId());
        ring.putInt(offset + NUM_SGE, numSge);
        for (int i = 0; i < numSge; i++)
        {
            final int sge = offset + SGES + i * WqeLayout.SGE_SIZE;
            ring.putLong(sge + WqeLayout.SGE_ADDRESS, wr.sgeAddress(i));
            ring.putInt(sge + WqeLayout.SGE_LENGTH, wr.sgeLength(i));
            ring.putInt(sge + WqeLayout.SGE_LKEY, wr.sgeLkey(i));
        }
        p.position++;
        return 0;
    }

    /** Consumer of an SRQ: takes its consumer lock (its QPs may report to different CQs, whose locks differ). */
    public void lockConsumer()
    {
        consumerLock.lock();
    }

    /** Consumer of an SRQ: releases its consumer lock. */
    public void unlockConsumer()
    {
        consumerLock.unlock();
    }

    /**
     * Consumer, under the lock: @return true if a receive is posted and not consumed. Reads the producer's doorbell
     * only when the receives it saw last are used up.
     */
    public boolean hasReceive()
    {
        final RingCursor c = consumer;
        if (c.seen != c.position)
        {
            return true;
        }
        c.seen = doorbell.getLongAcquire(DB_PRODUCER);
        return c.seen != c.position;
    }

    /** @return receives posted and not consumed, read from the producer's doorbell now (an SRQ's limit check). */
    public long available()
    {
        return doorbell.getLongAcquire(DB_PRODUCER) - doorbell.getLongAcquire(DB_CONSUMER);
    }

    /** Consumer: @return offset of the oldest unconsumed slot; valid only if {@link #hasReceive()}. */
    public int headOffset()
    {
        return ((int)consumer.position & slotMask) * slotSize;
    }

    /** Consumer, under the lock: consumes the head slot. */
    public void consume()
    {
        final RingCursor c = consumer;
        c.position++;
        doorbell.putLongRelease(DB_CONSUMER, c.position);
    }

    /**
     * Consumer, under the lock, after a consume: reads the next posted receive's slot, if the last look saw one,
     * so that its line is in this core's cache when the next request needs it. The posting thread wrote it long
     * ago and writes it again only after it is consumed; a consumer on another core (the mem transport's direct
     * path) would otherwise wait for the line with the request in hand.
     */
    public void readAhead()
    {
        final RingCursor c = consumer;
        if (c.seen != c.position)
        {
            c.readAhead = ring.getLong(headOffset() + SGES);
        }
    }

    /** Consumer (the control stage's reset), under the lock: drops every posted receive. */
    public void resetConsumer()
    {
        final RingCursor c = consumer;
        c.position = doorbell.getLongAcquire(DB_PRODUCER);
        c.seen = c.position;
        doorbell.putLongRelease(DB_CONSUMER, c.position);
    }
}
