package io.softverbs.benchmarks.perf.loop;

import io.softverbs.benchmarks.perf.ServerLoop;
import io.softverbs.benchmarks.perf.StopSignal;
import io.softverbs.benchmarks.perf.verbs.PerfNode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * The server of the one-sided tests (READ, WRITE, atomics): the application has nothing to do, but in INVOKER
 * mode its thread is the responder's engine, so it runs engine cycles until the client is done. In DEDICATED
 * mode the engine thread responds and this one backs off, leaving the core to it.
 */
public final class PassiveServer implements ServerLoop
{
    private final PerfNode node;
    private final IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 100_000);

    /** @param node the responding side. */
    public PassiveServer(final PerfNode node)
    {
        this.node = node;
    }

    @Override
    public void prepare(final int size)
    {
    }

    @Override
    public void serve(final StopSignal stop)
    {
        idle.reset();
        while (!stop.stopRequested())
        {
            if (node.isInvoker())
            {
                node.drive();
            }
            else
            {
                idle.idle();
            }
        }
    }
}
