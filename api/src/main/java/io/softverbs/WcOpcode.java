package io.softverbs;

/** Completion opcode; maps to {@code enum ibv_wc_opcode}. */
public enum WcOpcode
{
    /** {@code IBV_WC_SEND} (every send variant). */
    SEND,
    /** {@code IBV_WC_RDMA_WRITE}. */
    RDMA_WRITE,
    /** {@code IBV_WC_RDMA_READ}. */
    RDMA_READ,
    /** {@code IBV_WC_COMP_SWAP}. */
    COMP_SWAP,
    /** {@code IBV_WC_FETCH_ADD}. */
    FETCH_ADD,
    /** {@code IBV_WC_LOCAL_INV}. */
    LOCAL_INV,
    /** {@code IBV_WC_RECV}: a receive consumed by a SEND variant. */
    RECV,
    /** {@code IBV_WC_RECV_RDMA_WITH_IMM}: a receive consumed by RDMA_WRITE_WITH_IMM. */
    RECV_RDMA_WITH_IMM;

    private static final WcOpcode[] VALUES = values();

    /** @return the opcode with this ordinal, or null if out of range. */
    public static WcOpcode of(final int ordinal)
    {
        return ordinal >= 0 && ordinal < VALUES.length ? VALUES[ordinal] : null;
    }
}
