package io.softverbs.benchmarks.perf;

import java.nio.file.Path;
import java.util.Arrays;

import io.softverbs.Opcode;
import io.softverbs.ProgressMode;

/**
 * Everything one softverbs-perf run needs, validated and with the defaults filled in. Built from the command line
 * by {@link PerfOptions#toSettings(PerfTest)}, or directly by code that runs tests programmatically (the anchors).
 *
 * @param test           which test.
 * @param sizes          message sizes in bytes, in the order they run.
 * @param iterations     messages (bandwidth) or round trips (latency) per size, or 0 for the size-based default.
 * @param warmup         unreported iterations run first at each size, or -1 for the default.
 * @param warmupLimitSec longest time a size's warm-up goes on past {@code warmup} iterations, in slices, while a
 *                       slice still allocates on either side's thread; 0 runs exactly {@code warmup} iterations.
 * @param durationSec    if positive, run each size for this long instead of a count ({@code -D}).
 * @param txDepth        send queue depth per QP ({@code -t}).
 * @param cqModeration   one signaled send every this many ({@code -Q}).
 * @param postList       requests per {@code postSend} of a list ({@code -l}); 1 posts them one by one.
 * @param inlineSize     largest payload sent inline ({@code -I}); also the QPs' maxInlineData.
 * @param qps            number of QPs ({@code -q}).
 * @param outstanding    outstanding RDMA READs/atomics per QP ({@code -o}).
 * @param rxDepth        receives kept posted per QP ({@code -r}).
 * @param withImm        SEND_WITH_IMM or RDMA_WRITE_WITH_IMM instead of the plain opcode.
 * @param events         wait on a completion channel instead of busy-polling ({@code -e}).
 * @param useSrq         the receiving side takes receives from a shared receive queue.
 * @param atomic         the atomic opcode of atomic_lat/atomic_bw.
 * @param hgrm           where to save the latency percentile distribution, or null.
 * @param plot           where to draw the latency percentile curve (SVG), or null.
 * @param host           the server to connect to (client role), or null.
 * @param port           TCP port of the out-of-band exchange ({@code -p}).
 * @param transport      the device transport, {@code mem} or {@code udp://HOST:PORT}.
 * @param progress       who runs the engines.
 */
