package io.softverbs.benchmarks.perf.verbs;

import io.softverbs.Opcode;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.benchmarks.perf.PerfSettings;
import io.softverbs.benchmarks.perf.oob.PeerInfo;

/** Builds the one reusable request a test posts over and over: opcode, local SGE, remote address. */
public final class WorkRequests
{
    /** Immediate data carried by the WITH_IMM opcodes (any value does). */
    public static final int IMM = 0x5f5f;

    private WorkRequests()
    {
    }

    /**
     * @param settings the run's settings.
     * @param node     the requesting side.
     * @param peer     the peer's target region.
     * @param size     message size.
     * @return the request; the caller sets flags and wr_id per post.
     */
    public static SendWorkRequest forTest(final PerfSettings settings, final PerfNode node, final PeerInfo peer,
        final int size)
    {
        final SendWorkRequest wr = new SendWorkRequest();
        switch (settings.test().verb())
        {
            case SEND:
                wr.opcode(settings.withImm() ? Opcode.SEND_WITH_IMM : Opcode.SEND).immData(IMM);
                break;
            case WRITE:
                wr.opcode(settings.withImm() ? Opcode.RDMA_WRITE_WITH_IMM : Opcode.RDMA_WRITE).immData(IMM)
                    .remote(peer.address(), peer.rkey());
                break;
            case READ:
                wr.opcode(Opcode.RDMA_READ).remote(peer.address(), peer.rkey());
                break;
            default:
                // FETCH_AND_ADD adds 1; CMP_AND_SWAP compares with 0 and swaps in 0, so it always "succeeds".
                wr.opcode(settings.atomic()).remote(peer.address(), peer.rkey())
                    .compareAdd(settings.atomic() == Opcode.ATOMIC_FETCH_AND_ADD ? 1 : 0).swap(0);
                break;
        }
        return wr.sge(node.source(), 0, size);
    }

    /**
     * @param settings the run's settings.
     * @param size     message size.
     * @return the flags of every post besides SIGNALED: INLINE up to {@code -I}.
     */
    public static int flagsFor(final PerfSettings settings, final int size)
    {
        return settings.isInline(size) ? SendFlags.INLINE : 0;
    }
}
