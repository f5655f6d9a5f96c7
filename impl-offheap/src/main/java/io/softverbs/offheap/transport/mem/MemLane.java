package io.softverbs.offheap.transport.mem;

import io.softverbs.offheap.host.DeviceBuffer;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;

/**
 * A one-way lane from one engine to another: a ring of 128-byte slots, one message per slot, single producer
 * (the sending engine; its cycles are serialised by the engine's cycle counter) and single consumer (the
 * receiving engine).
 * <p>
 * Each slot begins with a stamp, the slot's sequence number plus one, stored last with release semantics: the
 * consumer knows a slot is ready by its stamp alone, so it never reads the producer's counter and never writes
 * the slot (no zeroing), and a request with up to 32 bytes of payload moves exactly one cache line between
 * the cores. No atomic
 * read-modify-write is needed on either side; the consumer hands slots back by publishing its position, which
 * the producer reads only when its cached copy says the lane is full.
 */
final class MemLane
{
    /** Two cache lines: a request and a 96-byte payload; a smaller one touches only the first line. */
    static final int SLOT = 128;
    static final int CACHE_LINE = 64;
    static final int STAMP = 0;

    private static final int SLOT_SHIFT = 7;
    // Counters after the slots, each on its own cache line: producer-private, consumer-private, shared.
    private static final int TAIL = 0;
    private static final int HEAD_CACHE = 8;
    private static final int HEAD = 128;
    private static final int PUBLISHED_HEAD = 256;
    private static final int TRAILER = 384;

    private final DeviceBuffer buffer;
    private final int capacity;
    private final int mask;
    private final int trailer;

    /** @param slots slot count, rounded up to a power of two. */
    MemLane(final int slots)
    {
        capacity = BitUtil.findNextPositivePowerOfTwo(slots);
        mask = capacity - 1;
        trailer = capacity * SLOT;
        buffer = new DeviceBuffer(BufferUtil.allocateDirectAligned(trailer + TRAILER, CACHE_LINE));
    }

    /** @return the slots' memory. */
    DeviceBuffer buffer()
    {
        return buffer;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Producer

    /** @return the offset of a free slot to fill and {@link #publish}, or -1 if the lane is full. */
    int claim()
    {
        final long tail = buffer.getLong(trailer + TAIL);
        if (tail - buffer.getLong(trailer + HEAD_CACHE) >= capacity)
        {
            final long head = buffer.getLongAcquire(trailer + PUBLISHED_HEAD);
            buffer.putLong(trailer + HEAD_CACHE, head);
            if (tail - head >= capacity)
            {
                return -1;
            }
        }
        return ((int)tail & mask) << SLOT_SHIFT;
    }

    /**
     * Makes the claimed slot visible to the consumer.
     *
     * @param offset the slot {@link #claim} returned.
     * @return the lane position just past this message, for {@link #consumedThrough}.
     */
    long publish(final int offset)
    {
        final long tail = buffer.getLong(trailer + TAIL) + 1;
        buffer.putLong(trailer + TAIL, tail);
        buffer.putIntRelease(offset + STAMP, (int)tail);
        return tail;
    }

    /**
     * Safe from any thread: true once the consumer has handed back every message up to {@code position}, which it
     * does only after it has finished with them (so everything they made it write is visible after this).
     *
     * @param position a value {@link #publish} returned.
     */
    boolean consumedThrough(final long position)
    {
        return buffer.getLongAcquire(trailer + PUBLISHED_HEAD) >= position;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Consumer

    /** @return the offset of the next message, or -1 if none is ready. */
    int peek()
    {
        final long head = buffer.getLong(trailer + HEAD);
        final int offset = ((int)head & mask) << SLOT_SHIFT;
        return buffer.getIntAcquire(offset + STAMP) == (int)(head + 1) ? offset : -1;
    }

    /** The message {@link #peek} returned is done with; its slot stays the consumer's until {@link #release}. */
    void consume()
    {
        buffer.putLong(trailer + HEAD, buffer.getLong(trailer + HEAD) + 1);
    }

    /** Hands consumed slots back to the producer. */
    void release()
    {
        buffer.putLongRelease(trailer + PUBLISHED_HEAD, buffer.getLong(trailer + HEAD));
    }
}
