package io.softverbs.benchmarks.control;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

import io.softverbs.Access;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpInit;
import io.softverbs.QueuePair;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;

/**
 * Pipelined memory registration through the control QP (issue 4), measured on the {@code mem} transport with the
 * default DEDICATED engine threads:
 * <ol>
 * <li>N file-backed regions (fresh sparse files, so registration pre-faults every page) and one RDMA_WRITE from
 * each to a peer: time to the first and to the last completion when every region is registered with
 * {@code registerMemoryAsync} and its WRITE posted at once, against {@code registerMemory} (synchronous) then post,
 * per region and all-then-post.</li>
 * <li>Latency of WRITEs on an already registered region while a large file-backed registration is in flight, against
 * the same with nothing in flight: the first WRITE (posted right after {@code registerMemoryAsync} returns) and every
 * WRITE issued back to back until the registration finishes.</li>
 * </ol>
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp softverbs-perf.jar \
 *     io.softverbs.benchmarks.control.RegistrationPipelineBenchmark [--regions 4] [--region-mib 256] \
 *     [--big-mib 1024] [--trials 5]
 * </pre>
 */
public final class RegistrationPipelineBenchmark
{
    private static final int WRITE = 4096;

    private enum Mode
    {
        PIPELINED("registerMemoryAsync + post at once"),
        PIPELINED_HELPING("same, the waiter spins on progress()"),
        EACH_THEN_POST("registerMemory, post; per region"),
        ALL_THEN_POST("registerMemory all, then post all");

        final String label;

        Mode(final String label)
        {
            this.label = label;
        }
    }

    /** Two devices with a connected QP pair, a registered source on A and a target on B. */
    private static final class Rig
    {
        final ProgressMode mode;
        final Device devA;
        final Device devB;
        final Context ctxA;
        final Context ctxB;
        final ProtectionDomain pdA;
        final CompletionQueue cqA;
        final QueuePair qpA;
        final MemoryRegion src;
        final MemoryRegion dst;
        final Context[] drive;
        final SendWorkRequest wr = new SendWorkRequest();
        final WorkCompletion[] one = BenchSupport.completions(1);

        Rig(final ProgressMode mode, final int slots)
        {
            this.mode = mode;
            devA = BenchSupport.open("reg-a", mode);
            devB = BenchSupport.open("reg-b", mode);
            ctxA = devA.open();
            ctxB = devB.open();
            pdA = ctxA.allocPd();
            final ProtectionDomain pdB = ctxB.allocPd();
            cqA = ctxA.createCq(1024);
            final CompletionQueue cqB = ctxB.createCq(1024);
            qpA = pdA.createQueuePair(QpInit.builder().sendCq(cqA).recvCq(cqA).maxSendWr(256).build());
            final QueuePair qpB = pdB.createQueuePair(QpInit.builder().sendCq(cqB).recvCq(cqB).build());
            BenchSupport.connect(qpA, qpB);
            src = pdA.allocateMemory(WRITE, Access.LOCAL_WRITE);
            dst = pdB.allocateMemory((long)WRITE * Math.max(slots, 1), Access.LOCAL_WRITE | Access.REMOTE_WRITE);
            drive = mode == ProgressMode.INVOKER ? new Context[] {ctxA, ctxB} : new Context[0];
        }

        int post(final long wrId, final MemoryRegion from, final long offset, final int dstSlot)
        {
            return qpA.postSend(wr.clear().wrId(wrId).opcode(Opcode.RDMA_WRITE).flags(SendFlags.SIGNALED)
                .sge(from, offset, WRITE).remote(dst.address() + (long)dstSlot * WRITE, dst.rkey()));
        }

        /** One WRITE from the registered source region, waited for. @return its latency in ns. */
        long writeLatency(final long wrId)
        {
            final long t0 = System.nanoTime();
            check(post(wrId, src, 0, 0));
            return BenchSupport.awaitOne(cqA, one, drive) - t0;
        }

