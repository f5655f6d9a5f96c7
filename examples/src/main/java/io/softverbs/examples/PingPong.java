package io.softverbs.examples;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.AtomicBuffer;

import io.softverbs.Access;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.DeviceConfig;
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
import io.softverbs.Verbs;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;

/**
 * Ping-pong latency over softverbs, written against the public API ({@code io.softverbs}) only.
 * <p>
 * Two devices on the in-process {@code mem} transport, {@code pingpong-a} and {@code pingpong-b}, each with one
 * RC queue pair, connected to each other. Both use {@link ProgressMode#INVOKER}: nobody runs an engine thread,
 * each side's thread drives its own device's engine by polling its completion queues (an empty poll runs one
 * engine duty cycle), so a 2-core machine has exactly one busy thread per side.
 * <p>
 * The main thread ("ping") sends a message and waits for its echo; a "pong" thread echoes every message it
 * receives. Messages up to the QP's {@code maxInlineData} go as inline SENDs ({@code INLINE|SIGNALED}: payload
 * copied into the WQE); larger ones as plain SENDs from a registered region. Each side keeps
 * {@value #RECV_DEPTH} receives posted and re-posts one for every one consumed. Every send is signaled and its
 * completion consumed, so neither side can overrun its send queue.
 * <p>
 * The data path (post, poll, re-post, time) allocates nothing: work requests and completion arrays are
 * preallocated and reused, samples go into a preallocated {@code long[]} that is sorted afterwards.
 * <pre>
 * mvn -q -Ppingpong -DskipTests package                                   # from the repository root
 * mvn -q -Ppingpong -DskipTests package -Dpingpong.args="--iterations 10000 --sizes 32,4096"
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp ... io.softverbs.examples.PingPong --help
 * </pre>
 */
public final class PingPong
{
    /** Header printed above the result table. */
    public static final String HEADER = "softverbs ping-pong, mem transport, INVOKER progress, round trip (RTT) in us";
    /** Column titles of the result table. */
    public static final String COLUMNS = String.format("%8s %10s %10s %10s %10s %10s",
        "size", "iters", "p50", "p99", "p99.9", "max");

    /** Default message sizes in bytes. */
    public static final int[] DEFAULT_SIZES = {32, 256, 4096, 65536};
    /** Default measured round trips per size. */
    public static final int DEFAULT_ITERATIONS = 200_000;
    /** Default warm-up round trips per size and slice (slices repeat until one allocates nothing). */
    public static final int DEFAULT_WARMUP = 50_000;
    /** Sizes from here up get a quarter of the default counts (when no count is given). */
    public static final int LARGE_SIZE = 65536;
    /** Largest message size accepted. */
    public static final int MAX_SIZE = 16 << 20;

    /** Device names: one JVM, two soft RNICs. */
    public static final String PING_DEVICE = "pingpong-a";
    /** Device name of the echoing side. */
    public static final String PONG_DEVICE = "pingpong-b";

    static final int RECV_DEPTH = 8;
    static final int QP_DEPTH = 16;
    static final int CQ_SIZE = 64;
    static final int MAX_INLINE = 256;
    static final long STALL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private PingPong()
    {
    }

    /**
     * Result of one message size. Latencies are round trips in nanoseconds.
     *
     * @param size           message size in bytes.
     * @param iterations     measured round trips.
     * @param p50Nanos       median round trip.
     * @param p99Nanos       99th percentile.
     * @param p999Nanos      99.9th percentile.
     * @param maxNanos       slowest round trip.
     * @param allocatedBytes bytes the ping thread allocated while measuring this size (-1 if the JVM cannot tell).
     */
    public record Result(int size, int iterations, long p50Nanos, long p99Nanos, long p999Nanos, long maxNanos,
        long allocatedBytes)
    {
        /** @return the table line for this result, latencies in microseconds. */
        public String line()
        {
            return String.format("%8d %10d %10.2f %10.2f %10.2f %10.2f",
                size, iterations, p50Nanos / 1e3, p99Nanos / 1e3, p999Nanos / 1e3, maxNanos / 1e3);
        }
    }

