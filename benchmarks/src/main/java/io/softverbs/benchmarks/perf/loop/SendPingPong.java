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
 * One side of send_lat: SEND (inline up to {@code -I}), then wait for the peer's SEND on the receive CQ. The client
 * sends then waits; the server waits then sends back. Sends are signaled one in {@code -Q}; their completions are
 * taken when due, so the receive CQ is the only one polled on the way.
 * <p>
 * The receive a SEND consumed is replaced, and a due send completion taken, right after the next SEND is posted:
 * while it travels, not before it leaves. perftest's loop re-posts the receive first; here {@code -r} receives
 * stay posted either way, so the order changes nothing the peer can see, and it keeps application bookkeeping off
 * the hop, as a latency-minded application does. Each round trip still does all of this work.
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
    /** The client received a SEND whose receive is not replaced yet. */
    private boolean replacePending;

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
        receives = new ReceivePool(node, settings.maxSize(), 1);
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
        if (replacePending)
        {
            afterReceive();
        }
        replacePending = waiter.await(received, StopSignal.NEVER) != 0;
    }

    @Override
    public void serve(final StopSignal stop)
    {
        while (waiter.await(received, stop) != 0)
        {
            pipeline.post(0, wr, flags, false);
            afterReceive();
        }
    }

    /** Checks the SEND received last, replaces its receive, and takes a signaled send's completion if one is due. */
    private void afterReceive()
    {
        receives.replace(received[0]);
        if (pipeline.hasSignaledOutstanding())
        {
            pipeline.reap();
        }
    }
}
