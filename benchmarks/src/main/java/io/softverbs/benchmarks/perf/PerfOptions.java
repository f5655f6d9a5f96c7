package io.softverbs.benchmarks.perf;

import java.nio.file.Path;

import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The command line of one test: perftest's options where they apply (same letters, same long names), plus the
 * softverbs choices ({@code --transport}, {@code --progress}, {@code --warmup}, {@code --warmup-limit}).
 * {@link #toSettings} checks them against the test and fills in the defaults.
 */
public final class PerfOptions
{
    /** perftest's inline default of its latency tests. */
    public static final int LATENCY_INLINE = 220;
    /** Default signaling interval of the latency tests: sends are unsignaled in between. */
    public static final int LATENCY_CQ_MODERATION = 64;
    /** perftest's default CQ moderation of its bandwidth tests. */
    public static final int BANDWIDTH_CQ_MODERATION = 100;
    /** perftest's default message size of its latency tests. */
    public static final int LATENCY_SIZE = 2;
    /** perftest's default message size of its bandwidth tests. */
    public static final int BANDWIDTH_SIZE = 65536;
    /** Largest message size accepted: one region of this size per side. */
    public static final int MAX_SIZE = 1 << 30;
    /** Largest queue depth accepted (the device's default maxQpWr). */
    public static final int MAX_DEPTH = 16384;
    /** Outstanding READs/atomics a softverbs QP accepts ({@code max_qp_rd_atom}). */
    public static final int MAX_OUTSTANDING = 16;
    /** Default of {@code --warmup-limit}: seconds a size's warm-up may go on while it still allocates. */
    public static final int DEFAULT_WARMUP_LIMIT_SEC = 10;

    /** The atomic of atomic_lat and atomic_bw, named as perftest's {@code -A}. */
    public enum AtomicType
    {
        /** ATOMIC_CMP_AND_SWP. */
        CMP_AND_SWAP(Opcode.ATOMIC_CMP_AND_SWP),
        /** ATOMIC_FETCH_AND_ADD. */
        FETCH_AND_ADD(Opcode.ATOMIC_FETCH_AND_ADD);

        private final Opcode opcode;

        AtomicType(final Opcode opcode)
        {
            this.opcode = opcode;
        }

        /** @return the opcode. */
        public Opcode opcode()
        {
            return opcode;
        }
    }

    @Parameters(index = "0", arity = "0..1", paramLabel = "HOST",
        description = "Server to connect to (client role). Without it: both sides in this JVM on mem, " +
            "or the server role on another transport.")
    String host;

    @Option(names = {"-s", "--size"}, paramLabel = "BYTES",
        description = "Message size (default " + LATENCY_SIZE + " for latency, " + BANDWIDTH_SIZE + " for bandwidth tests).")
    Integer size;

    @Option(names = {"-a", "--all"}, description = "Run every size from 2 bytes to 8 MiB (powers of two).")
    boolean all;

    @Option(names = {"-n", "--iters"}, paramLabel = "N",
        description = "Iterations per size (default: scaled by size; latency 1000..100000, bandwidth 1000..2000000).")
    int iterations;

    @Option(names = {"-D", "--duration"}, paramLabel = "SEC", description = "Run each size for SEC seconds instead of -n.")
    int durationSec;

    @Option(names = {"-t", "--tx-depth"}, paramLabel = "N", defaultValue = "128", description = "Send queue depth per QP (default ${DEFAULT-VALUE}).")
    int txDepth;

    @Option(names = {"-Q", "--cq-mod"}, paramLabel = "N",
        description = "Signal one send in N (default " + LATENCY_CQ_MODERATION + " for latency, " +
            BANDWIDTH_CQ_MODERATION + " for bandwidth tests).")
    Integer cqModeration;

    @Option(names = {"-l", "--post_list"}, paramLabel = "N", defaultValue = "1",
        description = "Post lists of N requests, one postSend per list, instead of one per request (bandwidth " +
            "tests). As in perftest, N > 1 sets the CQ moderation to N: the last request of each list is signaled.")
    int postList;

    @Option(names = {"-I", "--inline_size"}, paramLabel = "BYTES",
        description = "Send payloads up to this size inline (default " + LATENCY_INLINE + " for latency, 0 for bandwidth tests).")
    Integer inlineSize;

    @Option(names = {"-q", "--qp"}, paramLabel = "N", defaultValue = "1", description = "Number of QPs (bandwidth tests).")
    int qps;

    @Option(names = {"-o", "--outs"}, paramLabel = "N", defaultValue = "16",
        description = "Outstanding RDMA READs/atomics per QP (default ${DEFAULT-VALUE}, the device maximum).")
    int outstanding;

    @Option(names = {"-r", "--rx-depth"}, paramLabel = "N", defaultValue = "512", description = "Receives kept posted per QP (default ${DEFAULT-VALUE}).")
    int rxDepth;

    @Option(names = "--send_with_imm", description = "SEND_WITH_IMM instead of SEND (send tests).")
    boolean sendWithImm;

    @Option(names = "--write_with_imm", description = "RDMA_WRITE_WITH_IMM instead of RDMA_WRITE (write tests); the peer waits for receive completions.")
    boolean writeWithImm;

    @Option(names = {"-e", "--events"},
        description = "Wait for completions on a completion channel instead of busy-polling; implies --progress DEDICATED.")
    boolean events;

    @Option(names = "--use-srq", description = "Take receives from a shared receive queue.")
    boolean useSrq;

    @Option(names = {"-A", "--atomic_type"}, paramLabel = "TYPE", defaultValue = "FETCH_AND_ADD",
        description = "CMP_AND_SWAP or FETCH_AND_ADD (default ${DEFAULT-VALUE}).")
    AtomicType atomicType;

    @Option(names = "--hgrm", paramLabel = "FILE", description = "Save the HdrHistogram percentile distribution (usec) to FILE.")
    Path hgrm;

    @Option(names = "--plot", paramLabel = "FILE.svg", description = "Draw the latency percentile curve as an SVG.")
    Path plot;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "" + PerfSettings.DEFAULT_PORT,
        description = "TCP port of the out-of-band endpoint exchange (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--transport", paramLabel = "T", defaultValue = "mem", description = "mem (default) or udp://HOST:PORT.")
    String transport;

    @Option(names = "--progress", paramLabel = "MODE",
        description = "INVOKER (default: each side's thread runs its own engine) or DEDICATED (engine threads).")
    ProgressMode progress;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "-1",
        description = "Unreported iterations first at each size, at least (default: scaled, at most 20000 latency / " +
            "200000 bandwidth; see --warmup-limit).")
    int warmup;

    @Option(names = "--warmup-limit", paramLabel = "SEC", defaultValue = "" + DEFAULT_WARMUP_LIMIT_SEC,
        description = "Go on warming up past --warmup, in slices of the measured loop, until a slice allocates " +
            "nothing on either side's thread, for at most SEC seconds per size (default ${DEFAULT-VALUE}; " +
            "0: exactly --warmup iterations).")
    int warmupLimitSec;

    /**
     * Parses a test's arguments the way the command line does: how code runs a test programmatically.
     *
     * @param args arguments after the test name, e.g. {@code -s 32 -n 100000}.
     * @return the options.
     * @throws CommandLine.ParameterException on a bad argument.
     */
    public static PerfOptions parse(final String... args)
    {
        final PerfOptions options = new PerfOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }

    /**
     * @param test the test these options are for.
     * @return the validated settings with the defaults filled in.
     * @throws IllegalArgumentException naming the option that does not fit.
     */
    public PerfSettings toSettings(final PerfTest test)
    {
        final boolean latency = test.isLatency();
        final int[] sizes = sizes(test);
        final int mod = postList > 1 ? postList :
            cqModeration != null ? cqModeration : latency ? LATENCY_CQ_MODERATION : BANDWIDTH_CQ_MODERATION;
        final int inline = inlineSize != null ? inlineSize : latency ? LATENCY_INLINE : 0;
        final boolean withImm = sendWithImm || writeWithImm;

        require(iterations >= 0 && durationSec >= 0, "-n and -D must not be negative");
        require(iterations == 0 || durationSec == 0, "-n and -D exclude each other");
        require(txDepth >= 1 && txDepth <= MAX_DEPTH, "-t must be in [1, " + MAX_DEPTH + "]: " + txDepth);
        require(rxDepth >= 1 && rxDepth <= MAX_DEPTH, "-r must be in [1, " + MAX_DEPTH + "]: " + rxDepth);
        require(postList >= 1 && postList <= txDepth, "-l must be in [1, tx depth " + txDepth + "]: " + postList);
        require(postList == 1 || !latency, "-l applies to bandwidth tests, as perftest's does");
        require(mod >= 1 && mod <= txDepth, "-Q must be in [1, tx depth " + txDepth + "]: " + mod);
        require(inline >= 0 && inline <= 16384, "-I must be in [0, 16384]: " + inline);
        require(qps >= 1 && qps <= 1024, "-q must be in [1, 1024]: " + qps);
        require(!latency || qps == 1, "latency tests run one QP, as perftest's do (-q " + qps + ")");
        require(outstanding >= 1 && outstanding <= MAX_OUTSTANDING, "-o must be in [1, " + MAX_OUTSTANDING + "]: " + outstanding);
        require(!sendWithImm || test.verb() == PerfTest.Verb.SEND, "--send_with_imm applies to send_lat and send_bw");
        require(!writeWithImm || test.verb() == PerfTest.Verb.WRITE, "--write_with_imm applies to write_lat and write_bw");
        final boolean receives = test.verb() == PerfTest.Verb.SEND || writeWithImm;
        require(!useSrq || receives, "--use-srq needs a test that consumes receives (send tests, --write_with_imm)");
        require(!events || test != PerfTest.WRITE_LAT || writeWithImm,
            "write_lat polls memory, not a CQ: -e needs --write_with_imm");
        require(!events || progress != ProgressMode.INVOKER,
            "-e blocks the thread that would run an INVOKER engine: use DEDICATED progress");
        require(latency || (hgrm == null && plot == null), "--hgrm and --plot apply to latency tests");
        require(port >= 0 && port <= 65535, "-p must be a TCP port: " + port);
        require(warmup >= -1, "--warmup must not be negative");
        require(warmupLimitSec >= 0, "--warmup-limit must not be negative");
        final ProgressMode mode = progress != null ? progress : events ? ProgressMode.DEDICATED : ProgressMode.INVOKER;
        return new PerfSettings(test, sizes, iterations, warmup, warmupLimitSec, durationSec, txDepth, mod, postList,
            inline, qps, outstanding, rxDepth, withImm, events, useSrq, atomicType.opcode(), hgrm, plot, host, port,
            transport, mode);
    }

    private int[] sizes(final PerfTest test)
    {
        if (test.isFixedSize())
        {
            return new int[] {PerfSettings.ATOMIC_SIZE};
        }
        require(!(all && size != null), "-a and -s exclude each other");
        if (all)
        {
            return PerfSettings.allSizes();
        }
        final int s = size != null ? size : test.isLatency() ? LATENCY_SIZE : BANDWIDTH_SIZE;
        require(s >= 1 && s <= MAX_SIZE, "-s must be in [1, " + MAX_SIZE + "]: " + s);
        return new int[] {s};
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }
}