public record PerfSettings(
    PerfTest test,
    int[] sizes,
    int iterations,
    int warmup,
    int warmupLimitSec,
    int durationSec,
    int txDepth,
    int cqModeration,
    int postList,
    int inlineSize,
    int qps,
    int outstanding,
    int rxDepth,
    boolean withImm,
    boolean events,
    boolean useSrq,
    Opcode atomic,
    Path hgrm,
    Path plot,
    String host,
    int port,
    String transport,
    ProgressMode progress)
{
    /** perftest's default port for the out-of-band exchange. */
    public static final int DEFAULT_PORT = 18515;
    /** Size of an atomic operand: atomic tests move 8 bytes whatever {@code -s} says. */
    public static final int ATOMIC_SIZE = 8;
    /** Largest message of {@code -a}: perftest's 8 MiB. */
    public static final int MAX_ALL_SIZE = 8 << 20;

    private static final long LATENCY_BYTE_BUDGET = 1L << 30;
    private static final long BANDWIDTH_BYTE_BUDGET = 4L << 30;
    private static final int LATENCY_MIN_ITERATIONS = 1_000;
    private static final int LATENCY_MAX_ITERATIONS = 100_000;
    private static final int BANDWIDTH_MIN_ITERATIONS = 1_000;
    private static final int BANDWIDTH_MAX_ITERATIONS = 2_000_000;
    private static final int LATENCY_MAX_WARMUP = 20_000;
    private static final int BANDWIDTH_MAX_WARMUP = 200_000;

    /** @return the sizes of {@code -a}: every power of two from 2 bytes to 8 MiB. */
    public static int[] allSizes()
    {
        final int count = Integer.numberOfTrailingZeros(MAX_ALL_SIZE);
        final int[] sizes = new int[count];
        for (int i = 0; i < count; i++)
        {
            sizes[i] = 2 << i;
        }
        return sizes;
    }

    /**
     * Defaults scale with the size so a run takes seconds at every size: perftest's fixed 1000/5000 are too
     * few for a JIT to settle at 32 bytes and many seconds of copying at 8 MiB.
     *
     * @param size a message size.
     * @return iterations at that size.
     */
    public int iterationsFor(final int size)
    {
        if (iterations > 0)
        {
            return iterations;
        }
        return test.isLatency() ?
            clamp(LATENCY_BYTE_BUDGET / size, LATENCY_MIN_ITERATIONS, LATENCY_MAX_ITERATIONS) :
            clamp(BANDWIDTH_BYTE_BUDGET / size, BANDWIDTH_MIN_ITERATIONS, BANDWIDTH_MAX_ITERATIONS);
    }

    /**
     * @param size a message size.
     * @return the least warm-up iterations at that size (the warm-up goes on while it still allocates, for at most
     * {@link #warmupLimitSec()}): enough for the JIT to compile the loop before it is measured.
     */
    public int warmupFor(final int size)
    {
        if (warmup >= 0)
        {
            return warmup;
        }
        return Math.min(iterationsFor(size), test.isLatency() ? LATENCY_MAX_WARMUP : BANDWIDTH_MAX_WARMUP);
    }

    /** @return the largest size. */
    public int maxSize()
    {
        return Arrays.stream(sizes).max().orElse(ATOMIC_SIZE);
    }

    /** @return true if the send queue posts payloads of this size inline. @param size message size. */
    public boolean isInline(final int size)
    {
        return size <= inlineSize && (test.verb() == PerfTest.Verb.SEND || test.verb() == PerfTest.Verb.WRITE);
    }

    /** @return true if the receiving side consumes receives (SEND, or WRITE with immediate). */
    public boolean consumesReceives()
    {
        return test.verb() == PerfTest.Verb.SEND || (test.verb() == PerfTest.Verb.WRITE && withImm);
    }

    /** @return the deployment: both sides here, or one side talking to a peer process. */
    public Deployment deployment()
    {
        return Deployment.of(host, transport);
    }

    /**
     * @return threads of this process that spin while they wait: each side's poller (unless {@code -e}) and, with
     * DEDICATED progress, each side's engine thread (which backs off to parking when it finds nothing to do).
     */
    public int spinningThreads()
    {
        final int sides = deployment() == Deployment.IN_PROCESS ? 2 : 1;
        return (events ? 0 : sides) + (progress == ProgressMode.DEDICATED ? sides : 0);
    }

    /**
     * @return what both sides must agree on; the out-of-band exchange refuses a peer whose fingerprint differs
     * (perftest likewise needs the same options on both sides).
     */
    public String fingerprint()
    {
        return test.command() + " sizes=" + Arrays.toString(sizes) + " qps=" + qps + " imm=" + withImm +
            " srq=" + useSrq + " atomic=" + atomic;
    }

    private static int clamp(final long value, final int min, final int max)
    {
        return (int)Math.max(min, Math.min(max, value));
    }

    @Override
    public String toString()
    {
        return "PerfSettings{" + fingerprint() + ", iterations=" + iterations + ", warmup=" + warmup +
            ", warmupLimit=" + warmupLimitSec + ", duration=" + durationSec + ", txDepth=" + txDepth +
            ", cqMod=" + cqModeration + ", postList=" + postList +
            ", inline=" + inlineSize + ", outstanding=" + outstanding + ", rxDepth=" + rxDepth +
            ", events=" + events + ", hgrm=" + hgrm + ", plot=" + plot + ", host=" + host + ", port=" + port +
            ", transport=" + transport + ", progress=" + progress + '}';
    }
}
