package io.softverbs.benchmarks.jmh;

import java.util.concurrent.atomic.AtomicInteger;

import io.softverbs.Access;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.DeviceConfig;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpInit;
import io.softverbs.QueuePair;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.SharedReceiveQueue;
import io.softverbs.SrqInit;
import io.softverbs.Verbs;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import io.softverbs.benchmarks.perf.PerfException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Fan-in, the receiving side of a market-data or RPC server: {@code qps} RC QPs on context A, each connected to its
 * own QP on context B; B's QPs take their receives from one shared receive queue ({@code ibv_srq}) and report them
 * on one CQ. One operation is a {@value #SIZE}-byte inline SEND posted on the next of A's QPs, round robin, B's
 * engine delivering it, the poll of B's CQ that yields it and the receive re-posted to the SRQ
 * ({@code ibv_post_srq_recv}). {@link #fanIn} does that one message at a time; {@link #fanInBatch} posts
 * {@value #BATCH} SENDs on the next {@value #BATCH} QPs before draining B's CQ, as a server does when many clients
 * send at once. Both contexts are INVOKER and this thread runs both engines (as in {@link PingPongBenchmark}), so
 * the figure is the software cost per message with no cache line crossing cores, and from {@code qps=1} to
 * {@code qps=256} it shows what spreading the same traffic over many QPs costs. Sends are signaled one in
 * {@value #SIGNAL_EVERY} per QP. In perftest terms: ib_send_bw {@code -s 64 -I 64 -q N --use_srq} between two
 * processes, here on one thread; perftest reports bandwidth, this the time per message.
 */
@State(Scope.Thread)
public class FanInBenchmark extends JmhSettings
{
    /** One signaled send in this many, per QP. */
    public static final int SIGNAL_EVERY = 16;
    /** SENDs posted before B's CQ is drained, in {@link #fanInBatch}. */
    public static final int BATCH = 16;
    /** Payload of each SEND, inline. */
    public static final int SIZE = 64;
    /** Where in B's region every receive lands: the payload's content is not what is measured. */
    static final int RECV_OFFSET = 1024;
    /** Send queue depth of A's QPs: room for {@value #SIGNAL_EVERY} unsignaled sends and their signaled one. */
    private static final int DEPTH = 64;
    /** Receives in B's SRQ: all a batch can consume, with room to spare. */
    private static final int SRQ_DEPTH = 4 * BATCH;
    private static final int CQ_SIZE = 1024;
    /** Empty polls before a missing completion fails the run: a lost message must not hang it. */
    private static final int SPIN_LIMIT = 10_000_000;
    private static final AtomicInteger DEVICES = new AtomicInteger();

    private final SendWorkRequest send = new SendWorkRequest();
    private final RecvWorkRequest recv = new RecvWorkRequest();
    /** B's receive completions as last polled; slot 0 holds {@link #fanIn}'s message. */
    final WorkCompletion[] completions = LoopbackBenchmark.newCompletions(BATCH);
    private final WorkCompletion[] sendCompletions = LoopbackBenchmark.newCompletions(BATCH);
    /** The QP the next SEND goes out on. */
    private int next;
    /** Completed round robin passes over A's QPs: staggers which QP signals, see {@link #post}. */
    private int round;
    private int signaledPending;

    /** How many QPs fan in to B. */
    @Param({"1", "16", "256"})
    public int qps = 1;

    Device deviceA;
    Device deviceB;
    Context a;
    Context b;
    /** A's send CQ (its QPs' receive CQ too: nothing is sent to A). */
    CompletionQueue cqA;
    /** B's receive CQ, shared by all of B's QPs. */
    CompletionQueue cqB;
    SharedReceiveQueue srqB;
    /** A's QPs; {@code senders[i]} is connected to {@code receivers[i]}. */
    QueuePair[] senders;
    QueuePair[] receivers;
    MemoryRegion regionA;
    MemoryRegion regionB;

    /** Opens both devices, connects {@code qps} QP pairs and fills B's SRQ. */
    @Setup(Level.Trial)
    public void open()
    {
        deviceA = openDevice("a");
        try
        {
            deviceB = openDevice("b");
            a = deviceA.open();
            b = deviceB.open();
            final ProtectionDomain pdA = a.allocPd();
            final ProtectionDomain pdB = b.allocPd();
            cqA = a.createCq(CQ_SIZE);
            cqB = b.createCq(CQ_SIZE);
            srqB = pdB.createSrq(SrqInit.builder().maxWr(SRQ_DEPTH).maxSge(1).build());
            senders = new QueuePair[qps];
            receivers = new QueuePair[qps];
            for (int i = 0; i < qps; i++)
            {
                senders[i] = pdA.createQueuePair(QpInit.builder().sendCq(cqA).recvCq(cqA).maxSendWr(DEPTH)
                    .maxSendSge(1).maxInlineData(SIZE).maxRecvWr(1).maxRecvSge(1).build());
                // B sends nothing: a send queue of one; its receives all come from the SRQ.
                receivers[i] = pdB.createQueuePair(QpInit.builder().sendCq(cqB).recvCq(cqB).srq(srqB)
                    .maxSendWr(1).maxSendSge(1).maxInlineData(0).build());
                senders[i].connect(receivers[i].localEndpoint());
                receivers[i].connect(senders[i].localEndpoint());
            }
            regionA = pdA.allocateMemory(Loopback.REGION, Access.LOCAL_WRITE);
            regionB = pdB.allocateMemory(Loopback.REGION, Access.LOCAL_WRITE);
            send.opcode(Opcode.SEND).sge(regionA, 0, SIZE);
            recv.sge(regionB, RECV_OFFSET, SIZE);
            for (int i = 0; i < SRQ_DEPTH; i++)
            {
                repost();
            }
        }
        catch (final RuntimeException | Error ex)
        {
            close();
            throw ex;
        }
    }

    private static Device openDevice(final String side)
    {
        return Verbs.open(DeviceConfig.builder("jmh-fanin-" + side + "-" + ProcessHandle.current().pid() + "-" +
            DEVICES.incrementAndGet()).progress(ProgressMode.INVOKER).build());
    }

    /** Closes both devices, and with them every QP, CQ, SRQ and region. */
    @TearDown(Level.Trial)
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

    /** @return the source QP number of the message received, for JMH to consume (and the fixture test to check). */
    @Benchmark
    public int fanIn()
    {
        post();
        a.progress(); // the requester hands the SEND to B's engine
        receive(1);
        reap();
        return completions[0].srcQp();
    }

    /** @return the sum of the received messages' source QP numbers, for JMH to consume (and the test to check). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int fanInBatch()
    {
        for (int i = 0; i < BATCH; i++)
        {
            post();
        }
        a.progress();
        final int sourceQps = receive(BATCH);
        reap();
        return sourceQps;
    }

    /**
     * Posts the SEND on the next QP. Each QP signals one send in {@value #SIGNAL_EVERY} of its own, so its ring is
     * freed before it fills; which QPs signal moves on with every round, so that with many QPs the signaled sends
     * (and their reaping) are spread evenly over the invocations instead of falling together in one round.
     */
    private void post()
    {
        final boolean signal = ((round + next) & (SIGNAL_EVERY - 1)) == 0;
        final int rc = senders[next].postSend(send.flags(signal ? SendFlags.INLINE | SendFlags.SIGNALED :
            SendFlags.INLINE));
        if (rc != 0)
        {
            throw PerfException.postSendRefused(rc);
        }
        if (signal)
        {
            signaledPending++;
        }
        if (++next == qps)
        {
            next = 0;
            round++;
        }
    }

    /**
     * Polls B's CQ until {@code count} receives are in, re-posting one receive to the SRQ for each.
     *
     * @return the sum of their source QP numbers.
     */
    private int receive(final int count)
    {
        int sourceQps = 0;
        int received = 0;
        int spins = 0;
        while (received < count)
        {
            final int n = cqB.poll(completions); // an empty poll runs B's engine: the responder
            if (n == 0)
            {
                a.progress(); // the rest of a batch, if the requester stopped short of it
                if (++spins == SPIN_LIMIT)
                {
                    throw stalled(count - received);
                }
                continue;
            }
            for (int i = 0; i < n; i++)
            {
                final WorkCompletion wc = completions[i];
                if (wc.status() != WcStatus.SUCCESS)
                {
                    throw PerfException.receiveCompletionFailed(wc);
                }
                sourceQps += wc.srcQp();
                repost();
            }
            received += n;
        }
        return sourceQps;
    }

    private void repost()
    {
        final int rc = srqB.postRecv(recv);
        if (rc != 0)
        {
            throw PerfException.postRecvRefused(rc);
        }
    }

    /** Takes the signaled sends' completions, running B's engine until their acknowledgements are in. */
    private void reap()
    {
        int spins = 0;
        while (signaledPending > 0)
        {
            final int n = cqA.poll(sendCompletions); // an empty poll runs A's engine: the completer
            if (n == 0)
            {
                b.progress();
                if (++spins == SPIN_LIMIT)
                {
                    throw stalled(signaledPending);
                }
                continue;
            }
            for (int i = 0; i < n; i++)
            {
                if (sendCompletions[i].status() != WcStatus.SUCCESS)
                {
                    throw PerfException.sendCompletionFailed(sendCompletions[i]);
                }
            }
            signaledPending -= n;
        }
    }

    private static PerfException stalled(final int missing)
    {
        return new PerfException(missing + " completions missing after " + SPIN_LIMIT + " empty polls");
    }
}
