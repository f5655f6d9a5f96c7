package io.softverbs.benchmarks.perf.loop;

import io.softverbs.LinePadding;
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
import io.softverbs.benchmarks.perf.verbs.StallGuard;
import io.softverbs.benchmarks.perf.verbs.WorkRequests;
import org.agrona.concurrent.AtomicBuffer;

/**
 * One side of write_lat, as perftest runs it: each side RDMA-WRITEs {@code size} bytes into the other's region
 * and polls the last byte of its own region for the peer's write. The last byte is a marker that counts round
 * trips, so each write is told from the previous one. The client writes then waits; the server waits then writes
 * back. With {@code --write_with_imm} a side waits for the receive completion of the peer's write instead.
 * Sends are signaled one in {@code -Q}, so the requester rarely touches its CQ.
 */
public final class WritePingPong extends LinePadding implements LatencyClient, ServerLoop
{
    private final PerfNode node;
    private final PerfSettings settings;
    private final PeerInfo peer;
    private final SendPipeline pipeline;
    private final ReceivePool receives;
    private final CompletionWaiter receiveWaiter;
    private final WorkCompletion[] received = {new WorkCompletion()};
    private final AtomicBuffer own;
    private final AtomicBuffer source;
    private final StallGuard guard = new StallGuard("write_lat waiting for the peer's write");
    private SendWorkRequest wr;
    private int flags;
    private int markerOffset;
    private byte marker;

    /**
     * @param node     this side.
     * @param settings the run's settings.
     * @param peer     the peer's region.
     */
    public WritePingPong(final PerfNode node, final PerfSettings settings, final PeerInfo peer)
    {
        this.node = node;
        this.settings = settings;
        this.peer = peer;
        pipeline = new SendPipeline(node, settings.cqModeration());
        own = node.target().buffer();
        source = node.source().buffer();
        // Resolved here whatever the options: a string constant of this class left unresolved would be allocated
        // on the measured thread when the JIT compiles one of its methods (see PerfException).
        final String immWait = "write_lat waiting for a write with imm";
        if (settings.withImm())
        {
            receives = new ReceivePool(node, settings.maxSize(), 1);
            receives.fill(settings.rxDepth());
            receiveWaiter = new CompletionWaiter(node.recvCq(), node.channel(), immWait);
        }
        else
        {
            receives = null;
            receiveWaiter = null;
        }
    }

    @Override
    public void prepare(final int size)
    {
        wr = WorkRequests.forTest(settings, node, peer, size);
        flags = WorkRequests.flagsFor(settings, size);
        markerOffset = size - 1;
        marker = 0;
        own.putByteVolatile(markerOffset, (byte)0); // the peer writes here only after the barrier
    }

    @Override
    public void roundTrip()
    {
        marker++;
        write();
        awaitPeer(marker, StopSignal.NEVER);
    }

    @Override
    public void serve(final StopSignal stop)
    {
        while (awaitPeer((byte)(marker + 1), stop))
        {
            marker++;
            write();
        }
    }

    private void write()
    {
        source.putByte(markerOffset, marker);
        pipeline.post(0, wr, flags, false);
    }

    private boolean awaitPeer(final byte expected, final StopSignal stop)
    {
        if (receives != null)
        {
            return awaitReceive(stop);
        }
        guard.reset();
        while (own.getByteVolatile(markerOffset) != expected)
        {
            if (stop.stopRequested())
            {
                return false;
            }
            if (pipeline.hasSignaledOutstanding())
            {
                pipeline.reap(); // an empty poll runs the engine too
            }
            else
            {
                node.drive();
            }
            guard.idle();
        }
        return true;
    }

    private boolean awaitReceive(final StopSignal stop)
    {
        if (receiveWaiter.await(received, stop) == 0)
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
