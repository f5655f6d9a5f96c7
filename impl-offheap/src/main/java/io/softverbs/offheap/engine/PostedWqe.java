package io.softverbs.offheap.engine;

import io.softverbs.SendWorkRequest;

/**
 * The producer side of a QP's send ring as the fused post sees it ({@link Engine#transmitPosted}): room for a
 * WQE is claimed first, so a full ring is found before anything is sent, and the WQE is written afterwards. The
 * caller holds the ring's producer lock.
 */
public interface PostedWqe
{
    /**
     * @param wr a checked request.
     * @return the WQE's first block, or -1 if the ring is full.
     */
    long claim(SendWorkRequest wr);

    /**
     * Writes the WQE into the blocks {@link #claim} returned and rings the doorbell.
     *
     * @param wr    the request.
     * @param flags its send flags, SIGNALED added for sq_sig_all.
     * @param block the block {@link #claim} returned.
     */
    void write(SendWorkRequest wr, int flags, long block);
}
