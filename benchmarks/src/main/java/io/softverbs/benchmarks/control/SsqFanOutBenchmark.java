package io.softverbs.benchmarks.control;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;

import io.softverbs.Access;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.Errors;
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
import io.softverbs.SharedSendQueue;
import io.softverbs.SrqInit;
import io.softverbs.SsqInit;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import io.softverbs.offheap.SoftContext;

/**
 * The shared send queue (issue 4), measured on the {@code mem} transport:
 * <ol>
 * <li>Memory per channel: device memory ({@code SoftContext.deviceMemoryBytes()}) and Java heap (used heap after
 * GC, {@link MemoryMXBean}) for 10,000 channels of one SSQ, next to QPs with their own send ring (depth 128 for
 * 10,000 QPs, and depth 1024, the SSQ's depth, for 1,000 QPs). Every queue: 1 SGE, 64 bytes inline, a receive
 * queue of 1.</li>
 * <li>Message rate of one SSQ fanning 64-byte inline SENDs out round-robin to 1, 10, 100 and 1,000 channels (peers:
 * QPs on one peer context with one CQ and an SRQ whose receives are re-posted), next to one ordinary QP. INVOKER
 * progress: the publisher thread runs the publisher's engine, one peer thread runs the peer's engine.</li>
 * </ol>
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -Xmx2g -XX:MaxDirectMemorySize=4g -cp softverbs-perf.jar \
 *     io.softverbs.benchmarks.control.SsqFanOutBenchmark [--channels 10000] [--messages 1000000] [--trials 3]
 * </pre>
 */
public final class SsqFanOutBenchmark
{
    static final int SSQ_DEPTH = 1024;
    static final int PAYLOAD = 64;
    static final int SIGNAL_EVERY = 64;
    static final int SRQ_DEPTH = 4096;

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private SsqFanOutBenchmark()
    {
    }

