package io.softverbs.benchmarks.perf;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.softverbs.benchmarks.perf.oob.OutOfBand;

/**
 * Warms a size up in slices of the loop that is then measured, each bracketed as the measurement is: the client
 * reads its thread's allocation around the slice, the server around its serving of it (the client's stop ends the
 * server's phase, the server's report answers it). It ends once the {@code --warmup} iterations are done and the
 * warm-up has settled (below), or once {@code --warmup-limit} has passed since the {@code --warmup} iterations
 * (the report then says it did not settle).
 *
 * <p>Why slices and not a fixed count: what allocates on a data path that allocates nothing once warm is the JIT
 * settling. A thread whose counters ask for a C2 compilation resolves, on itself, every string constant of the
 * method's class and loads the classes of its signature (CompileBroker::compile_method); the first run of a path
 * loads and initialises its classes (an enum switch's map, the WcStatus values, a lambda's call site). Those
 * happen once, but after a number of calls that no fixed warm-up count fits for every test, size and machine:
 * the compilation thresholds grow with the compiler's queue, so while the JIT is busy, requests (and their
 * allocation) are put off, and a slice can be clean only because they were.
 *
 * <p>Settled therefore means: the clean slices at the end of the warm-up (nothing allocated on either thread)
 * span both all the warm-up before them and the measurement's count (or its {@code -D} duration), and the last
 * one ran with the JIT idle (no compilation time added while it ran). Slices double (as far as the time left
 * allows) until the clean ones span enough; if only the JIT is still busy then, slices as long as the measurement
 * follow, a dress rehearsal of it, until one runs clean with the JIT idle.
 */
final class Warmup
{
    /** First slice of a {@code -D} run. */
    static final long FIRST_TIMED_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Longest slice of a {@code -D} run while the {@code --warmup} iterations are not done yet. */
    static final long MAX_TIMED_SLICE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Slices listed in the report line, the last ones. */
    private static final int TRAIL = 8;

    private static final CompilationMXBean JIT = jit();

    /**
     * What a size's warm-up took.
     *
     * @param size       the message size.
     * @param iterations iterations run.
     * @param slices     slices run.
     * @param nanos      how long it took.
     * @param settled    true if it ended settled (see {@link Warmup}).
     * @param trail      the last slices: iterations, client and server bytes, JIT milliseconds.
     */
    record Outcome(int size, long iterations, int slices, long nanos, boolean settled, String trail)
    {
        /** @return one line for the report. */
        String describe()
        {
            return String.format(Locale.ROOT, " warm-up %d B: %d iterations in %d slice(s), %.2f s, %s%s", size,
                iterations, slices, nanos / 1e9, settled ? "settled" : "NOT settled",
                trail.isEmpty() ? "" : " (slice: iterations/client B/server B/JIT ms: " + trail + ")");
        }
    }

    private Warmup()
    {
    }

