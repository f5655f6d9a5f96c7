package io.softverbs.offheap.transport;

import io.softverbs.offheap.resource.SoftQp;

/** The engine side of a transport: where inbound requests and responses go. */
public interface InboundHandler
{
    /**
     * @param qp      the local QP the request is for (already mapped from the wire QPN).
     * @param srcQpn  the sending QP.
     * @param psn     PSN.
     * @param request the request, valid during the call.
     */
    void onRequest(SoftQp qp, int srcQpn, int psn, InboundRequest request);

    /**
     * @param qp       the local requester QP.
     * @param psn      PSN answered.
     * @param syndrome {@link Syndrome} code.
     */
    void onResponse(SoftQp qp, int psn, int syndrome);
}
