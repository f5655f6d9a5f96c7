package io.softverbs.offheap.host;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.agrona.BufferUtil;

/**
 * A context's device memory: where its doorbell records and queue rings live. Allocations are 64-byte aligned
 * and zeroed; they stay mapped until the context closes (after the engine fence), so an engine reading a ring of
 * a destroyed queue reads stale bytes, never unmapped memory.
 */
public final class DeviceMemory
{
    private final List<ByteBuffer> chunks = new ArrayList<>();
    private long bytes;

    /**
     * @param length bytes.
     * @return a zeroed, cache-line-aligned buffer.
     */
    public synchronized DeviceBuffer allocate(final int length)
    {
        final ByteBuffer chunk = BufferUtil.allocateDirectAligned(align(length), WqeLayout.BLOCK);
        chunks.add(chunk);
        bytes += chunk.capacity();
        return new DeviceBuffer(chunk);
    }

    /** @return bytes of device memory allocated so far. */
    public synchronized long bytesAllocated()
    {
        return bytes;
    }

    /** Drops every allocation; call only once no engine can reach them. */
    public synchronized void release()
    {
        chunks.clear();
    }

    private static int align(final int length)
    {
        return (Math.max(length, WqeLayout.BLOCK) + WqeLayout.BLOCK - 1) & -WqeLayout.BLOCK;
    }
}
