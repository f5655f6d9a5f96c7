package io.softverbs;

/** A completion queue; maps to {@code struct ibv_cq}. Polling is allocation-free. */
public interface CompletionQueue extends AutoCloseable
{
    /**
     * {@code ibv_poll_cq}: copies up to {@code out.length} completions into {@code out}. In INVOKER mode an empty
     * CQ runs one engine duty cycle first.
     *
     * @param out completions to fill.
     * @return the number filled, 0 if none.
     */
    int poll(WorkCompletion[] out);

    /**
     * Zero-copy poll: the handler sees each completion in place.
     *
     * @param handler receives each completion.
     * @param max     most completions to take.
     * @return the number taken.
     */
    int poll(CompletionHandler handler, int max);

    /**
     * {@code ibv_req_notify_cq}: arms the CQ to notify its channel once.
     *
     * @param solicitedOnly true to fire only for solicited receives and errors.
     */
    void requestNotify(boolean solicitedOnly);

    /** @return the number of entries. */
    int capacity();

    @Override
    void close();
}
