package io.softverbs.benchmarks.perf.loop;

import io.softverbs.WorkCompletion;
import io.softverbs.benchmarks.perf.PerfSettings;
import io.softverbs.benchmarks.perf.ServerLoop;
import io.softverbs.benchmarks.perf.StopSignal;
import io.softverbs.benchmarks.perf.verbs.CompletionWaiter;
import io.softverbs.benchmarks.perf.verbs.PerfNode;
import io.softverbs.benchmarks.perf.verbs.ReceivePool;

/**
 * The server of send_bw (and write_bw with immediate): keeps {@code -r} receives posted per QP and replaces each
 * one the client's messages consume, polling the receive CQ (which in INVOKER mode runs the engine).
 */
public final class ReceivingServer implements ServerLoop
{
    private static final int BATCH = 64;

    private final ReceivePool receives;
    private final CompletionWaiter waiter;
    private final WorkCompletion[] completions = new WorkCompletion[BATCH];

    /**
     * Posts the receives at once, so they are there before the first barrier.
     *
     * @param node     the receiving side.
     * @param settings the run's settings.
     */
    public ReceivingServer(final PerfNode node, final PerfSettings settings)
    {
        receives = new ReceivePool(node, settings.maxSize(), BATCH);
        receives.fill(settings.rxDepth());
        waiter = new CompletionWaiter(node.recvCq(), node.channel(), "receiving server");
        for (int i = 0; i < completions.length; i++)
        {
            completions[i] = new WorkCompletion();
        }
    }

    @Override
    public void prepare(final int size)
    {
    }

    @Override
    public void serve(final StopSignal stop)
    {
        int n;
        while ((n = waiter.await(completions, stop)) > 0)
        {
            receives.replaceAll(completions, n);
        }
    }
}
