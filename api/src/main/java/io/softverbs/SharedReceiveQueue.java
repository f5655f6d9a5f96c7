package io.softverbs;

/** A shared receive queue; maps to {@code struct ibv_srq}. */
public interface SharedReceiveQueue extends AutoCloseable
{
    /**
     * {@code ibv_post_srq_recv}.
     *
     * @param wr the request.
     * @return 0 or a negative {@link Errors} code.
     */
    int postRecv(RecvWorkRequest wr);

    /**
     * {@code ibv_post_srq_recv} of a list: as {@link QueuePair#postRecv(RecvWorkRequest[], int, int)}.
     *
     * @param list   the requests (the same one may appear more than once).
     * @param offset the first request to post.
     * @param length how many to post.
     * @return how many were posted, from {@code offset}.
     */
    int postRecv(RecvWorkRequest[] list, int offset, int length);

    /**
     * {@code ibv_modify_srq} with {@code IBV_SRQ_LIMIT}: arms the limit event.
     *
     * @param limit fire {@link AsyncEventType#SRQ_LIMIT_REACHED} when fewer receives than this remain.
     */
    void armLimit(int limit);

    @Override
    void close();
}
