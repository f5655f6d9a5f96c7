package io.softverbs.benchmarks.perf.verbs;

import io.softverbs.RecvWorkRequest;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import io.softverbs.benchmarks.perf.PerfException;

/**
 * Keeps {@code rxDepth} receives posted per QP (or that many per QP on the shared receive queue), all landing at
 * the start of the target region as perftest's do, each long enough for the largest size. Every consumed receive
 * is replaced at once.
 */
public final class ReceivePool
{
    private final PerfNode node;
    private final RecvWorkRequest wr = new RecvWorkRequest();

    /**
     * @param node   the receiving side.
     * @param length bytes per receive (the largest message size).
     */
    public ReceivePool(final PerfNode node, final int length)
    {
        this.node = node;
        wr.sge(node.target(), 0, length);
    }

    /** @param perQp receives to post per QP before the peer starts sending. */
    public void fill(final int perQp)
    {
        for (int qp = 0; qp < node.qpCount(); qp++)
        {
            for (int i = 0; i < perQp; i++)
            {
                post(qp);
            }
        }
    }

    /**
     * Checks a receive completion and replaces the receive it consumed.
     *
     * @param wc the receive completion.
     */
    public void replace(final WorkCompletion wc)
    {
        if (wc.status() != WcStatus.SUCCESS)
        {
            throw PerfException.receiveCompletionFailed(wc);
        }
        post(node.srq() != null ? 0 : node.qpIndex(wc.qpNum()));
    }

    private void post(final int qpIndex)
    {
        final int rc = node.srq() != null ? node.srq().postRecv(wr) : node.qp(qpIndex).postRecv(wr);
        if (rc != 0)
        {
            throw PerfException.postRecvRefused(rc);
        }
    }
}
