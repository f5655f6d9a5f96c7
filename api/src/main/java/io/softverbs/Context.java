package io.softverbs;

/**
 * A function's verbs context: device memory, an engine, and the resources created from it. Maps to
 * {@code struct ibv_context}. Not thread-confined: any thread may call it.
 */
public interface Context extends AutoCloseable
{
    /** @return a new protection domain ({@code ibv_alloc_pd}). */
    ProtectionDomain allocPd();

    /**
     * @param cqe minimum number of entries.
     * @return a new completion queue ({@code ibv_create_cq}).
     */
    CompletionQueue createCq(int cqe);

    /**
     * @param cqe     minimum number of entries.
     * @param channel channel notified when the CQ is armed and an event fires.
     * @return a new completion queue ({@code ibv_create_cq} with a {@code comp_channel}).
     */
    CompletionQueue createCq(int cqe, CompletionChannel channel);

    /** @return a new completion channel ({@code ibv_create_comp_channel}). */
    CompletionChannel createCompletionChannel();

    /**
     * Runs one engine duty cycle on the calling thread (INVOKER mode; harmless in DEDICATED mode).
     *
     * @return the amount of work done, 0 if idle.
     */
    int progress();

    /**
     * @param handler receives asynchronous events ({@code ibv_get_async_event}); replaces the previous handler.
     */
    void onAsyncEvent(AsyncEventHandler handler);

    /** @return the function index of this context. */
    int function();

    /** @return the device this context belongs to. */
    Device device();

    @Override
    void close();
}
