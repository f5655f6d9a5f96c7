package io.softverbs.benchmarks.anchor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

import io.softverbs.benchmarks.perf.BandwidthResult;
import io.softverbs.benchmarks.perf.LatencyResult;
import io.softverbs.benchmarks.perf.PerfOptions;
import io.softverbs.benchmarks.perf.PerfRunner;
import io.softverbs.benchmarks.perf.PerfTest;
import io.softverbs.benchmarks.perf.SizeResult;

/**
 * The softverbs side of each comparison, run through softverbs-perf itself (the same code as the command line,
 * both sides in this JVM on mem, INVOKER progress), silently. Each run also reports the bytes allocated per
 * operation on both threads, which the zero-garbage target checks.
 */
final class SoftverbsFigures
{
    private double worstAllocationPerOp;
    private double worstThisRound;
    private int round;
    /** Which run allocated the most per operation, and where: what a MISS of the zero-garbage target names. */
    private String worstRun = "";

    /**
     * @param size       message size.
     * @param warmup     unrecorded round trips.
     * @param iterations recorded round trips.
     * @return send_lat's result; its round trip is twice t_typical.
     */
    LatencyResult sendLatency(final int size, final int warmup, final int iterations)
    {
        return (LatencyResult)run(PerfTest.SEND_LAT, "-s", Integer.toString(size), "-n", Integer.toString(iterations),
            "--warmup", Integer.toString(warmup));
    }

    /**
     * @param size       message size.
     * @param warmup     unrecorded round trips.
     * @param iterations recorded round trips.
     * @return write_lat's result; its round trip is twice t_typical.
     */
    LatencyResult writeLatency(final int size, final int warmup, final int iterations)
    {
        return (LatencyResult)run(PerfTest.WRITE_LAT, "-s", Integer.toString(size), "-n", Integer.toString(iterations),
            "--warmup", Integer.toString(warmup));
    }

    /**
     * @param size         message size.
     * @param cqModeration one signaled send in this many.
     * @param postList     requests per post ({@code -l}; above 1, the CQ moderation must equal it).
     * @param messages     messages to send (a tenth as many again to warm up).
     * @return send_bw's result on one QP, inline up to 64 bytes.
     */
    BandwidthResult sendBandwidth(final int size, final int cqModeration, final int postList, final long messages)
    {
        return (BandwidthResult)run(PerfTest.SEND_BW, "-s", Integer.toString(size), "-q", "1",
            "-Q", Integer.toString(cqModeration), "-l", Integer.toString(postList), "-I", "64",
            "-n", Long.toString(messages),
            "--warmup", Long.toString(messages / 10));
    }

    /**
     * @param size     message size.
     * @param messages messages to write (a tenth as many again to warm up).
     * @return write_bw's result on one QP.
     */
    BandwidthResult writeBandwidth(final int size, final long messages)
    {
        return (BandwidthResult)run(PerfTest.WRITE_BW, "-s", Integer.toString(size), "-q", "1",
            "-n", Long.toString(messages), "--warmup", Long.toString(Math.max(1, messages / 10)));
    }

    /** Starts a round: {@link #worstAllocationPerOpThisRound()} counts from here. */
    void startRound()
    {
        worstThisRound = 0;
        round++;
    }

    /** @return the most bytes per operation any run allocated on either thread (0 is the target). */
    double worstAllocationPerOp()
    {
        return worstAllocationPerOp;
    }

    /** @return the run behind {@link #worstAllocationPerOp()}, with its bytes per thread; empty if none allocated. */
    String worstRun()
    {
        return worstRun;
    }

    /** @return the same since {@link #startRound()}: once the JIT has settled, the last round's is what stays. */
    double worstAllocationPerOpThisRound()
    {
        return worstThisRound;
    }

    private SizeResult run(final PerfTest test, final String... args)
    {
        final List<SizeResult> results;
        try
        {
            results = PerfRunner.run(PerfOptions.parse(args).toSettings(test), null);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(test.command() + " failed", ex);
        }
        final SizeResult result = results.get(0);
        final long bytes = Math.max(result.clientAllocatedBytes(), result.serverAllocatedBytes());
        final double perOp = (double)bytes / result.iterations();
        if (perOp > worstAllocationPerOp)
        {
            worstAllocationPerOp = perOp;
            worstRun = String.format(Locale.ROOT, "%s %s, round %d: client %d B, server %d B over %d operations",
                test.command(), String.join(" ", args), round, result.clientAllocatedBytes(),
                result.serverAllocatedBytes(), result.iterations());
        }
        worstThisRound = Math.max(worstThisRound, perOp);
        return result;
    }
}
