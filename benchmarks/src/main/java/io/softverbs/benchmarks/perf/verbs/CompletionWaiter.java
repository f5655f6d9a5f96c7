package io.softverbs.benchmarks.perf.verbs;

import java.util.concurrent.TimeUnit;

import io.softverbs.CompletionChannel;
import io.softverbs.CompletionQueue;
import io.softverbs.WorkCompletion;
import io.softverbs.benchmarks.perf.StopSignal;

/**
 * Waits for completions on one CQ, the way {@code -e} says: busy-polling (in INVOKER mode an empty poll also
 * runs an engine cycle), or arming the CQ and blocking on its completion channel. The channel wait is sliced so
 * that a stop request or a notification lost between arming and polling costs at most one slice.
 */
public final class CompletionWaiter
{
    private static final long EVENT_SLICE_MS = 1;

    private final CompletionQueue cq;
    private final CompletionChannel channel;
    private final StallGuard guard;

    /**
     * @param cq      the CQ to wait on.
     * @param channel its completion channel to block on, or null to busy-poll.
     * @param what    the wait, for a stall message.
     */
    public CompletionWaiter(final CompletionQueue cq, final CompletionChannel channel, final String what)
    {
        this.cq = cq;
        this.channel = channel;
        this.guard = new StallGuard(what);
    }

    /**
     * @param out  completions to fill.
     * @param stop ends the wait early.
     * @return the number of completions taken (at least one), or 0 if the stop signal fired first.
     */
    public int await(final WorkCompletion[] out, final StopSignal stop)
    {
        guard.reset();
        while (true)
        {
            int n = cq.poll(out);
            if (n > 0)
            {
                return n;
            }
            if (stop.stopRequested())
            {
                return 0;
            }
            if (channel != null)
            {
                cq.requestNotify(false);
                n = cq.poll(out); // a completion that arrived before arming fires nothing
                if (n > 0)
                {
                    return n;
                }
                channel.await(EVENT_SLICE_MS, TimeUnit.MILLISECONDS);
            }
            guard.idle();
        }
    }
}
