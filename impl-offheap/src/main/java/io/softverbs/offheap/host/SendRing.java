package io.softverbs.offheap.host;

import io.softverbs.LinePadding;
import static io.softverbs.offheap.host.WqeLayout.BLOCK;
import static io.softverbs.offheap.host.WqeLayout.BLOCK_SHIFT;

import org.agrona.BitUtil;

/**
 * A send queue in device memory: a ring of 64-byte WQE blocks plus its doorbell record. The producer
 * ({@code postSend}) claims blocks, writes the WQE and rings the doorbell, a release store of its block index.
 * The engine publishes how far it has completed, which frees blocks for the producer.
 */
public final class SendRing extends LinePadding
{
    private static final int DB_PRODUCER_BLOCK = 0;
    private static final int DB_COMPLETED_BLOCK = 64;
    /**
     * Slots the engine has given back: WQEs completed, less the completions written for them (and for requests
     * executed at once) that still hold a slot until polled. One value, so a post reads a consistent count.
     */
    private static final int DB_RELEASED_WQES = 72;
    /** The engine's own count of completions written, from which it computes {@link #DB_RELEASED_WQES}. */
    private static final int DB_HELD = 80;
    /** Completions of this queue polled from its CQ (the producer's line: the posting thread usually polls too). */
    private static final int DB_POLLED = 8;
    /** Doorbell record size. */
    public static final int DOORBELL_LENGTH = 128;

    private final DeviceBuffer ring;
    private final DeviceBuffer doorbell;
    private final int blocks;
    private final int blockMask;
    private final int depth;

    // producer-owned
    private long producerBlock;
    private long postedWqes;

    /**
     * @param memory       device memory to carve the ring from.
     * @param depth        most outstanding WQEs.
     * @param maxWqeBlocks blocks of the largest WQE.
     */
    public SendRing(final DeviceMemory memory, final int depth, final int maxWqeBlocks)
    {
        this.depth = depth;
        // Room for depth WQEs of the largest size plus one WQE of padding at the wrap.
        blocks = BitUtil.findNextPositivePowerOfTwo(Math.max(depth + 1, 2) * maxWqeBlocks);
        blockMask = blocks - 1;
        ring = memory.allocate(blocks * BLOCK);
        doorbell = memory.allocate(DOORBELL_LENGTH);
    }

    /** @return the ring. */
    public DeviceBuffer buffer()
    {
        return ring;
    }

    /** @return most outstanding WQEs. */
    public int depth()
    {
        return depth;
    }

    /** @param block a block index. @return its byte offset in the ring. */
    public int offset(final long block)
    {
        return ((int)block & blockMask) << BLOCK_SHIFT;
    }

    /**
     * Producer: claims room for one WQE, padding to the ring start if it would wrap.
     *
     * @param wqeBlocks blocks the WQE needs.
     * @return the WQE's first block index, or -1 if the queue is full.
     */
    public long claim(final int wqeBlocks)
    {
        if (!hasRoom(wqeBlocks))
        {
            return -1;
        }
        final int pad = padFor(wqeBlocks);
        if (pad > 0)
        {
            final int offset = ((int)producerBlock & blockMask) << BLOCK_SHIFT;
            ring.putByte(offset + WqeLayout.OPCODE, WqeLayout.OPCODE_NOP);
            ring.putShort(offset + WqeLayout.BLOCK_COUNT, (short)pad);
            producerBlock += pad;
        }
        final long start = producerBlock;
        producerBlock += wqeBlocks;
        return start;
    }

    /**
     * Producer: whether {@link #claim} would succeed now (the engine only ever frees room).
     *
     * @param wqeBlocks blocks the WQE needs.
     * @return true if there is room for it, with any padding at the wrap.
     */
    public boolean hasRoom(final int wqeBlocks)
    {
        if (!hasWqeRoom())
        {
            return false;
        }
        return producerBlock + padFor(wqeBlocks) + wqeBlocks - doorbell.getLongVolatile(DB_COMPLETED_BLOCK) <= blocks;
    }

    /**
     * Producer: whether the queue has room for one more work request. As in {@code ibv_post_send}, a request
     * holds its slot until it completes, and a completion written to the CQ holds one until the application has
     * polled it, so a CQ at least as deep as the send queues reporting to it never overflows. (Unsignaled requests
     * leave at their completion, a little sooner than on an RNIC, where they wait for the next signaled one's.)
     *
     * @return true if a request posted now, whether written to the ring or executed at once, fits.
     */
    public boolean hasWqeRoom()
    {
        return postedWqes - doorbell.getLongVolatile(DB_RELEASED_WQES) - doorbell.getLongVolatile(DB_POLLED) < depth;
    }

    /**
     * Engine, in a cycle of the queue's context, before a completion of a request executed at once is written:
     * the completion takes a slot until polled. The caller holds the send lock that posts check room under.
     */
    public void holdCompletion()
    {
        adjustHeld(1);
    }

    /** Engine, in a cycle: a completion counted by {@link #holdCompletion} or a held publication was not written. */
    public void releaseCompletion()
    {
        adjustHeld(-1);
    }

    private void adjustHeld(final int change)
    {
        doorbell.putLong(DB_HELD, doorbell.getLong(DB_HELD) + change);
        doorbell.putLongRelease(DB_RELEASED_WQES, doorbell.getLong(DB_RELEASED_WQES) - change);
    }

    /** The CQ's consumer: completions of this queue's were polled, and their slots are free. @param n how many. */
    public void noteCompletionsPolled(final int n)
    {
        doorbell.putLongRelease(DB_POLLED, doorbell.getLong(DB_POLLED) + n);
    }

    /** @return the blocks of NOP padding a WQE of this size needs first, so that it does not wrap. */
    private int padFor(final int wqeBlocks)
    {
        final int position = (int)producerBlock & blockMask;
        return position + wqeBlocks > blocks ? blocks - position : 0;
    }

    /** Producer: rings the doorbell for everything claimed so far (a release store). */
    public void ringDoorbell()
    {
        postedWqes++;
        doorbell.putLongRelease(DB_PRODUCER_BLOCK, producerBlock);
    }

    /** Engine: @return the producer block index (acquire). */
    public long producerBlock()
    {
        return doorbell.getLongAcquire(DB_PRODUCER_BLOCK);
    }

    /**
     * Engine: frees blocks and WQE slots for the producer.
     *
     * @param completedBlock first block not yet completed.
     * @param completedWqes  WQEs completed so far.
     */
    public void publishCompleted(final long completedBlock, final long completedWqes)
    {
        doorbell.putLongRelease(DB_COMPLETED_BLOCK, completedBlock);
        doorbell.putLongRelease(DB_RELEASED_WQES, completedWqes - doorbell.getLong(DB_HELD));
    }

    /**
     * Engine: frees blocks and WQEs up to one whose completion is about to be written, which keeps its slot until
     * polled ({@link #hasWqeRoom}); one store, so a post in between never finds a slot the completion will hold.
     *
     * @param completedBlock first block not yet completed.
     * @param completedWqes  WQEs completed so far, the reported one included.
     */
    public void publishCompletedHeld(final long completedBlock, final long completedWqes)
    {
        final long held = doorbell.getLong(DB_HELD) + 1;
        doorbell.putLong(DB_HELD, held);
        doorbell.putLongRelease(DB_COMPLETED_BLOCK, completedBlock);
        doorbell.putLongRelease(DB_RELEASED_WQES, completedWqes - held);
    }
}