    private static long usedHeapAfterGc()
    {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++)
        {
            System.gc();
            used = Math.min(used, MEMORY.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Part 1: memory

    /** @return {device bytes per queue, heap bytes per queue, fixed device bytes}. */
    private static double[] memory(final boolean channels, final int count, final int depth)
    {
        try (Device device = BenchSupport.open("mem", ProgressMode.INVOKER))
        {
            final Context ctx = device.open();
            final ProtectionDomain pd = ctx.allocPd();
            final SoftContext soft = (SoftContext)ctx;
            final long fixed0 = soft.deviceMemoryBytes();
            final CompletionQueue cq = ctx.createCq(16);
            final SharedSendQueue ssq = channels ? pd.createSharedSendQueue(SsqInit.builder().sendCq(cq)
                .maxWr(depth).maxSge(1).maxInlineData(PAYLOAD).build()) : null;
            final QueuePair[] qps = new QueuePair[count];
            final long mem0 = soft.deviceMemoryBytes();
            final long heap0 = usedHeapAfterGc();
            for (int i = 0; i < count; i++)
            {
                final QpInit.Builder init = QpInit.builder().recvCq(cq).maxRecvWr(1).maxRecvSge(1).maxSendSge(1)
                    .maxInlineData(PAYLOAD);
                qps[i] = pd.createQueuePair(channels ? init.sharedSendQueue(ssq).build() :
                    init.sendCq(cq).maxSendWr(depth).build());
            }
            final long mem1 = soft.deviceMemoryBytes();
            final long heap1 = usedHeapAfterGc();
            final double[] result = {(mem1 - mem0) / (double)count, (heap1 - heap0) / (double)count, mem0 - fixed0};
            if (qps[count - 1] == null)
            {
                throw new IllegalStateException(); // keeps every QP reachable until the heap was measured
            }
            return result;
        }
    }

    private static void memoryTable(final PrintStream out, final int channels)
    {
        final int qpsAt1024 = Math.max(1, channels / 10);
        out.printf(Locale.ROOT, "Part 1: memory per queue (1 SGE, 64 B inline, receive queue of 1)%n");
        out.printf(Locale.ROOT, "%-44s %8s %18s %16s %20s%n", "queue", "count", "device B / queue", "heap B / queue",
            "fixed device B");
        memory(true, 1000, SSQ_DEPTH); // warm-up of the code paths and classes
        final double[] ch = memory(true, channels, SSQ_DEPTH);
        final double[] qp128 = memory(false, channels, 128);
        final double[] qp1024 = memory(false, qpsAt1024, SSQ_DEPTH);
        out.printf(Locale.ROOT, "%-44s %8d %18.0f %16.0f %20.0f%n", "SSQ channel (shared ring of " + SSQ_DEPTH + ")",
            channels, ch[0], ch[1], ch[2]);
        out.printf(Locale.ROOT, "%-44s %8d %18.0f %16.0f %20s%n", "QP with its own send ring, depth 128", channels,
            qp128[0], qp128[1], "0");
        out.printf(Locale.ROOT, "%-44s %8d %18.0f %16.0f %20s%n", "QP with its own send ring, depth " + SSQ_DEPTH,
            qpsAt1024, qp1024[0], qp1024[1], "0");
        out.printf(Locale.ROOT, "device memory: a channel costs %.1f%% of a depth-128 QP and %.2f%% of a " +
            "depth-%d QP; " +
            "the SSQ's ring and CQ are %.0f B once%n", 100 * ch[0] / qp128[0], 100 * ch[0] / qp1024[0], SSQ_DEPTH,
            ch[2]);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Part 2: message rate

    /** The peer side: one context, one CQ, an SRQ, one QP per channel; a thread that re-posts receives. */
    private static final class Peer implements Runnable
    {
        final Device device;
        final Context ctx;
        final CompletionQueue cq;
        final SharedReceiveQueue srq;
        final MemoryRegion sink;
        final QueuePair[] qps;
        final RecvWorkRequest recv = new RecvWorkRequest();
        final WorkCompletion[] wcs = BenchSupport.completions(256);
        volatile long received;
        volatile boolean running = true;
        volatile String problem;

        Peer(final int count)
        {
            device = BenchSupport.open("peer", ProgressMode.INVOKER);
            ctx = device.open();
            final ProtectionDomain pd = ctx.allocPd();
            cq = ctx.createCq(SRQ_DEPTH * 2);
            srq = pd.createSrq(SrqInit.builder().maxWr(SRQ_DEPTH).maxSge(1).build());
            sink = pd.allocateMemory((long)SRQ_DEPTH * PAYLOAD, Access.LOCAL_WRITE);
            qps = new QueuePair[count];
            for (int i = 0; i < count; i++)
            {
                qps[i] = pd.createQueuePair(QpInit.builder().sendCq(cq).recvCq(cq).srq(srq).maxSendWr(1)
                    .maxSendSge(1).maxInlineData(0).build());
            }
            for (int slot = 0; slot < SRQ_DEPTH; slot++)
            {
                repost(slot);
            }
        }

        private void repost(final int slot)
        {
            final int rc = srq.postRecv(recv.clear().wrId(slot).sge(sink, (long)slot * PAYLOAD, PAYLOAD));
            if (rc != 0 && problem == null)
            {
                problem = "SRQ postRecv returned " + Errors.name(rc);
            }
        }

        @Override
        public void run()
        {
            long count = 0;
            while (running)
            {
                ctx.progress();
                final int n = cq.poll(wcs);
                for (int k = 0; k < n; k++)
                {
                    final WorkCompletion wc = wcs[k];
                    if (wc.status() != WcStatus.SUCCESS && problem == null)
                    {
                        problem = "peer completion " + wc;
                    }
                    repost((int)wc.wrId());
                }
                if (n > 0)
                {
                    count += n;
                    received = count;
                }
            }
        }
    }

    /** The publisher: an SSQ with its channels (or one ordinary QP), signaling every 64th send. */
    private static final class Publisher
    {
        final Device device;
        final Context ctx;
        final CompletionQueue cq;
        final SharedSendQueue ssq;
        final QueuePair[] channels;
        final QueuePair plain;
        final MemoryRegion payload;
        final SendWorkRequest wr = new SendWorkRequest();
        final WorkCompletion[] wcs = BenchSupport.completions(256);
        long posted;
        long signaledPosted;
        long signaledCompleted;

        Publisher(final int count, final boolean usePlainQp)
        {
            device = BenchSupport.open("pub", ProgressMode.INVOKER);
            ctx = device.open();
            final ProtectionDomain pd = ctx.allocPd();
            cq = ctx.createCq(SSQ_DEPTH * 2);
            final CompletionQueue recvCq = ctx.createCq(16);
            if (usePlainQp)
            {
                ssq = null;
                channels = null;
                plain = pd.createQueuePair(QpInit.builder().sendCq(cq).recvCq(recvCq).maxSendWr(SSQ_DEPTH)
                    .maxSendSge(1).maxInlineData(PAYLOAD).maxRecvWr(1).maxRecvSge(1).build());
            }
            else
            {
                plain = null;
                ssq = pd.createSharedSendQueue(SsqInit.builder().sendCq(cq).maxWr(SSQ_DEPTH).maxSge(1)
                    .maxInlineData(PAYLOAD).build());
                channels = new QueuePair[count];
                for (int i = 0; i < count; i++)
                {
                    channels[i] = pd.createQueuePair(QpInit.builder().sharedSendQueue(ssq).recvCq(recvCq)
                        .maxRecvWr(1).maxRecvSge(1).build());
                }
            }
            payload = pd.allocateMemory(PAYLOAD, Access.LOCAL_WRITE);
        }

        QueuePair endpoint(final int i)
        {
            return plain != null ? plain : channels[i];
        }

        int count()
        {
            return plain != null ? 1 : channels.length;
        }

        /** Posts {@code messages} SENDs round-robin over the channels; allocation-free. */
        void publish(final long messages)
        {
            final int n = count();
            int next = 0;
            for (long k = 0; k < messages; k++)
            {
                posted++;
                final boolean signaled = posted % SIGNAL_EVERY == 0 || k == messages - 1;
                payload.buffer().putLong(0, posted);
                wr.clear().wrId(posted).opcode(Opcode.SEND).sge(payload, 0, PAYLOAD)
                    .flags(signaled ? SendFlags.INLINE | SendFlags.SIGNALED : SendFlags.INLINE);
                int rc;
                while ((rc = plain != null ? plain.postSend(wr) : ssq.postSend(channels[next], wr)) == Errors.ENOMEM)
                {
                    reap();
                }
                if (rc != 0)
                {
                    throw new IllegalStateException("postSend returned " + Errors.name(rc));
                }
                if (signaled)
                {
                    signaledPosted++;
                }
                if (++next == n)
                {
                    next = 0;
                }
                if ((k & 15) == 15)
                {
                    reap();
                }
            }
        }

        void drain()
        {
            final long deadline = System.nanoTime() + BenchSupport.TIMEOUT_NS;
            while (signaledCompleted < signaledPosted)
            {
                reap();
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IllegalStateException("send completions missing");
                }
            }
        }

        int reap()
        {
            ctx.progress();
            final int got = cq.poll(wcs);
            for (int k = 0; k < got; k++)
            {
                if (wcs[k].status() != WcStatus.SUCCESS)
                {
                    throw new IllegalStateException("send completion " + wcs[k]);
                }
            }
            signaledCompleted += got;
            return got;
        }
    }

    /** @return messages per second. */
    private static double rate(final int channels, final boolean plainQp, final long messages)
    {
        final Publisher pub = new Publisher(channels, plainQp);
        final Peer peer = new Peer(pub.count());
        final Thread thread = new Thread(peer, "ssq-bench-peer");
        try
        {
            for (int i = 0; i < pub.count(); i++)
            {
                BenchSupport.connect(pub.endpoint(i), peer.qps[i]);
            }
            thread.setDaemon(true);
            thread.start();
            final long warmup = Math.min(messages / 4, 200_000);
            pub.publish(warmup);
            pub.drain();
            awaitReceived(pub, peer, warmup);
            final long t0 = System.nanoTime();
            pub.publish(messages);
            pub.drain();
            awaitReceived(pub, peer, warmup + messages);
            final long elapsed = System.nanoTime() - t0;
            if (peer.problem != null)
            {
                throw new IllegalStateException(peer.problem);
            }
            return messages / (elapsed / 1e9);
        }
        finally
        {
            peer.running = false;
            try
            {
                thread.join(10_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            pub.device.close();
            peer.device.close();
        }
    }

    private static void awaitReceived(final Publisher pub, final Peer peer, final long total)
    {
        final long deadline = System.nanoTime() + BenchSupport.TIMEOUT_NS;
        while (peer.received < total)
        {
            if (System.nanoTime() - deadline > 0 || peer.problem != null)
            {
                throw new IllegalStateException("peer received " + peer.received + " of " + total + ": " +
                    peer.problem);
            }
            pub.reap(); // INVOKER: the publisher's engine runs only when this thread drives it
        }
    }

    private static void rateTable(final PrintStream out, final long messages, final int trials)
    {
        out.printf(Locale.ROOT, "Part 2: message rate, %d-byte inline SENDs round-robin, SSQ depth %d, signal every " +
            "%d; %d messages per trial after a JIT warm-up, median of %d trials (msg/s)%n", PAYLOAD, SSQ_DEPTH,
            SIGNAL_EVERY, messages, trials);
        out.printf(Locale.ROOT, "%-32s %14s %14s %14s%n", "sender", "median msg/s", "min msg/s", "max msg/s");
        final int[] counts = {1, 10, 100, 1000};
        // JIT warm-up of both paths (not reported): the first runs in a JVM are several times slower.
        rate(1, true, messages);
        rate(10, false, messages);
        row(out, "ordinary QP, 1 peer", 1, true, messages, trials);
        for (final int c : counts)
        {
            row(out, "SSQ, " + c + (c == 1 ? " channel" : " channels"), c, false, messages, trials);
        }
    }

    private static void row(final PrintStream out, final String label, final int channels, final boolean plain,
        final long messages, final int trials)
    {
        final double[] rates = new double[trials];
        double min = Double.MAX_VALUE;
        double max = 0;
        for (int t = 0; t < trials; t++)
        {
            rates[t] = rate(channels, plain, messages);
            min = Math.min(min, rates[t]);
            max = Math.max(max, rates[t]);
        }
        out.printf(Locale.ROOT, "%-32s %14.0f %14.0f %14.0f%n", label, BenchSupport.median(rates), min, max);
        out.flush();
    }

    /**
     * @param args {@code --channels N} (memory part), {@code --messages M} and {@code --trials T} (rate part),
     *             {@code --part memory|rate|all}; {@code --only qp,1,100} runs just those rate rows, once each.
     */
    public static void main(final String[] args)
    {
        final int channels = Integer.parseInt(BenchSupport.arg(args, "--channels", "10000"));
        final long messages = Long.parseLong(BenchSupport.arg(args, "--messages", "1000000"));
        final int trials = Integer.parseInt(BenchSupport.arg(args, "--trials", "3"));
        final String part = BenchSupport.arg(args, "--part", "all");
        final String only = BenchSupport.arg(args, "--only", null);
        if (only != null)
        {
            // --only qp,1,10: just these rows, one trial each, in this JVM (for profiling).
            for (final String row : only.split(","))
            {
                final boolean plainQp = row.equals("qp");
                final double r = rate(plainQp ? 1 : Integer.parseInt(row), plainQp, messages);
                System.out.printf(Locale.ROOT, "%s: %.0f msg/s%n", row, r);
            }
            return;
        }
        final PrintStream out = System.out;
        out.printf(Locale.ROOT, "softverbs shared send queue, mem transport, %d CPUs, %s, max heap %d MiB, load " +
            "average %s%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"),
            Runtime.getRuntime().maxMemory() >> 20, BenchSupport.loadAverage());
        if (!part.equals("rate"))
        {
            memoryTable(out, channels);
            out.println();
        }
        if (!part.equals("memory"))
        {
            rateTable(out, messages, trials);
        }
        out.println("load average at the end: " + BenchSupport.loadAverage());
    }
}
