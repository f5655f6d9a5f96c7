package io.softverbs.benchmarks.perf.loop;

import java.util.concurrent.TimeUnit;

import io.softverbs.SendWorkRequest;
import io.softverbs.benchmarks.perf.BandwidthResult;
import io.softverbs.benchmarks.perf.ClientLoop;
import io.softverbs.benchmarks.perf.PerfSettings;
import io.softverbs.benchmarks.perf.ThreadAllocation;
import io.softverbs.benchmarks.perf.oob.PeerInfo;
import io.softverbs.benchmarks.perf.verbs.PerfNode;
import io.softverbs.benchmarks.perf.verbs.SendPipeline;
import io.softverbs.benchmarks.perf.verbs.WorkRequests;

/**
 * The client of every bandwidth test: posts the same request round-robin over the QPs, keeping each send queue
 * as full as {@code -t} allows, signaling one in {@code -Q} per QP and the last one on each QP, and stops the
 * clock when the last completion is polled. The posting thread reaps completions every few posts, which in
 * INVOKER mode is also when its engine runs. Warm-up slices and the measurement run the same {@link #run} loop.
 */
public final class BandwidthClient implements ClientLoop
{
    private static final int REAP_MASK = 15;
    private static final int CLOCK_MASK = 63;

    private final PerfNode node;
    private final PerfSettings settings;
    private final PeerInfo peer;
    private final SendPipeline pipeline;
    private final PeakRate peak;
    private SendWorkRequest wr;
    /** {@code -l}: the list posted at once, {@code wr} and copies of it. */
    private final SendWorkRequest[] list;
    private final int reapMask;
    private int flags;
    private long runMessages;
    private long runNanos;

    /**
     * @param node     the requesting side.
     * @param settings the run's settings.
     * @param peer     the peer's region.
     */
    public BandwidthClient(final PerfNode node, final PerfSettings settings, final PeerInfo peer)
    {
        this.node = node;
        this.settings = settings;
        this.peer = peer;
        pipeline = new SendPipeline(node, settings.cqModeration());
        peak = new PeakRate((long)settings.cqModeration() * settings.qps());
        list = new SendWorkRequest[settings.postList()];
        reapMask = settings.postList() == 1 ? REAP_MASK : 0; // a list is a burst: reap after each
    }

    @Override
    public void prepare(final int size)
    {
        wr = WorkRequests.forTest(settings, node, peer, size);
        flags = WorkRequests.flagsFor(settings, size);
        list[0] = wr;
        for (int i = 1; i < list.length; i++)
        {
            list[i] = WorkRequests.forTest(settings, node, peer, size);
        }
    }

    @Override
    public long warmUp(final int size, final long count, final long durationNs)
    {
        run(count, durationNs);
        return runMessages;
    }

    @Override
    public BandwidthResult measure(final int size)
    {
        final long allocatedBefore = ThreadAllocation.current();
        run(settings.iterationsFor(size), TimeUnit.SECONDS.toNanos(settings.durationSec()));
        final long allocated = ThreadAllocation.since(allocatedBefore); // before the result is allocated
        return new BandwidthResult(size, runMessages, runNanos, peak.messagesPerSecond(), allocated, -1);
    }

    /**
     * Leaves its figures in {@link #runMessages} and {@link #runNanos} (and {@link #peak}): a result object would
     * be allocated inside the measured window.
     *
     * @param count      messages to send (ignored when durationNs is positive).
     * @param durationNs if positive, send for this long instead.
     */
    private void run(final long count, final long durationNs)
    {
        final int qps = node.qpCount();
        final long completedBefore = pipeline.completed();
        final long postedBefore = pipeline.posted();
        final long start = System.nanoTime();
        final long deadline = start + durationNs;
        peak.start(start);
        long i = 0;
        int qp = 0;
        final int perPost = list.length;
        long posts = 0;
        while (durationNs > 0 ? !timeUp(posts, deadline) : i < count)
        {
            final int n = durationNs > 0 ? perPost : (int)Math.min(perPost, count - i);
            if (perPost == 1)
            {
                pipeline.post(qp, wr, flags, durationNs <= 0 && i >= count - qps);
            }
            else
            {
                // The last lists end with a signaled request, which accounts for their QP's tail.
                pipeline.postList(qp, list, n, flags, durationNs <= 0 && i + n > count - (long)qps * perPost);
            }
            qp = qp + 1 == qps ? 0 : qp + 1;
            i += n;
            if ((++posts & reapMask) == 0)
            {
                pipeline.reap();
                peak.update(System.nanoTime(), pipeline.completed() - completedBefore);
            }
        }
        if (durationNs > 0)
        {
            for (int last = 0; last < qps; last++) // one signaled request per QP accounts for its tail
            {
                pipeline.post(last, wr, flags, true);
            }
        }
        pipeline.awaitAll();
        runNanos = System.nanoTime() - start;
        runMessages = pipeline.posted() - postedBefore;
    }

    /** Reads the clock only every few dozen posts: a post costs less than the clock. */
    private static boolean timeUp(final long posts, final long deadline)
    {
        return (posts & CLOCK_MASK) == 0 && System.nanoTime() - deadline >= 0;
    }
}
