package io.softverbs.offheap.transport;

import io.softverbs.SendWorkRequest;
import io.softverbs.offheap.engine.ResponderContext;

/** A connected QP's path to its peer QP: how requests and responses leave this engine. */
public interface Link
{
    /**
     * @param psn      the request's PSN.
     * @param wqeBlock the WQE's first block in the send ring.
     * @param ackReq   the requester wants this request acknowledged at once (InfiniBand's AckReq bit, see
     *                 {@link InboundRequest#ackRequested}).
     * @return false if the transport cannot take it now (try again later).
     */
    boolean sendRequest(int psn, long wqeBlock, boolean ackReq);

    /**
     * Sends a request straight from its work request, before its WQE is written (the fused SEND post): the request
     * reaches the peer one WQE encoding and one decoding sooner. The requester writes the WQE right after, for a
     * retransmission to read; the engine's cycle, held throughout, keeps any answer from being seen before that.
     * Transports that cannot, or a request that does not fit one message, decline and the WQE path sends it.
     *
     * @param psn    the request's PSN.
     * @param wr     the checked request, with inline data.
     * @param flags  its send flags as the WQE stores them.
     * @param ackReq the requester wants this request acknowledged at once.
     * @return true if sent; false if nothing was sent.
     */
    default boolean sendPosted(final int psn, final SendWorkRequest wr, final int flags, final boolean ackReq)
    {
        return false;
    }

    /**
     * @param psn      PSN being answered.
     * @param syndrome a {@link Syndrome} code.
     * @return false if the transport cannot take it now.
     */
    boolean sendResponse(int psn, int syndrome);

    /**
     * Transports whose peer publishes its cumulative ACK in shared memory instead of sending it (mem) let the
     * requester read it when it needs it; the others deliver ACKs through {@link InboundHandler#onResponse}.
     *
     * @return the newest cumulative ACK PSN published since the last call, or -1 if there is none.
     */
    default int pollAck()
    {
        return -1;
    }

    /** @return true if {@link #pollAck} has something new; a hint, safe to call from any thread. */
    default boolean ackChanged()
    {
        return false;
    }

    /**
     * Transports whose peer's memory is in this process (mem) let the requester execute a one-sided operation or a
     * SEND against the peer QP itself, one copy or one CPU atomic and no message; a wire transport never does.
     *
     * @return the peer QP's responder context, or null if requests must travel (now, or always).
     */
    default ResponderContext directPeer()
    {
        return null;
    }

    /** The QP no longer uses this link (reset, or connected anew): the peer must stop writing to its state. */
    default void close()
    {
    }
}