        void close()
        {
            devA.close();
            devB.close();
        }
    }

    /** Records when each completion of part 1 is seen, on its own thread, so sync registrations do not hide them. */
    private static final class Poller extends Thread
    {
        final CompletionQueue cq;
        final long[] seenAt;
        final Context[] drive;
        final WorkCompletion[] one = BenchSupport.completions(1);
        volatile RuntimeException failure;

        Poller(final CompletionQueue cq, final int n, final Context... drive)
        {
            super("reg-bench-poller");
            this.cq = cq;
            this.seenAt = new long[n];
            this.drive = drive;
            setDaemon(true);
        }

        @Override
        public void run()
        {
            try
            {
                final long deadline = System.nanoTime() + BenchSupport.TIMEOUT_NS;
                for (int i = 0; i < seenAt.length; i++)
                {
                    if (drive.length > 0)
                    {
                        seenAt[i] = BenchSupport.awaitOne(cq, one, drive);
                        continue;
                    }
                    // A waiter that leaves the CPU to the engine: on 2 cores a spinning poller slows the
                    // engine thread's registration work down. 250 us naps are little at this scale.
                    while (cq.poll(one) == 0)
                    {
                        if (System.nanoTime() - deadline > 0)
                        {
                            throw new IllegalStateException("no completion");
                        }
                        LockSupport.parkNanos(250_000);
                    }
                    if (one[0].status() != WcStatus.SUCCESS)
                    {
                        throw new IllegalStateException("completion failed: " + one[0]);
                    }
                    seenAt[i] = System.nanoTime();
                }
            }
            catch (final RuntimeException ex)
            {
                failure = ex;
            }
        }
    }

    private final int regions;
    private final long regionBytes;
    private final long bigBytes;
    private final int trials;

    private RegistrationPipelineBenchmark(final int regions, final long regionBytes, final long bigBytes,
        final int trials)
    {
        this.regions = regions;
        this.regionBytes = regionBytes;
        this.bigBytes = bigBytes;
        this.trials = trials;
    }

    private static void check(final int rc)
    {
        if (rc != 0)
        {
            throw new IllegalStateException("postSend returned " + rc);
        }
    }

