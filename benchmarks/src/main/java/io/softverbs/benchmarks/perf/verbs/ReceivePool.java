package io.softverbs.benchmarks.perf.verbs;

import java.util.Arrays;

import io.softverbs.RecvWorkRequest;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import io.softverbs.benchmarks.perf.PerfException;

/**
 * Keeps {@code rxDepth} receives posted per QP (or that many per QP on the shared receive queue), all landing at
 * the start of the target region as perftest's do, each long enough for the largest size. Every consumed receive
 * is replaced at once; a batch of completions is replaced with one list post per run of completions of one queue
 * ({@code ibv_post_recv} with a chain), as Agrona's consumer frees a batch of messages with one store.
 */
public final class ReceivePool
{
    private final PerfNode node;
    private final RecvWorkRequest wr = new RecvWorkRequest();
    /** {@code wr} many times over: a list post reads each entry as it posts it. */
    private final RecvWorkRequest[] list;

    /**
     * @param node   the receiving side.
     * @param length bytes per receive (the largest message size).
     * @param batch  most completions {@link #replaceAll} is given at once.
     */
    public ReceivePool(final PerfNode node, final int length, final int batch)
    {
        this.node = node;
        wr.sge(node.target(), 0, length);
        list = new RecvWorkRequest[batch];
        Arrays.fill(list, wr);
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
        post(queueOf(wc));
    }

    /**
     * Checks receive completions and replaces the receives they consumed, one list post per run of completions
     * of the same queue.
     *
     * @param wcs the receive completions.
     * @param n   how many of them, at most the batch given at construction.
     */
    public void replaceAll(final WorkCompletion[] wcs, final int n)
    {
        int i = 0;
        while (i < n)
        {
            final int qpIndex = queueOf(wcs[i]);
            int run = 1;
            while (i + run < n && queueOf(wcs[i + run]) == qpIndex)
            {
                run++;
            }
            final int posted = node.srq() != null ? node.srq().postRecv(list, 0, run) :
                node.qp(qpIndex).postRecv(list, 0, run);
            for (int k = posted; k < run; k++)
            {
                post(qpIndex); // from the refused one, alone: posted now, or refused with its reason
            }
            i += run;
        }
    }

    /** @return the queue a checked receive completion's receive came from: its QP's index, or 0 for the SRQ. */
    private int queueOf(final WorkCompletion wc)
    {
        if (wc.status() != WcStatus.SUCCESS)
        {
            throw PerfException.receiveCompletionFailed(wc);
        }
        return node.srq() != null ? 0 : node.qpIndex(wc.qpNum());
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
