package io.softverbs.offheap.transport.mem;

/**
 * Layout of a request in one {@link MemLane} slot. Two forms share the first 20 bytes:
 * <ul>
 *   <li><b>compact</b>: a SEND (any of the four forms) or an RDMA WRITE without immediate whose inline payload is at
 *   most {@value #COMPACT_PAYLOAD} bytes. The payload travels in the slot: up to 32 bytes, the whole request is
 *   one cache line.</li>
 *   <li><b>extended</b>: every other request. The WQE's block in the requester's send ring, where the responder
 *   reads the rest in place (operands, SGE lists, larger inline payloads, READ sinks), as an RNIC fetches them
 *   by DMA.</li>
 * </ul>
 */
final class MemRequest
{
    static final int OPCODE = 4;
    static final int FLAGS = 5;
    /** 1 if the requester wants the ACK at once (InfiniBand's AckReq), 0 if it may wait for a later cycle. */
    static final int ACK_REQ = 6;
    /** Compact form: the payload length (0..{@value #COMPACT_PAYLOAD}); {@link #EXTENDED} otherwise. */
    static final int FORM = 7;
    static final int DST_QPN = 8;
    static final int SRC_QPN = 12;
    static final int PSN = 16;

    // compact SEND
    static final int C_IMM = 20;
    static final int C_INV_RKEY = 24;
    // compact WRITE
    static final int C_RKEY = 20;
    static final int C_REMOTE_ADDRESS = 24;
    static final int C_PAYLOAD = 32;

    // extended: where the WQE is; everything else is read from it in place
    static final int WQE_BLOCK = 24;

    static final byte EXTENDED = -1;
    /** The largest inline payload a compact request carries. */
    static final int COMPACT_PAYLOAD = MemLane.SLOT - C_PAYLOAD;

    private MemRequest()
    {
    }
}
