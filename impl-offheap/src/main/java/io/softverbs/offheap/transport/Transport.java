package io.softverbs.offheap.transport;

import io.softverbs.offheap.resource.SoftQp;

/**
 * Transport SPI: one instance per context (engine). The engine hands a connected QP's requests and responses to
 * its {@link Link} and takes inbound operations back through {@link #poll}.
 */
public interface Transport extends AutoCloseable
{
    /** @return this context's address as peers name it, e.g. {@code mem://NAME}. */
    String address();

    /**
     * Resolves the peer at RTR.
     *
     * @param local         the local QP.
     * @param remoteAddress the peer's address.
     * @param remoteQpn     the peer's QP number.
     * @return the link.
     */
    Link connect(SoftQp local, String remoteAddress, int remoteQpn);

    /**
     * Delivers inbound work to the engine.
     *
     * @param handler the engine.
     * @param limit   most messages per kind.
     * @return messages delivered.
     */
    int poll(InboundHandler handler, int limit);

    /**
     * Lets an idle engine skip a cycle without taking it: true if {@link #poll} may find something. A hint, safe
     * to call from any thread; a transport that cannot tell cheaply says true.
     *
     * @return false only if nothing is waiting.
     */
    default boolean hasInbound()
    {
        return true;
    }

    /**
     * Gives the transport this context's engine doorbell, to ring when it has made inbound work visible to the engine
     * from another thread (a peer's request, response or ACK), so a parked DEDICATED engine thread runs at once.
     * Called once, before any QP connects, and only for an engine thread that parks when idle; without it the
     * transport rings nothing.
     *
     * @param doorbell wakes the engine; cheap when the engine is busy.
     */
    default void attachDoorbell(final Runnable doorbell)
    {
    }

    @Override
    void close();
}
