package io.softverbs.offheap.transport.mem;

/**
 * Layout of a request record in a mem engine's request ring: the WQE's header fields, copied by the requester so
 * the responder reads one record instead of the requester's WQE blocks, plus small inline payloads. SGE lists and
 * larger inline payloads stay in the requester's send ring and are read there.
 */
final class MemRequest
{
    static final int DST_QPN = 0;
    static final int SRC_QPN = 4;
    static final int PSN = 8;
    static final int OPCODE = 12;
    static final int FLAGS = 13;
    static final int NUM_SGE = 14;
    static final int LENGTH = 16;
    static final int IMM = 20;
    static final int INV_RKEY = 24;
    static final int RKEY = 28;
    static final int WQE_BLOCK = 32;
    static final int REMOTE_ADDRESS = 40;
    static final int COMPARE_ADD = 48;
    static final int SWAP = 56;
    static final int PAYLOAD = 64;
    /** Inline payloads up to this size travel in the record itself. */
    static final int MAX_PAYLOAD = 64;

    private MemRequest()
    {
    }
}
