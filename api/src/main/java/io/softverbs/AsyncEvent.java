package io.softverbs;

/** An asynchronous event; maps to {@code struct ibv_async_event}. */
public final class AsyncEvent
{
    private final AsyncEventType type;
    private final int qpNum;
    private final String detail;

    /**
     * @param type   what happened.
     * @param qpNum  the QP concerned, or -1.
     * @param detail a human-readable explanation.
     */
    public AsyncEvent(final AsyncEventType type, final int qpNum, final String detail)
    {
        this.type = type;
        this.qpNum = qpNum;
        this.detail = detail;
    }

    /** @return the event type. */
    public AsyncEventType type()
    {
        return type;
    }

    /** @return the QP number this event concerns, or -1. */
    public int qpNum()
    {
        return qpNum;
    }

    /** @return a human-readable explanation. */
    public String detail()
    {
        return detail;
    }

    @Override
    public String toString()
    {
        return "AsyncEvent{" + type + (qpNum >= 0 ? ", qp=" + qpNum : "") + ", " + detail + '}';
    }
}
