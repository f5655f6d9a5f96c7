package io.softverbs;

/**
 * What a peer needs to connect to a QP: its address ({@code mem://NAME} or {@code udp://HOST:PORT}), QP number
 * and starting PSN. The counterpart of what applications exchange out of band before {@code ibv_modify_qp}
 * (LID/GID, QPN, PSN).
 *
 * @param address transport address of the QP's device.
 * @param qpNum   the QP number.
 * @param psn     the starting packet sequence number (24 bits).
 */
public record QpEndpoint(String address, int qpNum, int psn)
{
}
