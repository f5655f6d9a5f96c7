package io.softverbs.offheap.host;

import static io.softverbs.WorkCompletion.LENGTH;
import static io.softverbs.WorkCompletion.PHASE_OFFSET;

import io.softverbs.LinePadding;
import io.softverbs.WorkCompletion;
import org.agrona.BitUtil;

/**
 * A completion queue ring in device memory: 64-byte CQEs whose last word is a phase (the lap number + 1),
 * written last with a release store. The consumer knows which phase it expects, so polling an empty CQ reads one
 * cache line and writes nothing. Producers hold {@link #lockProducer}: the engine of the CQ's context, and on the mem
 * transport's direct path the thread of a sender whose SEND it completes.
 */
public final class CqRing extends LinePadding
{
    private static final int DB_CONSUMER = 0;

    private final DeviceBuffer ring;
    private final DeviceBuffer doorbell;
    private final int capacity;
    private final int mask;
    private final int shift;

    /** The producers' position and their sight of the consumer's; the consumer's position (apart: other threads). */
    private final RingCursor producer = new RingCursor();
    private final RingCursor consumer = new RingCursor();
    private final RingLock producerLock = new RingLock();

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

    /** Producer: takes the producer lock, held from {@link #isFull()} to {@link #publish()}. */
    public void lockProducer()
    {
        producerLock.lock();
    }

    /** Producer: releases the producer lock. */
    public void unlockProducer()
    {
        producerLock.unlock();
    }

    /**
     * Producer, under the lock: @return true if the consumer has not freed a slot for the next CQE. Reads the
     * consumer's doorbell only when the ring looks full by the last value read.
     */
    public boolean isFull()
    {
        final RingCursor p = producer;
        if (p.position - p.seen < capacity)
        {
            return false;
        }
        p.seen = doorbell.getLongVolatile(DB_CONSUMER);
        return p.position - p.seen >= capacity;
    }

    /** Producer, under the lock: @return the offset of the slot the next CQE goes to (check {@link #isFull()}). */
    public int claimOffset()
    {
        return ((int)producer.position & mask) * LENGTH;
    }

    /** Producer, under the lock: publishes the CQE written at {@link #claimOffset()}. */
    public void publish()
    {
        final RingCursor p = producer;
        final int offset = ((int)p.position & mask) * LENGTH;
        ring.putIntRelease(offset + PHASE_OFFSET, (int)(p.position >>> shift) + 1);
        p.position++;
    }

    /** Consumer: @return offset of the next CQE, or -1 if none is ready. */
    public int peek()
    {
        final long position = consumer.position;
        final int offset = ((int)position & mask) * LENGTH;
        return ring.getIntAcquire(offset + PHASE_OFFSET) == (int)(position >>> shift) + 1 ? offset : -1;
    }

    /** Consumer: releases the CQE returned by {@link #peek()} without publishing. */
    public void advance()
    {
        consumer.position++;
    }

    /** Consumer: tells the producer how far it has consumed. */
    public void publishConsumer()
    {
        doorbell.putLongRelease(DB_CONSUMER, consumer.position);
    }

    /** Consumer: copies the CQE at offset into a completion. @param offset slot. @param wc target. */
    public void copyTo(final int offset, final WorkCompletion wc)
    {
        wc.copyFrom(ring.view(), offset);
    }
}
