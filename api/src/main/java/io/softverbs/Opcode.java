package io.softverbs;

/**
 * Send work request opcode; maps to {@code enum ibv_wr_opcode}.
 * {@link #SEND_WITH_INV_AND_IMM} has no libibverbs counterpart: it carries both an immediate and an rkey to invalidate.
 */
public enum Opcode
{
    /** {@code IBV_WR_RDMA_WRITE}. */
    RDMA_WRITE,
    /** {@code IBV_WR_RDMA_WRITE_WITH_IMM}: consumes a receive at the responder. */
    RDMA_WRITE_WITH_IMM,
    /** {@code IBV_WR_SEND}. */
    SEND,
    /** {@code IBV_WR_SEND_WITH_IMM}. */
    SEND_WITH_IMM,
    /** {@code IBV_WR_RDMA_READ}, with "Read V2" semantics: the sink is named by local SGEs only. */
    RDMA_READ,
    /** {@code IBV_WR_ATOMIC_CMP_AND_SWP}. */
    ATOMIC_CMP_AND_SWP,
    /** {@code IBV_WR_ATOMIC_FETCH_AND_ADD}. */
    ATOMIC_FETCH_AND_ADD,
    /** {@code IBV_WR_LOCAL_INV}: invalidates {@link SendWorkRequest#invalidateRkey()} locally. */
    LOCAL_INV,
    /** {@code IBV_WR_SEND_WITH_INV}: the responder invalidates the named rkey. */
    SEND_WITH_INV,
    /** softverbs only: send carrying both an immediate and an rkey to invalidate. */
    SEND_WITH_INV_AND_IMM;

    private static final Opcode[] VALUES = values();

    /** @return the opcode with this ordinal, or null if out of range (allocation-free lookup). */
    public static Opcode of(final int ordinal)
    {
        return ordinal >= 0 && ordinal < VALUES.length ? VALUES[ordinal] : null;
    }

    /** @return true for the opcodes that consume a receive work request at the responder. */
    public boolean consumesReceive()
    {
        return this == SEND || this == SEND_WITH_IMM || this == SEND_WITH_INV || this == SEND_WITH_INV_AND_IMM ||
            this == RDMA_WRITE_WITH_IMM;
    }

    /** @return true for the two atomics. */
    public boolean isAtomic()
    {
        return this == ATOMIC_CMP_AND_SWP || this == ATOMIC_FETCH_AND_ADD;
    }

    /** @return true for SEND and its variants. */
    public boolean isSend()
    {
        return this == SEND || this == SEND_WITH_IMM || this == SEND_WITH_INV || this == SEND_WITH_INV_AND_IMM;
    }

    /** @return true if the request carries immediate data. */
    public boolean hasImm()
    {
        return this == SEND_WITH_IMM || this == RDMA_WRITE_WITH_IMM || this == SEND_WITH_INV_AND_IMM;
    }

    /** @return true if the request asks the responder to invalidate an rkey. */
    public boolean hasInv()
    {
        return this == SEND_WITH_INV || this == SEND_WITH_INV_AND_IMM;
    }

    /** @return the completion opcode reported at the requester. */
    public WcOpcode completionOpcode()
    {
        switch (this)
        {
            case RDMA_WRITE:
            case RDMA_WRITE_WITH_IMM:
                return WcOpcode.RDMA_WRITE;
            case RDMA_READ:
                return WcOpcode.RDMA_READ;
            case ATOMIC_CMP_AND_SWP:
                return WcOpcode.COMP_SWAP;
            case ATOMIC_FETCH_AND_ADD:
                return WcOpcode.FETCH_ADD;
            case LOCAL_INV:
                return WcOpcode.LOCAL_INV;
            default:
                return WcOpcode.SEND;
        }
    }
}
