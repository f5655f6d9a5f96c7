package io.softverbs;

/** Completion status; maps to {@code enum ibv_wc_status} (the names that apply to RC). */
public enum WcStatus
{
    /** {@code IBV_WC_SUCCESS}. */
    SUCCESS,
    /** {@code IBV_WC_LOC_LEN_ERR}: a receive too small for the incoming message. */
    LOC_LEN_ERR,
    /** {@code IBV_WC_LOC_QP_OP_ERR}: an internal consistency error of the QP, e.g. a malformed WQE. */
    LOC_QP_OP_ERR,
    /** {@code IBV_WC_LOC_PROT_ERR}: a local key, range or right did not match a live memory region. */
    LOC_PROT_ERR,
    /** {@code IBV_WC_WR_FLUSH_ERR}: the QP went to the error state before this request completed. */
    WR_FLUSH_ERR,
    /** {@code IBV_WC_BAD_RESP_ERR}: an unexpected response. */
    BAD_RESP_ERR,
    /** {@code IBV_WC_LOC_ACCESS_ERR}: a protection error on a local data buffer during a response. */
    LOC_ACCESS_ERR,
    /** {@code IBV_WC_REM_INV_REQ_ERR}: the responder rejected the request (e.g. its receive was too small). */
    REM_INV_REQ_ERR,
    /** {@code IBV_WC_REM_ACCESS_ERR}: bad rkey, range or right at the responder. */
    REM_ACCESS_ERR,
    /** {@code IBV_WC_REM_OP_ERR}: the responder could not complete the operation. */
    REM_OP_ERR,
    /** {@code IBV_WC_RETRY_EXC_ERR}: transport retries exhausted. */
    RETRY_EXC_ERR,
    /** {@code IBV_WC_RNR_RETRY_EXC_ERR}: receiver-not-ready retries exhausted. */
    RNR_RETRY_EXC_ERR,
    /** {@code IBV_WC_REM_ABORT_ERR}. */
    REM_ABORT_ERR,
    /** {@code IBV_WC_FATAL_ERR}. */
    FATAL_ERR,
    /** {@code IBV_WC_GENERAL_ERR}. */
    GENERAL_ERR;

    private static final WcStatus[] VALUES = values();

    /** @return the status with this ordinal, or null if out of range. */
    public static WcStatus of(final int ordinal)
    {
        return ordinal >= 0 && ordinal < VALUES.length ? VALUES[ordinal] : null;
    }
}
