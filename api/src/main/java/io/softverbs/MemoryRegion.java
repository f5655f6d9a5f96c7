package io.softverbs;

import org.agrona.concurrent.AtomicBuffer;

/**
 * A registered memory region; maps to {@code struct ibv_mr}. {@link #close()} is {@code ibv_dereg_mr}: when it
 * returns no engine touches the memory again.
 */
public interface MemoryRegion extends AutoCloseable
{
    /** @return the local key, for SGEs. */
    int lkey();

    /** @return the remote key, for peers' RDMA operations. */
    int rkey();

    /** @return start address. */
    long address();

    /** @return length in bytes. */
    long length();

    /** @return {@link Access} bits. */
    int access();

    /**
     * @return an Agrona view of the whole region.
     * @throws VerbsException EINVAL if the region is longer than {@link Integer#MAX_VALUE}; use
     *                        {@link #buffer(long, int)}.
     */
    AtomicBuffer buffer();

    /**
     * @param offset offset into the region.
     * @param length length of the view.
     * @return an Agrona view of part of the region.
     */
    AtomicBuffer buffer(long offset, int length);

    /** @return true while pipelined registration has not finished. */
    boolean isPending();

    /**
     * Waits until registration has finished.
     *
     * @throws VerbsException if registration failed.
     */
    void awaitRegistered();

    @Override
    void close();
}
