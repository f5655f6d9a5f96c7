package io.softverbs.offheap.host;

import static io.softverbs.WorkCompletion.LENGTH;
import static io.softverbs.WorkCompletion.PHASE_OFFSET;

import io.softverbs.LinePadding;
import io.softverbs.WorkCompletion;
import org.agrona.BitUtil;

/**
 * A completion queue ring in device memory: 64-byte CQEs whose last word is a phase (the lap number + 1),
 * written last with a release store. The consumer knows which phase it expects, so polling an empty CQ reads one
 * cache line and writes nothing. The producer is the engine of the CQ's context (one thread at a time).
 */
public final class CqRing extends LinePadding
{
    private static final int DB_CONSUMER = 0;

    private final DeviceBuffer ring;
    private final DeviceBuffer doorbell;
    private final int capacity;
    private final int mask;
    private final int shift;

    private long producer; // engine-owned
    private long consumer; // consumer-owned

    /**
     * @param memory   device memory.
     * @param capacity minimum entries.
     */
    public CqRing(final DeviceMemory memory, final int capacity)
    {
        this.capacity = BitUtil.findNextPositivePowerOfTwo(capacity);
        mask = this.capacity - 1;
        shift = Integer.numberOfTrailingZeros(this.capacity);
        ring = memory.allocate(this.capacity * LENGTH);
        doorbell = memory.allocate(128);
    }

    /** @return entries. */
    public int capacity()
    {
        return capacity;
    }

    /** @return the ring. */
    public DeviceBuffer buffer()
    {
        return ring;
    }

    /** Engine: @return true if the consumer has not freed a slot for the next CQE. */
    public boolean isFull()
    {
        return producer - doorbell.getLongVolatile(DB_CONSUMER) >= capacity;
    }

    /** Engine: @return the offset of the slot the next CQE goes to (check {@link #isFull()} first). */
    public int claimOffset()
    {
        return ((int)producer & mask) * LENGTH;
    }

    /** Engine: publishes the CQE written at {@link #claimOffset()}. */
    public void publish()
    {
        final int offset = ((int)producer & mask) * LENGTH;
        ring.putIntRelease(offset + PHASE_OFFSET, (int)(producer >>> shift) + 1);
        producer++;
    }

    /** Consumer: @return offset of the next CQE, or -1 if none is ready. */
    public int peek()
    {
        final int offset = ((int)consumer & mask) * LENGTH;
        return ring.getIntAcquire(offset + PHASE_OFFSET) == (int)(consumer >>> shift) + 1 ? offset : -1;
    }

    /** Consumer: releases the CQE returned by {@link #peek()} without publishing. */
    public void advance()
    {
        consumer++;
    }

    /** Consumer: tells the producer how far it has consumed. */
    public void publishConsumer()
    {
        doorbell.putLongRelease(DB_CONSUMER, consumer);
    }

    /** Consumer: copies the CQE at offset into a completion. @param offset slot. @param wc target. */
    public void copyTo(final int offset, final WorkCompletion wc)
    {
        wc.copyFrom(ring.view(), offset);
    }
}
