package io.softverbs;

import java.nio.ByteBuffer;

import org.agrona.DirectBuffer;

/** A protection domain; maps to {@code struct ibv_pd}. Memory and QPs of one PD may work together. */
public interface ProtectionDomain extends AutoCloseable
{
    /**
     * {@code ibv_reg_mr} over a direct buffer, from its position to its limit.
     *
     * @param direct a direct {@link ByteBuffer}.
     * @param access {@link Access} bits.
     * @return the registered region.
     */
    MemoryRegion registerMemory(ByteBuffer direct, int access);

    /**
     * {@code ibv_reg_mr} over a raw address range. The caller vouches that the range is mapped for the
     * life of the region; after that every access is checked against it.
     *
     * @param address start address.
     * @param length  length in bytes, may exceed 2 GiB.
     * @param access  {@link Access} bits.
     * @return the registered region.
     */
    MemoryRegion registerMemory(long address, long length, int access);

    /**
     * {@code ibv_reg_mr} over an Agrona buffer; it must be off-heap (have no byte array).
     *
     * @param buffer off-heap buffer.
     * @param access {@link Access} bits.
     * @return the registered region.
     */
    MemoryRegion registerMemory(DirectBuffer buffer, int access);

    /**
     * Allocates zeroed, 4 KiB aligned off-heap memory owned by the region and freed when it is closed.
     *
     * @param length length in bytes, may exceed 2 GiB.
     * @param access {@link Access} bits.
     * @return the registered region.
     */
    MemoryRegion allocateMemory(long length, int access);

    /**
     * Pipelined registration through the control QP: returns at once with valid keys and the pending bit set.
     *
     * @param address start address.
     * @param length  length in bytes.
     * @param access  {@link Access} bits.
     * @return the region, possibly still pending.
     */
    MemoryRegion registerMemoryAsync(long address, long length, int access);

    /**
     * @param init the QP's attributes.
     * @return a new queue pair in RESET ({@code ibv_create_qp}).
     */
    QueuePair createQueuePair(QpInit init);

    /**
     * @param init the SRQ's attributes.
     * @return a new shared receive queue ({@code ibv_create_srq}).
     */
    SharedReceiveQueue createSrq(SrqInit init);

    /**
     * @param init the SSQ's attributes.
     * @return a new shared send queue (softverbs; no libibverbs counterpart).
     */
    SharedSendQueue createSharedSendQueue(SsqInit init);

    @Override
    void close();
}
