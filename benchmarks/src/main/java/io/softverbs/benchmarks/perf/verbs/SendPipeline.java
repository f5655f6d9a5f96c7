package io.softverbs.benchmarks.perf.verbs;

import io.softverbs.CompletionQueue;
import io.softverbs.Errors;
import io.softverbs.LinePadding;
import io.softverbs.QueuePair;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import io.softverbs.benchmarks.perf.PerfException;
import io.softverbs.benchmarks.perf.StopSignal;

/**
 * The requester's send queues with CQ moderation, as perftest drives them: one request in {@code signalEvery} per
 * QP is signaled and carries, as its wr_id, how many requests its completion accounts for; the rest are
 * unsignaled. A full send queue ({@link Errors#ENOMEM}) is waited out by reaping completions, which in INVOKER
 * mode also runs the engine. Nothing here allocates.
 */
public final class SendPipeline extends LinePadding
{
    private static final int REAP_BATCH = 32;
    private static final int FIRST = LinePadding.BYTES / Integer.BYTES;

    private final PerfNode node;
    private final CompletionQueue cq;
    private final CompletionWaiter waiter;
    private final int signalEvery;
    /** Counters from index {@link #FIRST}: 128 bytes each side kept unused, as {@link LinePadding} does for fields. */
    private final int[] unsignaled;
    private final WorkCompletion[] completions = new WorkCompletion[REAP_BATCH];
    private final StallGuard guard = new StallGuard("waiting for a send queue slot");
    /** Read here, at set-up: initialising StopSignal links its lambda, which allocates (once) wherever it runs. */
    private final StopSignal never = StopSignal.NEVER;
    private long posted;
    private long completed;
    private int signaledOutstanding;

    /**
     * @param node        the requesting side.
     * @param signalEvery one signaled request in this many per QP.
     */
    public SendPipeline(final PerfNode node, final int signalEvery)
    {
        this.node = node;
        this.cq = node.sendCq();
        this.waiter = new CompletionWaiter(cq, node.channel(), "waiting for send completions");
        this.signalEvery = signalEvery;
        this.unsignaled = new int[FIRST + node.qpCount() + FIRST];
        for (int i = 0; i < completions.length; i++)
        {
            completions[i] = new WorkCompletion();
        }
    }

    /**
     * Posts one request, waiting for a free slot if the queue is full.
     *
     * @param qpIndex     which QP.
     * @param wr          the request; its flags and wr_id are set here.
     * @param flags       flags besides SIGNALED (e.g. INLINE).
     * @param forceSignal signal this one whatever the count (the last request of a run).
     */
    public void post(final int qpIndex, final SendWorkRequest wr, final int flags, final boolean forceSignal)
    {
        mark(qpIndex, wr, flags, forceSignal);
        int rc;
        guard.reset();
        while ((rc = node.qp(qpIndex).postSend(wr)) == Errors.ENOMEM)
        {
            if (reap() == 0)
            {
                guard.idle();
            }
        }
        if (rc != 0)
        {
            throw PerfException.postSendRefused(rc);
        }
        posted(wr);
    }

    /**
     * Posts {@code list[0..length)} with one {@code postSend} of the list ({@code -l}); when the queue fills part
     * way, reaps and posts again from the refused request, as an {@code ibv_post_send} caller does from bad_wr.
     *
     * @param qpIndex         which QP.
     * @param list            the requests; their flags and wr_ids are set here.
     * @param length          how many of them.
     * @param flags           flags besides SIGNALED (e.g. INLINE).
     * @param forceSignalLast signal the last one whatever the count (the end of a run).
     */
    public void postList(final int qpIndex, final SendWorkRequest[] list, final int length, final int flags,
        final boolean forceSignalLast)
    {
        for (int i = 0; i < length; i++)
        {
            mark(qpIndex, list[i], flags, forceSignalLast && i == length - 1);
        }
        final QueuePair qp = node.qp(qpIndex);
        guard.reset();
        int done = 0;
        while (done < length)
        {
            final int n = qp.postSend(list, done, length - done);
            for (int i = done; i < done + n; i++)
            {
                posted(list[i]);
            }
            done += n;
            if (done < length)
            {
                final int rc = qp.postSend(list[done]); // the refused one alone: why, or posted if there is room now
                if (rc == 0)
                {
                    posted(list[done++]);
                }
                else if (rc != Errors.ENOMEM)
                {
                    throw PerfException.postSendRefused(rc);
                }
                else if (reap() == 0)
                {
                    guard.idle();
                }
            }
        }
    }

    /** Sets a request's flags and wr_id: signaled once per {@code signalEvery}, its wr_id the requests it covers. */
    private void mark(final int qpIndex, final SendWorkRequest wr, final int flags, final boolean forceSignal)
    {
        final int covered = unsignaled[FIRST + qpIndex] + 1;
        final boolean signal = forceSignal || covered >= signalEvery;
        wr.flags(signal ? flags | SendFlags.SIGNALED : flags).wrId(covered);
        unsignaled[FIRST + qpIndex] = signal ? 0 : covered;
    }

    private void posted(final SendWorkRequest wr)
    {
        posted++;
        if ((wr.flags() & SendFlags.SIGNALED) != 0)
        {
            signaledOutstanding++;
        }
    }

    /**
     * Takes the completions that are there, without waiting (an empty poll runs an INVOKER engine cycle).
     *
     * @return how many completions were taken.
     */
    public int reap()
    {
        return account(cq.poll(completions));
    }

    /** Waits until every posted request is accounted for by a completion (the last ones must be signaled). */
    public void awaitAll()
    {
        while (completed < posted)
        {
            account(waiter.await(completions, never));
        }
    }

    /** Waits for at least one completion and accounts for it. */
    public void awaitOne()
    {
        account(waiter.await(completions, never));
    }

    /** @return true while a signaled request's completion has not been taken yet. */
    public boolean hasSignaledOutstanding()
    {
        return signaledOutstanding > 0;
    }

    /** @return requests posted so far. */
    public long posted()
    {
        return posted;
    }

    /** @return requests known to be complete (through signaled completions). */
    public long completed()
    {
        return completed;
    }

    /** @return the completions last taken (valid up to the count last returned). */
    public WorkCompletion[] completions()
    {
        return completions;
    }

    private int account(final int n)
    {
        for (int i = 0; i < n; i++)
        {
            final WorkCompletion wc = completions[i];
            if (wc.status() != WcStatus.SUCCESS)
            {
                throw PerfException.sendCompletionFailed(wc);
            }
            completed += wc.wrId();
        }
        signaledOutstanding -= n;
        return n;
    }
}
