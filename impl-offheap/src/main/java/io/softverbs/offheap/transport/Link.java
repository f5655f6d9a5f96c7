package io.softverbs.offheap.transport;

/** A connected QP's path to its peer QP: how requests and responses leave this engine. */
public interface Link
{
    /**
     * @param psn      the request's PSN.
     * @param wqeBlock the WQE's first block in the send ring.
     * @return false if the transport cannot take it now (try again later).
     */
    boolean sendRequest(int psn, long wqeBlock);

    /**
     * @param psn      PSN being answered.
     * @param syndrome a {@link Syndrome} code.
     * @return false if the transport cannot take it now.
     */
    boolean sendResponse(int psn, int syndrome);
}
