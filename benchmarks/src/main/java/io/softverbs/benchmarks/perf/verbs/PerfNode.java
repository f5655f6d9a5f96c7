package io.softverbs.benchmarks.perf.verbs;

import java.util.ArrayList;
import java.util.List;

import io.softverbs.Access;
import io.softverbs.CompletionChannel;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.DeviceConfig;
import io.softverbs.MemoryRegion;
import io.softverbs.ProgressMode;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpAttributes;
import io.softverbs.QpEndpoint;
import io.softverbs.QpInit;
import io.softverbs.QpState;
import io.softverbs.QueuePair;
import io.softverbs.SharedReceiveQueue;
import io.softverbs.SrqInit;
import io.softverbs.Verbs;
import io.softverbs.benchmarks.perf.PerfSettings;
import io.softverbs.benchmarks.perf.oob.PeerInfo;

/**
 * One side of a test: a device with one context, a PD, a send and a receive CQ (on a completion channel with
 * {@code -e}), optionally an SRQ, the QPs, and two regions. The <em>source</em> region is local only (what this
 * side sends or writes from, the READ sink, the atomic result); the <em>target</em> region is what the peer
 * writes, reads and runs atomics on, and where receives land. Closing it closes the device and everything in it.
 */
public final class PerfNode implements AutoCloseable
{
    private static final int CQ_SLACK = 64;
    private static final int PATH_MTU = 4096;
    private static final int MIN_RNR_TIMER = 1;
    private static final int TIMEOUT = 14;
    private static final int RETRY_COUNT = 7;
    private static final int RNR_RETRY_INFINITE = 7;

    private final Device device;
    private final Context context;
    private final boolean invoker;
    private final CompletionChannel channel;
    private final CompletionQueue sendCq;
    private final CompletionQueue recvCq;
    private final SharedReceiveQueue srq;
    private final QueuePair[] qps;
    private final MemoryRegion source;
    private final MemoryRegion target;

    private PerfNode(final Device device, final PerfSettings settings)
    {
        this.device = device;
        context = device.open();
        invoker = settings.progress() == ProgressMode.INVOKER;
        final ProtectionDomain pd = context.allocPd();
        channel = settings.events() ? context.createCompletionChannel() : null;
        final int qpCount = settings.qps();
        final int sendEntries = qpCount * settings.txDepth() + CQ_SLACK;
        final int recvEntries = qpCount * settings.rxDepth() + CQ_SLACK;
        sendCq = channel != null ? context.createCq(sendEntries, channel) : context.createCq(sendEntries);
        recvCq = channel != null ? context.createCq(recvEntries, channel) : context.createCq(recvEntries);
        srq = settings.useSrq() ?
            pd.createSrq(SrqInit.builder().maxWr(qpCount * settings.rxDepth()).maxSge(1).build()) : null;
        qps = new QueuePair[qpCount];
        for (int i = 0; i < qpCount; i++)
        {
            qps[i] = pd.createQueuePair(QpInit.builder()
                .sendCq(sendCq)
                .recvCq(recvCq)
                .srq(srq)
                .maxSendWr(settings.txDepth())
                .maxRecvWr(settings.rxDepth())
                .maxSendSge(1)
                .maxRecvSge(1)
                .maxInlineData(settings.inlineSize())
                .build());
        }
        final long regionLength = align64(Math.max(settings.maxSize(), Long.BYTES));
        source = pd.allocateMemory(regionLength, Access.LOCAL_WRITE);
        target = pd.allocateMemory(regionLength, Access.LOCAL_WRITE | Access.REMOTE_WRITE | Access.REMOTE_READ |
            Access.REMOTE_ATOMIC);
    }

