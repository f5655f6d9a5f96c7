package io.softverbs;

/**
 * An open soft RNIC; maps to {@code struct ibv_context} as returned by {@code ibv_open_device}, with its
 * functions (PF + VFs) opened as separate {@link Context}s. Closing it closes every context and joins the
 * engine threads.
 */
public interface Device extends AutoCloseable
{
    /** @return the device name. */
    String name();

    /** @return capabilities, as {@code ibv_query_device}. */
    DeviceAttributes attributes();

    /** @return number of functions. */
    int functionCount();

    /**
     * @param function function index, 0 = PF.
     * @return the context of that function; each function has one.
     */
    Context open(int function);

    /** @return the context of function 0 (the PF). */
    Context open();

    @Override
    void close();
}
