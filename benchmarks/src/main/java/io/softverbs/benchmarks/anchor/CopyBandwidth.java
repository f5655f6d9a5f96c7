package io.softverbs.benchmarks.anchor;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One core copying the same block from one off-heap buffer to another over and over with
 * {@link UnsafeBuffer#putBytes(int, org.agrona.DirectBuffer, int, int)} ({@code Unsafe.copyMemory} underneath):
 * the physical limit of an in-process RDMA WRITE, which is one such copy from the source region into the target
 * region. The anchor of the write_bw targets.
 */
public final class CopyBandwidth
{
    private static final double MEGABYTE = 1 << 20;
    private static final int PAGE = 4096;

    private final int blockSize;
    private final UnsafeBuffer source;
    private final UnsafeBuffer target;
    private long checksum;

    /** @param blockSize bytes per copy. */
    public CopyBandwidth(final int blockSize)
    {
        this.blockSize = blockSize;
        source = new UnsafeBuffer(BufferUtil.allocateDirectAligned(blockSize, PAGE));
        target = new UnsafeBuffer(BufferUtil.allocateDirectAligned(blockSize, PAGE));
        source.setMemory(0, blockSize, (byte)0x5a);
    }

    /** @return what is measured, for the report. */
    public String name()
    {
        return "one-core copy (Unsafe.copyMemory), " + blockSize + " B blocks";
    }

    /**
     * @param copies how many blocks to copy.
     * @return MB/sec (MB = 2^20 bytes, as perftest's).
     */
    public double megabytesPerSecond(final long copies)
    {
        final long start = System.nanoTime();
        for (long i = 0; i < copies; i++)
        {
            target.putBytes(0, source, 0, blockSize);
        }
        final long elapsed = System.nanoTime() - start;
        checksum += target.getByte(blockSize - 1); // the copies are observable, so none can be dropped
        return copies * (double)blockSize / MEGABYTE * 1e9 / elapsed;
    }

    /** @return a value depending on every copy's result, so the copies are observably used. */
    public long checksum()
    {
        return checksum;
    }
}
