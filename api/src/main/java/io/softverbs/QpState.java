package io.softverbs;

/** Queue pair state; maps to {@code enum ibv_qp_state}. */
public enum QpState
{
    /** {@code IBV_QPS_RESET}. */
    RESET,
    /** {@code IBV_QPS_INIT}: receives may be posted. */
    INIT,
    /** {@code IBV_QPS_RTR}: ready to receive. */
    RTR,
    /** {@code IBV_QPS_RTS}: ready to send. */
    RTS,
    /** {@code IBV_QPS_SQD}: send queue drained; posted sends wait. */
    SQD,
    /** {@code IBV_QPS_SQE}: send queue error. */
    SQE,
    /** {@code IBV_QPS_ERR}: every outstanding and later request completes with {@link WcStatus#WR_FLUSH_ERR}. */
    ERR;

    private static final QpState[] VALUES = values();

    /** @return the state with this ordinal. */
    public static QpState of(final int ordinal)
    {
        return VALUES[ordinal];
    }
}