    /**
     * Opens a device and creates the side's resources.
     *
     * @param deviceName a device name unique in this JVM.
     * @param settings   the run's settings.
     * @return the side; close it to release everything.
     */
    public static PerfNode open(final String deviceName, final PerfSettings settings)
    {
        final Device device = Verbs.open(DeviceConfig.builder(deviceName)
            .transport(settings.transport())
            .progress(settings.progress())
            .maxInlineData(Math.max(512, settings.inlineSize()))
            .build());
        try
        {
            return new PerfNode(device, settings);
        }
        catch (final RuntimeException | Error ex)
        {
            device.close();
            throw ex;
        }
    }

    /**
     * @param fingerprint the settings both sides must agree on.
     * @return what the peer needs: QP endpoints and the target region.
     */
    public PeerInfo describe(final String fingerprint)
    {
        final List<QpEndpoint> endpoints = new ArrayList<>(qps.length);
        for (final QueuePair qp : qps)
        {
            endpoints.add(qp.localEndpoint());
        }
        return new PeerInfo(fingerprint, endpoints, target.address(), target.rkey(), target.length());
    }

    /**
     * Brings every QP to RTS against the peer's QP of the same index, by the manual modify path so that
     * {@code -o} sets the outstanding READ/atomic limits.
     *
     * @param peer        the peer's description.
     * @param outstanding outstanding READs/atomics in each direction.
     */
    public void connect(final PeerInfo peer, final int outstanding)
    {
        for (int i = 0; i < qps.length; i++)
        {
            final QueuePair qp = qps[i];
            qp.modify(QpAttributes.builder().state(QpState.INIT)
                .accessFlags(Access.REMOTE_WRITE | Access.REMOTE_READ | Access.REMOTE_ATOMIC).build());
            qp.modify(QpAttributes.builder().state(QpState.RTR)
                .remote(peer.endpoints().get(i))
                .pathMtu(PATH_MTU)
                .minRnrTimer(MIN_RNR_TIMER)
                .maxDestRdAtomic(outstanding).build());
            qp.modify(QpAttributes.builder().state(QpState.RTS)
                .timeout(TIMEOUT)
                .retryCount(RETRY_COUNT)
                .rnrRetry(RNR_RETRY_INFINITE)
                .maxRdAtomic(outstanding).build());
        }
    }

    /** Runs one engine cycle on this thread in INVOKER mode; in DEDICATED mode the engine thread does it. */
    public void drive()
    {
        if (invoker)
        {
            context.progress();
        }
    }

    /** @return true if this side's thread runs its engine. */
    public boolean isInvoker()
    {
        return invoker;
    }

    /** @return the context. */
    public Context context()
    {
        return context;
    }

    /** @return the completion channel, or null without {@code -e}. */
    public CompletionChannel channel()
    {
        return channel;
    }

    /** @return the CQ of every QP's send completions. */
    public CompletionQueue sendCq()
    {
        return sendCq;
    }

    /** @return the CQ of every QP's receive completions. */
    public CompletionQueue recvCq()
    {
        return recvCq;
    }

    /** @return the shared receive queue, or null without {@code --use-srq}. */
    public SharedReceiveQueue srq()
    {
        return srq;
    }

    /** @return number of QPs. */
    public int qpCount()
    {
        return qps.length;
    }

    /** @param index QP index. @return the QP. */
    public QueuePair qp(final int index)
    {
        return qps[index];
    }

    /**
     * @param qpNum a local QP number, as a completion reports it.
     * @return its index, or -1.
     */
    public int qpIndex(final int qpNum)
    {
        for (int i = 0; i < qps.length; i++)
        {
            if (qps[i].qpNum() == qpNum)
            {
                return i;
            }
        }
        return -1;
    }

    /** @return the local-only region: send/write source, READ sink, atomic result. */
    public MemoryRegion source()
    {
        return source;
    }

    /** @return the region the peer accesses and receives land in. */
    public MemoryRegion target()
    {
        return target;
    }

    /** @return the device name. */
    public String deviceName()
    {
        return device.name();
    }

    @Override
    public void close()
    {
        device.close();
    }

    private static long align64(final long value)
    {
        return (value + 63) & -64L;
    }
}
