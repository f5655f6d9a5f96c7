package io.softverbs;

/**
 * A reliable-connected queue pair; maps to {@code struct ibv_qp}. {@link #postSend} and {@link #postRecv} are
 * the data path: they never throw and never allocate.
 */
public interface QueuePair extends AutoCloseable
{
    /** @return the QP number. */
    int qpNum();

    /** @return the transport type. */
    QpType type();

    /** @return the current state ({@code ibv_query_qp}). */
    QpState state();

    /** @return what a peer needs to connect to this QP. */
    QpEndpoint localEndpoint();

    /**
     * {@code ibv_modify_qp}.
     *
     * @param attributes the attributes to change, including the target state.
     * @throws VerbsException EINVAL for an invalid transition or a missing required attribute.
     */
    void modify(QpAttributes attributes);

    /**
     * RESET to RTS in three {@link #modify} calls with defaults: timeout 14, retry count 7, RNR retry 7, all
     * remote rights, path MTU 4096.
     *
     * @param remote the peer's endpoint.
     */
    void connect(QpEndpoint remote);

    /**
     * {@code ibv_post_send}.
     *
     * @param wr the request; may be reused when this returns.
     * @return 0, or {@link Errors#ENOMEM} (queue full), {@link Errors#EINVAL} (malformed), {@link Errors#EPERM}
     * (wrong state).
     */
    int postSend(SendWorkRequest wr);

    /**
     * {@code ibv_post_send} of a list (the requests libibverbs chains through {@code next}): posts
     * {@code list[offset]} .. {@code list[offset + length - 1]} in order, as one doorbell. A device may execute the
     * whole list under one entry into its engine, which is what makes a list cheaper than as many single posts.
     * <p>
     * Like {@code ibv_post_send}, it stops at the first request it refuses (its {@code bad_wr}) and posts nothing
     * after it; the requests before it are posted. The usual refusal is a full send queue: reap completions and
     * post again from the refused request.
     *
     * @param list   the requests; each may be reused when this returns.
     * @param offset the first request to post.
     * @param length how many to post.
     * @return how many were posted, from {@code offset}: {@code length} when all were; fewer when
     * {@code list[offset + n]} was refused, for the reason {@link #postSend(SendWorkRequest)} gives
     * ({@link Errors#ENOMEM}, {@link Errors#EINVAL}, {@link Errors#EPERM}). A range outside the array posts nothing
     * ({@link PostLists#isRange}).
     */
    int postSend(SendWorkRequest[] list, int offset, int length);

    /**
     * {@code ibv_post_recv}.
     *
     * @param wr the request; may be reused when this returns.
     * @return 0 or a negative {@link Errors} code.
     */
    int postRecv(RecvWorkRequest wr);

    /**
     * {@code ibv_post_recv} of a list: posts {@code list[offset]} .. {@code list[offset + length - 1]} in order,
     * published to the device at once. Stops at the first request it refuses (its {@code bad_wr}).
     *
     * @param list   the requests (the same one may appear more than once); each may be reused when this returns.
     * @param offset the first request to post.
     * @param length how many to post.
     * @return how many were posted, from {@code offset}; fewer than {@code length} when {@code list[offset + n]}
     * was refused, for the reason {@link #postRecv(RecvWorkRequest)} gives. A range outside the array posts nothing.
     */
    int postRecv(RecvWorkRequest[] list, int offset, int length);

    /**
     * Live migration to another function of the same device.
     *
     * @param target the context of the target function.
     * @param sendCq send CQ in the target context.
     * @param recvCq receive CQ in the target context.
     */
    void migrate(Context target, CompletionQueue sendCq, CompletionQueue recvCq);

    /** {@code ibv_destroy_qp}. */
    @Override
    void close();
}
