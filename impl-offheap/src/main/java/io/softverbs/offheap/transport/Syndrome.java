package io.softverbs.offheap.transport;

/**
 * Response codes from responder to requester, AETH syndromes as InfiniBand defines them (top 3 bits: 000 ACK,
 * 001 RNR NAK with the timer code in the low 5 bits, 011 NAK), plus one internal code for the mem transport.
 */
public final class Syndrome
{
    /** ACK. */
    public static final int ACK = 0x00;
    /** RNR NAK; OR the RNR timer code into the low 5 bits. */
    public static final int RNR_NAK = 0x20;
    /** NAK: PSN sequence error. */
    public static final int NAK_PSN_SEQUENCE = 0x60;
    /** NAK: invalid request. */
    public static final int NAK_INVALID_REQUEST = 0x61;
    /** NAK: remote access error. */
    public static final int NAK_REMOTE_ACCESS = 0x62;
    /** NAK: remote operational error. */
    public static final int NAK_REMOTE_OPERATIONAL = 0x63;
    /** Internal: the requester's own memory failed its check when the responder placed or fetched data. */
    public static final int REQUESTER_PROTECTION = 0x100;

    private Syndrome()
    {
    }

    /** @param syndrome a code. @return true for an RNR NAK. */
    public static boolean isRnr(final int syndrome)
    {
        return (syndrome & 0xE0) == RNR_NAK && syndrome < 0x100;
    }
}
