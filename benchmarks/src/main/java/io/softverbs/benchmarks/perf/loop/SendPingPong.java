package io.softverbs.benchmarks.perf.loop;

import io.softverbs.SendWorkRequest;
import io.softverbs.WorkCompletion;
import io.softverbs.benchmarks.perf.PerfSettings;
import io.softverbs.benchmarks.perf.ServerLoop;
import io.softverbs.benchmarks.perf.StopSignal;
import io.softverbs.benchmarks.perf.oob.PeerInfo;
import io.softverbs.benchmarks.perf.verbs.CompletionWaiter;
import io.softverbs.benchmarks.perf.verbs.PerfNode;
import io.softverbs.benchmarks.perf.verbs.ReceivePool;
import io.softverbs.benchmarks.perf.verbs.SendPipeline;
import io.softverbs.benchmarks.perf.verbs.WorkRequests;

/**
 * One side of send_lat: SEND (inline up to {@code -I}), then wait for the peer's SEND on the receive CQ and
 * replace the receive it consumed. The client sends then waits; the server waits then sends back. Sends are
 * signaled one in {@code -Q}; their completions are taken when due, so the receive CQ is the only one polled
 * on the way.
 */
public final class SendPingPong implements LatencyClient, ServerLoop
{
    private final PerfNode node;
    private final PerfSettings settings;
    private final PeerInfo peer;
    private final SendPipeline pipeline;
    private final ReceivePool receives;
    private final CompletionWaiter waiter;
    private final WorkCompletion[] received = {new WorkCompletion()};
    private SendWorkRequest wr;
    private int flags;

    /**
     * @param node     this side.
     * @param settings the run's settings.
     * @param peer     the peer (send_lat needs no remote address, only its QP).
     */
    public SendPingPong(final PerfNode node, final PerfSettings settings, final PeerInfo peer)
    {
        this.node = node;
        this.settings = settings;
        this.peer = peer;
        pipeline = new SendPipeline(node, settings.cqModeration());
        receives = new ReceivePool(node, settings.maxSize());
        receives.fill(settings.rxDepth());
        waiter = new CompletionWaiter(node.recvCq(), node.channel(), "send_lat waiting for the peer's SEND");
    }

    @Override
    public void prepare(final int size)
    {
        wr = WorkRequests.forTest(settings, node, peer, size);
        flags = WorkRequests.flagsFor(settings, size);
    }

    @Override
    public void roundTrip()
    {
        pipeline.post(0, wr, flags, false);
        awaitPeer(StopSignal.NEVER);
    }

    @Override
    public void serve(final StopSignal stop)
    {
        while (awaitPeer(stop))
        {
            pipeline.post(0, wr, flags, false);
        }
    }

    private boolean awaitPeer(final StopSignal stop)
    {
        if (waiter.await(received, stop) == 0)
        {
            return false;
        }
        receives.replace(received[0]);
        if (pipeline.hasSignaledOutstanding())
        {
            pipeline.reap();
        }
        return true;
    }
}