    /** @return {first completion, last completion} in ns after the first registration call. */
    private long[] runPart1(final Rig rig, final Mode mode)
    {
        final BenchSupport.MappedFile[] files = new BenchSupport.MappedFile[regions];
        final MemoryRegion[] mrs = new MemoryRegion[regions];
        final ProtectionDomain pd = rig.pdA;
        try
        {
            for (int i = 0; i < regions; i++)
            {
                files[i] = new BenchSupport.MappedFile(regionBytes);
                files[i].buffer.putLong((int)(regionBytes - WRITE), i); // the one page touched before registration
            }
            final Poller poller = mode == Mode.PIPELINED_HELPING ?
                new Poller(rig.cqA, regions, rig.ctxA) : new Poller(rig.cqA, regions);
            poller.start();
            final long t0 = System.nanoTime();
            switch (mode)
            {
                case PIPELINED:
                case PIPELINED_HELPING:
                    for (int i = 0; i < regions; i++)
                    {
                        mrs[i] = pd.registerMemoryAsync(files[i].address, regionBytes, Access.LOCAL_WRITE);
                        check(rig.post(i, mrs[i], regionBytes - WRITE, i));
                    }
                    break;
                case EACH_THEN_POST:
                    for (int i = 0; i < regions; i++)
                    {
                        mrs[i] = pd.registerMemory(files[i].address, regionBytes, Access.LOCAL_WRITE);
                        check(rig.post(i, mrs[i], regionBytes - WRITE, i));
                    }
                    break;
                default:
                    for (int i = 0; i < regions; i++)
                    {
                        mrs[i] = pd.registerMemory(files[i].address, regionBytes, Access.LOCAL_WRITE);
                    }
                    for (int i = 0; i < regions; i++)
                    {
                        check(rig.post(i, mrs[i], regionBytes - WRITE, i));
                    }
                    break;
            }
            poller.join(BenchSupport.TIMEOUT_NS / 1_000_000 + 1000);
            if (poller.failure != null || poller.isAlive())
            {
                throw new IllegalStateException("part 1 " + mode + ": completions missing", poller.failure);
            }
            return new long[] {poller.seenAt[0] - t0, poller.seenAt[regions - 1] - t0};
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        finally
        {
            for (final MemoryRegion mr : mrs)
            {
                if (mr != null)
                {
                    mr.close();
                }
            }
            for (final BenchSupport.MappedFile file : files)
            {
                if (file != null)
                {
                    file.close();
                }
            }
        }
    }

    /** Latency samples of back-to-back WRITEs and the first one's latency. */
    private static final class Samples
    {
        final long[] values = new long[4_000_000];
        int count;
        double firstUs;
        double durationMs;
        boolean firstWhilePending;

        void add(final long ns)
        {
            if (count < values.length)
            {
                values[count++] = ns;
            }
        }
    }

    private Samples inFlight(final Rig rig)
    {
        final Samples s = new Samples();
        try (BenchSupport.MappedFile file = new BenchSupport.MappedFile(bigBytes))
        {
            final long tReg = System.nanoTime();
            final MemoryRegion big = rig.pdA.registerMemoryAsync(file.address, bigBytes, Access.LOCAL_WRITE);
            s.firstUs = rig.writeLatency(0) / 1e3;
            s.firstWhilePending = big.isPending();
            long id = 1;
            while (big.isPending())
            {
                s.add(rig.writeLatency(id++)); // in INVOKER mode these cycles also run the registration's slices
            }
            s.durationMs = (System.nanoTime() - tReg) / 1e6;
            big.awaitRegistered();
            big.close();
        }
        return s;
    }

    private static Samples idle(final Rig rig, final double durationMs)
    {
        final Samples s = new Samples();
        final long t0 = System.nanoTime();
        s.firstUs = rig.writeLatency(0) / 1e3;
        final long end = t0 + (long)(durationMs * 1e6);
        long id = 1;
        while (System.nanoTime() - end < 0)
        {
            s.add(rig.writeLatency(id++));
        }
        s.durationMs = (System.nanoTime() - t0) / 1e6;
        return s;
    }

    private void part1(final PrintStream out)
    {
        out.printf(Locale.ROOT, "Part 1: %d fresh sparse file-backed regions of %d MiB, one %d-byte RDMA_WRITE from " +
            "each (DEDICATED engines); time from the first registration call; median of %d trials (modes rotated)%n",
            regions, regionBytes >> 20, WRITE, trials);
        final Rig rig = new Rig(ProgressMode.DEDICATED, regions);
        try
        {
            final Mode[] modes = Mode.values();
            final double[][] first = new double[modes.length][trials];
            final double[][] last = new double[modes.length][trials];
            runPart1(rig, Mode.PIPELINED); // warm-up
            for (int t = 0; t < trials; t++)
            {
                for (int k = 0; k < modes.length; k++)
                {
                    final int m = (k + t) % modes.length;
                    final long[] r = runPart1(rig, modes[m]);
                    first[m][t] = r[0] / 1e6;
                    last[m][t] = r[1] / 1e6;
                }
            }
            out.printf(Locale.ROOT, "%-38s %16s %16s %14s%n", "mode", "first WRITE (ms)", "last WRITE (ms)",
                "last / async");
            final double pipelinedLast = BenchSupport.median(last[0]);
            for (int m = 0; m < modes.length; m++)
            {
                final double l = BenchSupport.median(last[m]);
                out.printf(Locale.ROOT, "%-38s %16.1f %16.1f %13.2fx%n", modes[m].label, BenchSupport.median(first[m]),
                    l, l / pipelinedLast);
            }
        }
        finally
        {
            rig.close();
        }
    }

    private void part2(final PrintStream out, final ProgressMode mode)
    {
        out.printf(Locale.ROOT, "Part 2 (%s): %d-byte RDMA_WRITE latency on an already registered region, back to " +
            "back, while a %d MiB file-backed registration is in flight vs nothing in flight (same duration)%n",
            mode == ProgressMode.INVOKER ? "INVOKER, this thread runs both engines" : "DEDICATED engine threads",
            WRITE, bigBytes >> 20);
        final Rig rig = new Rig(mode, 1);
        try
        {
            for (int i = 0; i < 20_000; i++)
            {
                rig.writeLatency(i); // warm-up
            }
            out.printf(Locale.ROOT, "%-24s %6s %12s %10s %10s %10s %10s %10s%n", "case", "trial", "first (us)",
                "samples", "p50 (us)", "p99 (us)", "max (us)", "ms");
            final double[] firstIn = new double[trials];
            final double[] firstIdle = new double[trials];
            final double[] p50In = new double[trials];
            final double[] p50Idle = new double[trials];
            final double[] p99In = new double[trials];
            final double[] p99Idle = new double[trials];
            for (int t = 0; t < trials; t++)
            {
                final Samples in = inFlight(rig);
                final Samples id = idle(rig, in.durationMs);
                firstIn[t] = in.firstUs;
                firstIdle[t] = id.firstUs;
                p50In[t] = print(out, "registration in flight", t, in, p99In);
                p50Idle[t] = print(out, "nothing in flight", t, id, p99Idle);
                if (!in.firstWhilePending)
                {
                    out.println("  (note: the registration had finished before the first WRITE completed)");
                }
            }
            out.printf(Locale.ROOT, "median over trials: first WRITE %.1f us in flight vs %.1f us idle; p50 %.2f vs " +
                "%.2f us; p99 %.2f vs %.2f us%n", BenchSupport.median(firstIn), BenchSupport.median(firstIdle),
                BenchSupport.median(p50In), BenchSupport.median(p50Idle), BenchSupport.median(p99In),
                BenchSupport.median(p99Idle));
        }
        finally
        {
            rig.close();
        }
    }

    private static double print(final PrintStream out, final String label, final int t, final Samples s,
        final double[] p99)
    {
        final double p50 = BenchSupport.percentile(s.values, s.count, 0.50) / 1e3;
        p99[t] = BenchSupport.percentile(s.values, s.count, 0.99) / 1e3;
        final double max = BenchSupport.percentile(s.values, s.count, 1.0) / 1e3;
        out.printf(Locale.ROOT, "%-24s %6d %12.1f %10d %10.2f %10.2f %10.1f %10.1f%n", label, t + 1, s.firstUs,
            s.count, p50, p99[t], max, s.durationMs);
        return p50;
    }

    /**
     * @param args {@code --regions N --region-mib M --big-mib B --trials T --part 1|2|all}.
     */
    public static void main(final String[] args)
    {
        final int regions = Integer.parseInt(BenchSupport.arg(args, "--regions", "4"));
        final long regionMib = Long.parseLong(BenchSupport.arg(args, "--region-mib", "256"));
        final long bigMib = Long.parseLong(BenchSupport.arg(args, "--big-mib", "1024"));
        final int trials = Integer.parseInt(BenchSupport.arg(args, "--trials", "5"));
        final String part = BenchSupport.arg(args, "--part", "all");
        final RegistrationPipelineBenchmark bench =
            new RegistrationPipelineBenchmark(regions, regionMib << 20, bigMib << 20, trials);
        final PrintStream out = System.out;
        out.printf(Locale.ROOT, "softverbs pipelined registration, mem transport, %d CPUs, %s, load average %s%n",
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"),
            BenchSupport.loadAverage());
        if (!part.equals("2"))
        {
            bench.part1(out);
            out.println();
        }
        if (!part.equals("1"))
        {
            bench.part2(out, ProgressMode.DEDICATED);
            out.println();
            bench.part2(out, ProgressMode.INVOKER);
        }
        out.println("load average at the end: " + BenchSupport.loadAverage());
    }
}
