package io.softverbs.benchmarks.perf.loop;

import io.softverbs.SendWorkRequest;
import io.softverbs.benchmarks.perf.PerfSettings;
import io.softverbs.benchmarks.perf.oob.PeerInfo;
import io.softverbs.benchmarks.perf.verbs.PerfNode;
import io.softverbs.benchmarks.perf.verbs.SendPipeline;
import io.softverbs.benchmarks.perf.verbs.WorkRequests;

/**
 * The client of read_lat and atomic_lat: one signaled RDMA READ or atomic at a time, polled for its completion.
 * The server only runs its engine ({@link PassiveServer}).
 */
public final class OneSidedRoundTrip implements LatencyClient
{
    private final PerfNode node;
    private final PerfSettings settings;
    private final PeerInfo peer;
    private final SendPipeline pipeline;
    private SendWorkRequest wr;

    /**
     * @param node     the requesting side.
     * @param settings the run's settings.
     * @param peer     the peer's region.
     */
    public OneSidedRoundTrip(final PerfNode node, final PerfSettings settings, final PeerInfo peer)
    {
        this.node = node;
        this.settings = settings;
        this.peer = peer;
        pipeline = new SendPipeline(node, 1);
    }

    @Override
    public void prepare(final int size)
    {
        wr = WorkRequests.forTest(settings, node, peer, size);
    }

    @Override
    public void roundTrip()
    {
        pipeline.post(0, wr, 0, true);
        pipeline.awaitOne();
    }
}
