package io.softverbs;

import java.util.concurrent.TimeUnit;

/** A completion event channel; maps to {@code struct ibv_comp_channel} and {@code ibv_get_cq_event}. */
public interface CompletionChannel extends AutoCloseable
{
    /**
     * Blocks until an armed CQ of this channel fires.
     *
     * @param timeout how long to wait.
     * @param unit    unit of timeout.
     * @return the CQ that fired, or null on timeout; re-arm it with {@link CompletionQueue#requestNotify(boolean)}.
     */
    CompletionQueue await(long timeout, TimeUnit unit);

    @Override
    void close();
}