    /**
     * Parsed command line.
     *
     * @param sizes      message sizes in bytes.
     * @param iterations measured round trips per size, or -1 for the defaults.
     * @param warmup     warm-up round trips per size and slice, or -1 for the defaults.
     */
    public record Options(int[] sizes, int iterations, int warmup)
    {
        /** @param size a message size. @return measured round trips for it. */
        public int iterationsFor(final int size)
        {
            return iterations >= 0 ? iterations : size >= LARGE_SIZE ? DEFAULT_ITERATIONS / 4 : DEFAULT_ITERATIONS;
        }

        /** @param size a message size. @return warm-up round trips for it. */
        public int warmupFor(final int size)
        {
            return warmup >= 0 ? warmup : size >= LARGE_SIZE ? DEFAULT_WARMUP / 4 : DEFAULT_WARMUP;
        }

        @Override
        public String toString()
        {
            return "Options{sizes=" + Arrays.toString(sizes) + ", iterations=" + iterations + ", warmup=" + warmup + '}';
        }
    }

    /** A failed run: a bad completion, a refused post, or a stall. */
    public static final class PingPongException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        /** @param message what went wrong. */
        public PingPongException(final String message)
        {
            super(message);
        }
    }

    /** @return the usage text. */
    public static String usage()
    {
        return String.join(System.lineSeparator(),
            "usage: PingPong [--iterations N] [--warmup N] [--sizes 32,256,4096,65536]",
            "  --iterations N  measured round trips per size (default " + DEFAULT_ITERATIONS + ", " +
                DEFAULT_ITERATIONS / 4 + " for sizes >= " + LARGE_SIZE + ")",
            "  --warmup N      warm-up round trips per slice; slices repeat until one allocates nothing (default " +
                DEFAULT_WARMUP + ", " + DEFAULT_WARMUP / 4 + " for sizes >= " + LARGE_SIZE + ")",
            "  --sizes LIST    comma-separated message sizes in bytes, 1.." + MAX_SIZE + " (default 32,256,4096,65536)");
    }

    /**
     * @param args the command line.
     * @return the options.
     * @throws IllegalArgumentException on a bad argument, with a message saying which.
     */
    public static Options parse(final String... args)
    {
        int[] sizes = DEFAULT_SIZES.clone();
        int iterations = -1;
        int warmup = -1;
        final ExampleSupport.ArgReader reader =
            new ExampleSupport.ArgReader(args, "--iterations", "--warmup", "--sizes");
        while (reader.next())
        {
            final String name = reader.name();
            final String value = reader.value();
            switch (name)
            {
                case "--iterations":
                    iterations = parseCount(name, value, 1);
                    break;
                case "--warmup":
                    warmup = parseCount(name, value, 0);
                    break;
                default:
                    sizes = parseSizes(value);
                    break;
            }
        }
        return new Options(sizes, iterations, warmup);
    }

    private static int parseCount(final String name, final String value, final int min)
    {
        final int n;
        try
        {
            n = Integer.parseInt(value.trim().replace("_", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + " expects a number: " + value, ex);
        }
        if (n < min)
        {
            throw new IllegalArgumentException(name + " must be >= " + min + ": " + value);
        }
        return n;
    }

    private static int[] parseSizes(final String value)
    {
        final String[] parts = value.split(",");
        final int[] sizes = new int[parts.length];
        int count = 0;
        for (final String part : parts)
        {
            if (part.isBlank())
            {
                continue;
            }
            final int size = parseCount("--sizes", part, 1);
            if (size > MAX_SIZE)
            {
                throw new IllegalArgumentException("--sizes: " + size + " exceeds " + MAX_SIZE);
            }
            sizes[count++] = size;
        }
        if (count == 0)
        {
            throw new IllegalArgumentException("--sizes needs at least one size: " + value);
        }
        return Arrays.copyOf(sizes, count);
    }

    /**
     * Parses the arguments and runs the ping-pong.
     *
     * @param out where to print the table as it is produced, or null for silence.
     * @param args the command line.
     * @return one result per size, in order.
     */
    public static List<Result> run(final PrintStream out, final String... args)
    {
        return run(parse(args), out);
    }

    /**
     * Runs the ping-pong: opens both devices, connects, measures every size, closes everything.
     *
     * @param options what to run.
     * @param out     where to print the table as it is produced, or null for silence.
     * @return one result per size, in order.
     * @throws PingPongException on any non-SUCCESS completion, refused post or stall.
     */
    public static List<Result> run(final Options options, final PrintStream out)
    {
        int maxSize = 0;
        int maxIterations = 0;
        for (final int size : options.sizes())
        {
            maxSize = Math.max(maxSize, size);
            maxIterations = Math.max(maxIterations, options.iterationsFor(size));
        }
        final int slotSize = align(Math.max(maxSize, 8), 64);

        try (Device devA = Verbs.open(DeviceConfig.builder(PING_DEVICE).progress(ProgressMode.INVOKER).build());
            Device devB = Verbs.open(DeviceConfig.builder(PONG_DEVICE).progress(ProgressMode.INVOKER).build()))
        {
            final Side a = new Side(devA.open(), slotSize);
            final Side b = new Side(devB.open(), slotSize);
            a.qp.connect(b.qp.localEndpoint());
            b.qp.connect(a.qp.localEndpoint());
            a.postAllReceives();
            b.postAllReceives();

            final Pong pong = new Pong(b);
            final Thread pongThread = new Thread(pong, "pingpong-pong");
            pongThread.setDaemon(true);
            pongThread.start();
            try
            {
                final Ping ping = new Ping(a, pong, maxIterations);
                if (out != null)
                {
                    out.println(HEADER);
                    out.println(COLUMNS);
                    out.flush();
                }
                final List<Result> results = new ArrayList<>(options.sizes().length);
                for (final int size : options.sizes())
                {
                    final Result result = ping.measure(size, options.warmupFor(size), options.iterationsFor(size));
                    results.add(result);
                    if (out != null)
                    {
                        out.println(result.line());
                        out.flush();
                    }
                }
                if (out != null)
                {
                    out.println(allocationSummary(results));
                    out.flush();
                }
                return results;
            }
            finally
            {
                pong.running = false;
                ExampleSupport.join(pongThread, TimeUnit.SECONDS.toMillis(10));
            }
        }
    }

    /** Prints the table; exits 2 on a bad argument, 1 on a failed run. */
    public static void main(final String[] args)
    {
        for (final String arg : args)
        {
            if (arg.equals("--help") || arg.equals("-h"))
            {
                System.out.println(usage());
                return;
            }
        }
        final Options options;
        try
        {
            options = parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("PingPong: " + ex.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        try
        {
            run(options, System.out);
        }
        catch (final RuntimeException ex)
        {
            System.out.flush();
            if (ex instanceof PingPongException)
            {
                System.err.println("PingPong FAILED: " + ex.getMessage());
            }
            else
            {
                System.err.println("PingPong FAILED: " + ex);
                ex.printStackTrace();
            }
            System.exit(1);
        }
        System.exit(0);
    }

    /** @return one line saying what the ping thread allocated while measuring, in total and per size. */
    static String allocationSummary(final List<Result> results)
    {
        long total = 0;
        final StringBuilder perSize = new StringBuilder();
        for (final Result r : results)
        {
            if (r.allocatedBytes() < 0)
            {
                return "(allocation on the ping thread is not measurable on this JVM)";
            }
            total += r.allocatedBytes();
            perSize.append(perSize.length() == 0 ? "" : ", ").append(r.size()).append(" B: ").append(r.allocatedBytes());
        }
        return "allocated on the ping thread while measuring: " + total + " bytes (" + perSize + ")";
    }

    static int align(final int value, final int alignment)
    {
        return (value + alignment - 1) & -alignment;
    }

    /** Nearest-rank percentile of sorted samples. */
    static long percentile(final long[] sorted, final int count, final double q)
    {
        final int rank = (int)Math.ceil(q * count);
        return sorted[Math.min(count - 1, Math.max(0, rank - 1))];
    }

    static void check(final WorkCompletion wc, final WcOpcode expected, final String side)
    {
        if (wc.status() != WcStatus.SUCCESS)
        {
            throw new PingPongException(side + ": completion failed with " + wc.status() + " (" + wc + ")");
        }
        if (wc.opcode() != expected)
        {
            throw new PingPongException(side + ": expected a " + expected + " completion, got " + wc);
        }
    }

    static void checkPost(final int rc, final String what)
    {
        if (rc != 0)
        {
            throw new PingPongException(what + " refused: " + Errors.name(rc) + " (" + rc + ")");
        }
    }

    /** One side: context, PD, CQs, QP, receive slots, reusable requests. */
    static final class Side
    {
        final Context ctx;
        final CompletionQueue sendCq;
        final CompletionQueue recvCq;
        final QueuePair qp;
        final MemoryRegion sendMr;
        final MemoryRegion recvMr;
        final AtomicBuffer sendBuf;
        final AtomicBuffer recvBuf;
        final int slotSize;
        final SendWorkRequest sendWr = new SendWorkRequest();
        final RecvWorkRequest recvWr = new RecvWorkRequest();
        final WorkCompletion[] wcs = new WorkCompletion[RECV_DEPTH];

        Side(final Context ctx, final int slotSize)
        {
            this.ctx = ctx;
            this.slotSize = slotSize;
            final ProtectionDomain pd = ctx.allocPd();
            sendCq = ctx.createCq(CQ_SIZE);
            recvCq = ctx.createCq(CQ_SIZE);
            qp = pd.createQueuePair(QpInit.builder()
                .sendCq(sendCq)
                .recvCq(recvCq)
                .maxSendWr(QP_DEPTH)
                .maxRecvWr(QP_DEPTH)
                .maxSendSge(1)
                .maxRecvSge(1)
                .maxInlineData(MAX_INLINE)
                .build());
            sendMr = pd.allocateMemory(slotSize, Access.LOCAL_WRITE);
            recvMr = pd.allocateMemory((long)slotSize * RECV_DEPTH, Access.LOCAL_WRITE);
            sendBuf = sendMr.buffer();
            recvBuf = recvMr.buffer();
            for (int i = 0; i < slotSize; i++)
            {
                sendBuf.putByte(i, (byte)i);
            }
            for (int i = 0; i < wcs.length; i++)
            {
                wcs[i] = new WorkCompletion();
            }
        }

        void postAllReceives()
        {
            for (int slot = 0; slot < RECV_DEPTH; slot++)
            {
                postReceive(slot);
            }
        }

        void postReceive(final int slot)
        {
            recvWr.clear().wrId(slot).sge(recvMr, (long)slot * slotSize, slotSize);
            checkPost(qp.postRecv(recvWr), "postRecv");
        }

        int sendFlags(final int length)
        {
            return length <= MAX_INLINE ? SendFlags.INLINE | SendFlags.SIGNALED : SendFlags.SIGNALED;
        }
    }

    /** Echoes every message back from the receive slot it arrived in; re-posts the slot once the echo completed. */
    static final class Pong implements Runnable
    {
        private final Side side;
        volatile boolean running = true;
        volatile String failure;

        Pong(final Side side)
        {
            this.side = side;
        }

        @Override
        public void run()
        {
            try
            {
                final Side s = side;
                final WorkCompletion[] wcs = s.wcs;
                while (running)
                {
                    int n = s.recvCq.poll(wcs);
                    for (int i = 0; i < n; i++)
                    {
                        final WorkCompletion wc = wcs[i];
                        check(wc, WcOpcode.RECV, "pong receive");
                        final int slot = (int)wc.wrId();
                        final int length = wc.byteLen();
                        s.sendWr.clear()
                            .wrId(slot)
                            .opcode(Opcode.SEND)
                            .flags(s.sendFlags(length))
                            .sge(s.recvMr, (long)slot * s.slotSize, length);
                        checkPost(s.qp.postSend(s.sendWr), "pong postSend");
                    }
                    n = s.sendCq.poll(wcs);
                    for (int i = 0; i < n; i++)
                    {
                        final WorkCompletion wc = wcs[i];
                        check(wc, WcOpcode.SEND, "pong send");
                        s.postReceive((int)wc.wrId());
                    }
                }
            }
            catch (final RuntimeException ex)
            {
                failure = ex instanceof PingPongException ? ex.getMessage() : ex.toString();
            }
        }
    }

    /** Sends, waits for the echo and the send completion, records the round trip. */
    static final class Ping
    {
        private static final int MAX_WARMUP_SLICES = 6;
        private final Side side;
        private final Pong pong;
        private final long[] samples;
        private long seq;

        Ping(final Side side, final Pong pong, final int maxIterations)
        {
            this.side = side;
            this.pong = pong;
            this.samples = new long[Math.max(1, maxIterations)];
        }

        Result measure(final int size, final int warmup, final int iterations)
        {
            // Warm up with the measured loop itself, in slices, until one allocates nothing: a loop the JIT first
            // compiles while measuring resolves its constants then, and that allocates on this thread.
            for (int slice = 0; slice < MAX_WARMUP_SLICES; slice++)
            {
                final long before = ExampleSupport.allocatedBytes();
                run(size, Math.min(warmup, samples.length));
                if (slice > 0 && ExampleSupport.allocatedBytes() == before)
                {
                    break;
                }
            }
            final long allocatedBefore = ExampleSupport.allocatedBytes();
            run(size, iterations);
            final long allocatedAfter = ExampleSupport.allocatedBytes();
            Arrays.sort(samples, 0, iterations);
            return new Result(size, iterations,
                percentile(samples, iterations, 0.50),
                percentile(samples, iterations, 0.99),
                percentile(samples, iterations, 0.999),
                samples[iterations - 1],
                allocatedBefore < 0 || allocatedAfter < 0 ? -1 : allocatedAfter - allocatedBefore);
        }

        /** Runs round trips, recording each into {@code samples}. */
        private void run(final int size, final int count)
        {
            for (int i = 0; i < count; i++)
            {
                samples[i] = roundTrip(size);
            }
        }

        /** @return the round trip in nanoseconds: post of the message until its echo is polled. */
        long roundTrip(final int size)
        {
            final Side s = side;
            final WorkCompletion[] wcs = s.wcs;
            final long id = ++seq;

            final long start = System.nanoTime();
            if (size >= 8)
            {
                s.sendBuf.putLong(0, id);
            }
            s.sendWr.clear().wrId(id).opcode(Opcode.SEND).flags(s.sendFlags(size)).sge(s.sendMr, 0, size);
            checkPost(s.qp.postSend(s.sendWr), "ping postSend");

            long echoed = 0;
            boolean sent = false;
            int spins = 0;
            long deadline = 0;
            while (echoed == 0 || !sent)
            {
                if (echoed == 0)
                {
                    final int n = s.recvCq.poll(wcs);
                    if (n > 0)
                    {
                        echoed = System.nanoTime();
                        if (n != 1)
                        {
                            throw new PingPongException("ping: " + n + " echoes for one message");
                        }
                        verifyEcho(wcs[0], size, id);
                    }
                }
                if (!sent)
                {
                    final int n = s.sendCq.poll(wcs);
                    if (n > 0)
                    {
                        if (n != 1)
                        {
                            throw new PingPongException("ping: " + n + " send completions for one send");
                        }
                        check(wcs[0], WcOpcode.SEND, "ping send");
                        if (wcs[0].wrId() != id)
                        {
                            throw new PingPongException("ping: send completion for wr " + wcs[0].wrId() +
                                ", expected " + id);
                        }
                        sent = true;
                    }
                }
                if ((++spins & 0xFFF) == 0)
                {
                    deadline = checkStalled(deadline, id, echoed != 0, sent);
                }
            }
            return echoed - start;
        }

        private void verifyEcho(final WorkCompletion wc, final int size, final long id)
        {
            final Side s = side;
            check(wc, WcOpcode.RECV, "ping receive");
            if (wc.byteLen() != size)
            {
                throw new PingPongException("ping: echo of " + wc.byteLen() + " bytes, sent " + size);
            }
            final int slot = (int)wc.wrId();
            if (size >= 8)
            {
                final long echoedId = s.recvBuf.getLong(slot * s.slotSize);
                if (echoedId != id)
                {
                    throw new PingPongException("ping: echo carries message " + echoedId + ", expected " + id);
                }
            }
            s.postReceive(slot);
        }

        private long checkStalled(final long deadline, final long id, final boolean echoed, final boolean sent)
        {
            final String pongFailure = pong.failure;
            if (pongFailure != null)
            {
                throw new PingPongException("pong thread failed: " + pongFailure);
            }
            final long now = System.nanoTime();
            if (deadline == 0)
            {
                return now + STALL_TIMEOUT_NS;
            }
            if (now - deadline > 0)
            {
                throw new PingPongException("ping: message " + id + " stalled for " +
                    TimeUnit.NANOSECONDS.toSeconds(STALL_TIMEOUT_NS) + " s (echo received: " + echoed +
                    ", send completed: " + sent + ")");
            }
            return deadline;
        }
    }
}