    /**
     * Client side: runs the slices, each ended by a stop that leaves the size open, and collects the server's
     * report of each.
     *
     * @param settings the run's settings.
     * @param loop     the client's loop, prepared for the size.
     * @param oob      the channel to the server, past the size's barrier.
     * @param size     the message size.
     * @return what the warm-up took.
     * @throws IOException if the out-of-band channel fails.
     */
    static Outcome client(final PerfSettings settings, final ClientLoop loop, final OutOfBand oob, final int size)
        throws IOException
    {
        final long least = settings.warmupFor(size);
        final long limitNs = TimeUnit.SECONDS.toNanos(settings.warmupLimitSec());
        if (least == 0 && limitNs == 0)
        {
            return new Outcome(size, 0, 0, 0, false, "");
        }
        final boolean timed = settings.durationSec() > 0; // slices run the way the measurement will
        final long measuredNs = TimeUnit.SECONDS.toNanos(settings.durationSec());
        final long measuredIterations = timed ? 0 : settings.iterationsFor(size);
        final long start = System.nanoTime();
        final String[] trail = new String[TRAIL];
        long count = Math.max(1, least);
        long sliceNs = FIRST_TIMED_SLICE_NANOS;
        long iterations = 0;
        int slices = 0;
        long extendedSince = 0;
        long cleanIterations = 0; // the run of clean slices up to now
        long cleanNanos = 0;
        while (true)
        {
            final long jitBefore = jitMillis();
            final long sliceStart = System.nanoTime();
            final long allocatedBefore = ThreadAllocation.current();
            final long ran = timed ? loop.warmUp(size, Long.MAX_VALUE, sliceNs) : loop.warmUp(size, count, 0);
            final long client = ThreadAllocation.since(allocatedBefore);
            final long sliceNanos = System.nanoTime() - sliceStart;
            oob.requestStop(false);
            final long server = oob.receiveReport();
            final long jit = jitMillis() - jitBefore; // JIT time while the slice ran (and the server reported)
            trail[slices % TRAIL] = ran + "/" + client + "/" + server + "/" + (jitBefore < 0 ? "?" : jit);
            iterations += ran;
            slices++;
            final long now = System.nanoTime();
            final boolean clean = client == 0 && server == 0;
            cleanIterations = clean ? cleanIterations + ran : 0;
            cleanNanos = clean ? cleanNanos + sliceNanos : 0;
            if (iterations < least)
            {
                count = least - iterations; // only a -D slice can end short of the count
                sliceNs = Math.min(2 * sliceNs, MAX_TIMED_SLICE_NANOS);
                continue;
            }
            if (extendedSince == 0)
            {
                extendedSince = now; // the limit counts past the --warmup iterations
            }
            final long cleanNeeded = Math.max(iterations - cleanIterations, measuredIterations);
            final boolean spanned = clean && cleanIterations >= cleanNeeded && cleanNanos >= measuredNs;
            final boolean quiet = jitBefore < 0 || jit == 0;
            final boolean unknown = client < 0 || server < 0; // no allocation counter: nothing to wait for
            final long left = limitNs - (now - extendedSince);
            if ((spanned && quiet) || unknown || left <= 0)
            {
                return new Outcome(size, iterations, slices, now - start, spanned && quiet, trail(trail, slices));
            }
            // The rate of this slice tells how many iterations fit in the time left.
            final long fit = Math.max(1, sliceNanos <= 0 ? count : (long)((double)ran * left / sliceNanos));
            if (spanned)
            {
                // Only the JIT was busy: rehearse the measurement (as long as it, if time allows) until it is not.
                count = Math.min(Math.max(1, measuredIterations), fit);
                sliceNs = Math.min(measuredNs, left);
            }
            else
            {
                count = Math.min(2 * count, fit); // double, but end near the limit
                if (clean)
                {
                    count = Math.max(1, Math.min(count, cleanNeeded - cleanIterations)); // what spanning needs
                }
                sliceNs = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(2 * sliceNs, left));
            }
        }
    }

    /**
     * Server side: serves phase after phase of a size (the warm-up slices, then the measurement), reporting what
     * its thread allocated during each, until the client's stop ends the size.
     *
     * @param loop the server's loop, prepared for the size.
     * @param oob  the channel to the client, past the size's barrier.
     * @param stop the stop signal over oob.
     * @throws IOException if the out-of-band channel fails.
     */
    static void server(final ServerLoop loop, final OutOfBand oob, final StopSignal stop) throws IOException
    {
        long allocatedBefore = ThreadAllocation.current();
        while (true)
        {
            loop.serve(stop);
            final long allocated = ThreadAllocation.since(allocatedBefore);
            final boolean sizeDone = oob.sizeDone();
            // The next phase counts from before the report: the client starts it once the report is there, and
            // what sending the report costs this thread is counted, not lost between two phases.
            allocatedBefore = ThreadAllocation.current();
            oob.sendReport(allocated);
            if (sizeDone)
            {
                return;
            }
        }
    }

    private static String trail(final String[] trail, final int slices)
    {
        final StringBuilder s = new StringBuilder();
        for (int i = Math.max(0, slices - TRAIL); i < slices; i++)
        {
            s.append(s.length() == 0 ? "" : ", ").append(trail[i % TRAIL]);
        }
        return (slices > TRAIL ? "..., " : "") + s;
    }

    /** @return the JIT's total compilation time so far, or -1 if this JVM does not tell. */
    private static long jitMillis()
    {
        return JIT == null ? -1 : JIT.getTotalCompilationTime();
    }

    private static CompilationMXBean jit()
    {
        final CompilationMXBean bean = ManagementFactory.getCompilationMXBean();
        return bean != null && bean.isCompilationTimeMonitoringSupported() ? bean : null;
    }
}
