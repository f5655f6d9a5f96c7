package io.softverbs;

/** Send work request flags; map to {@code enum ibv_send_flags}. Combine with {@code |}. */
public final class SendFlags
{
    /** {@code IBV_SEND_FENCE}: wait for prior RDMA READs and atomics to complete before starting. */
    public static final int FENCE = 1;
    /** {@code IBV_SEND_SIGNALED}: produce a completion on success. */
    public static final int SIGNALED = 1 << 1;
    /** {@code IBV_SEND_SOLICITED}: raise a solicited event at the responder. */
    public static final int SOLICITED = 1 << 2;
    /** {@code IBV_SEND_INLINE}: copy the payload into the WQE; the buffer may be reused when postSend returns. */
    public static final int INLINE = 1 << 3;

    /** All defined flags. */
    public static final int ALL = FENCE | SIGNALED | SOLICITED | INLINE;

    private SendFlags()
    {
    }
}
