package io.softverbs;

/** Asynchronous event type; maps to {@code enum ibv_event_type}. */
public enum AsyncEventType
{
    /** {@code IBV_EVENT_CQ_ERR}: a CQ overflowed. */
    CQ_ERR,
    /** {@code IBV_EVENT_QP_FATAL}. */
    QP_FATAL,
    /** {@code IBV_EVENT_QP_REQ_ERR}: the responder received an invalid request. */
    QP_REQ_ERR,
    /** {@code IBV_EVENT_QP_ACCESS_ERR}: the responder saw an access violation. */
    QP_ACCESS_ERR,
    /** {@code IBV_EVENT_COMM_EST}. */
    COMM_EST,
    /** {@code IBV_EVENT_SQ_DRAINED}. */
    SQ_DRAINED,
    /** {@code IBV_EVENT_PATH_MIG}. */
    PATH_MIG,
    /** {@code IBV_EVENT_PATH_MIG_ERR}. */
    PATH_MIG_ERR,
    /** {@code IBV_EVENT_DEVICE_FATAL}. */
    DEVICE_FATAL,
    /** {@code IBV_EVENT_PORT_ACTIVE}. */
    PORT_ACTIVE,
    /** {@code IBV_EVENT_PORT_ERR}. */
    PORT_ERR,
    /** {@code IBV_EVENT_SRQ_ERR}. */
    SRQ_ERR,
    /** {@code IBV_EVENT_SRQ_LIMIT_REACHED}. */
    SRQ_LIMIT_REACHED,
    /** {@code IBV_EVENT_QP_LAST_WQE_REACHED}. */
    QP_LAST_WQE_REACHED,
    /** softverbs: a pipelined memory registration failed. */
    MR_REGISTRATION_ERR
}
