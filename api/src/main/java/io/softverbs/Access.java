package io.softverbs;

/** Memory region and QP access rights; map to {@code enum ibv_access_flags}. Combine with {@code |}. */
public final class Access
{
    /** {@code IBV_ACCESS_LOCAL_WRITE}: the NIC may write this memory (receive, READ sink, atomic result). */
    public static final int LOCAL_WRITE = 1;
    /** {@code IBV_ACCESS_REMOTE_WRITE}: peers may RDMA WRITE into it (requires LOCAL_WRITE). */
    public static final int REMOTE_WRITE = 1 << 1;
    /** {@code IBV_ACCESS_REMOTE_READ}: peers may RDMA READ it. */
    public static final int REMOTE_READ = 1 << 2;
    /** {@code IBV_ACCESS_REMOTE_ATOMIC}: peers may run atomics on it (requires LOCAL_WRITE). */
    public static final int REMOTE_ATOMIC = 1 << 3;
    /** softverbs: peers may invalidate the rkey with SEND_WITH_INV (on hardware, a memory window right). */
    public static final int REMOTE_INVALIDATE = 1 << 4;

    /** All remote rights. */
    public static final int ALL_REMOTE = REMOTE_WRITE | REMOTE_READ | REMOTE_ATOMIC | REMOTE_INVALIDATE;
    /** All defined rights. */
    public static final int ALL = LOCAL_WRITE | ALL_REMOTE;

    private Access()
    {
    }

    /** @return a readable form such as {@code LOCAL_WRITE|REMOTE_READ}. */
    public static String toString(final int access)
    {
        final StringBuilder sb = new StringBuilder();
        append(sb, access, LOCAL_WRITE, "LOCAL_WRITE");
        append(sb, access, REMOTE_WRITE, "REMOTE_WRITE");
        append(sb, access, REMOTE_READ, "REMOTE_READ");
        append(sb, access, REMOTE_ATOMIC, "REMOTE_ATOMIC");
        append(sb, access, REMOTE_INVALIDATE, "REMOTE_INVALIDATE");
        return sb.length() == 0 ? "NONE" : sb.toString();
    }

    private static void append(final StringBuilder sb, final int access, final int bit, final String name)
    {
        if ((access & bit) != 0)
        {
            if (sb.length() > 0)
            {
                sb.append('|');
            }
            sb.append(name);
        }
    }
}
