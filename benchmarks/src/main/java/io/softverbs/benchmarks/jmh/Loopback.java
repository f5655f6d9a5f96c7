package io.softverbs.benchmarks.jmh;

import java.util.concurrent.atomic.AtomicInteger;

import io.softverbs.Access;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.DeviceConfig;
import io.softverbs.MemoryRegion;
import io.softverbs.ProgressMode;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpInit;
import io.softverbs.QueuePair;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SharedReceiveQueue;
import io.softverbs.SrqInit;
import io.softverbs.Verbs;
import io.softverbs.benchmarks.perf.PerfException;

/**
 * The microbenchmarks' fixture: two devices in this JVM (A and B) with one connected RC QP pair, CQs and a
 * region on each side, usually in INVOKER mode so that the benchmark thread alone runs both engines and the
 * measured cost is all on that thread.
 */
final class Loopback implements AutoCloseable
{
    /** Region size on each side. */
    static final int REGION = 4096;
    private static final AtomicInteger DEVICES = new AtomicInteger();
    private static final int QUIESCE_LIMIT = 1_000_000;

    final Device deviceA;
    final Device deviceB;
    final Context a;
    final Context b;
    final CompletionQueue sendCqA;
    final CompletionQueue recvCqA;
    final CompletionQueue sendCqB;
    final CompletionQueue recvCqB;
    final QueuePair qpA;
    final QueuePair qpB;
    /** Where B's QP takes its receives from, if not its own receive queue; null otherwise. */
    final SharedReceiveQueue srqB;
    final MemoryRegion regionA;
    final MemoryRegion regionB;

    /**
     * @param mode      who runs the engines.
     * @param depth     send and receive queue depth of both QPs.
     * @param cqSize    entries of each CQ.
     * @param signalAll true to signal every send.
     */
    Loopback(final ProgressMode mode, final int depth, final int cqSize, final boolean signalAll)
    {
        this(mode, depth, cqSize, signalAll, false);
    }

    /**
     * @param mode      who runs the engines.
     * @param depth     send and receive queue depth of both QPs (and of B's SRQ).
     * @param cqSize    entries of each CQ.
     * @param signalAll true to signal every send.
     * @param srqOnB    true to give B's QP a shared receive queue instead of its own.
     */
    Loopback(final ProgressMode mode, final int depth, final int cqSize, final boolean signalAll,
        final boolean srqOnB)
    {
        deviceA = open("a", mode);
        try
        {
            deviceB = open("b", mode);
        }
        catch (final RuntimeException | Error ex)
        {
            deviceA.close();
            throw ex;
        }
        try
        {
            a = deviceA.open();
            b = deviceB.open();
            final ProtectionDomain pdA = a.allocPd();
            final ProtectionDomain pdB = b.allocPd();
            sendCqA = a.createCq(cqSize);
            recvCqA = a.createCq(cqSize);
            sendCqB = b.createCq(cqSize);
            recvCqB = b.createCq(cqSize);
            srqB = srqOnB ? pdB.createSrq(SrqInit.builder().maxWr(depth).maxSge(1).build()) : null;
            qpA = pdA.createQueuePair(init(sendCqA, recvCqA, depth, signalAll).build());
            qpB = pdB.createQueuePair(init(sendCqB, recvCqB, depth, signalAll).srq(srqB).build());
            qpA.connect(qpB.localEndpoint());
            qpB.connect(qpA.localEndpoint());
            final int access = Access.LOCAL_WRITE | Access.REMOTE_WRITE | Access.REMOTE_READ | Access.REMOTE_ATOMIC;
            regionA = pdA.allocateMemory(REGION, access);
            regionB = pdB.allocateMemory(REGION, access);
        }
        catch (final RuntimeException | Error ex)
        {
            close();
            throw ex;
        }
    }

    private static Device open(final String side, final ProgressMode mode)
    {
        return Verbs.open(DeviceConfig.builder("jmh-" + side + "-" + ProcessHandle.current().pid() + "-" +
            DEVICES.incrementAndGet()).progress(mode).build());
    }

    private static QpInit.Builder init(final CompletionQueue sendCq, final CompletionQueue recvCq, final int depth,
        final boolean signalAll)
    {
        return QpInit.builder().sendCq(sendCq).recvCq(recvCq).maxSendWr(depth).maxRecvWr(depth)
            .maxSendSge(1).maxRecvSge(1).maxInlineData(256).signalAll(signalAll);
    }

    /**
     * Posts receives on a QP.
     *
     * @param qp    where.
     * @param wr    the receive (its SGE set by the caller).
     * @param count how many.
     */
    static void postReceives(final QueuePair qp, final RecvWorkRequest wr, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (qp.postRecv(wr) != 0)
            {
                throw new PerfException("postRecv refused while filling the receive queue");
            }
        }
    }

    /** Runs both engines until neither has anything left to do (INVOKER mode); outside measured code only. */
    void quiesce()
    {
        int idleCycles = 0;
        for (int i = 0; i < QUIESCE_LIMIT && idleCycles < 2; i++)
        {
            idleCycles = a.progress() + b.progress() == 0 ? idleCycles + 1 : 0;
        }
        if (idleCycles < 2)
        {
            throw new PerfException("the engines did not go idle");
        }
    }

    @Override
    public void close()
    {
        if (deviceB != null)
        {
            deviceB.close();
        }
        if (deviceA != null)
        {
            deviceA.close();
        }
    }
}
