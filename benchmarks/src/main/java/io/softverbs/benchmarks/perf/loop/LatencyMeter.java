package io.softverbs.benchmarks.perf.loop;

import java.util.concurrent.TimeUnit;

import io.softverbs.benchmarks.perf.ClientLoop;
import io.softverbs.benchmarks.perf.LatencyResult;
import io.softverbs.benchmarks.perf.PerfSettings;
import io.softverbs.benchmarks.perf.ThreadAllocation;
import org.HdrHistogram.Histogram;

/**
 * Times a {@link LatencyClient}'s round trips with {@link System#nanoTime()} into a preallocated HdrHistogram
 * (recording allocates nothing within its fixed range): warm-up slices first, then {@code -n} round trips or
 * {@code -D} seconds. Warm-up and measurement run the one timed loop ({@link #timed}), recording into the same
 * histogram (reset before measuring): the measurement then runs code the JIT compiled during the warm-up, instead
 * of an on-stack replacement of a loop first run measured (whose compilation loads the classes of its method's
 * signature and resolves the string constants of the classes it compiles, on this thread). The thread's
 * allocation is read before and after the measured loop.
 */
public final class LatencyMeter implements ClientLoop
{
    /** Longest round trip the histogram holds; longer ones are recorded as this. */
    public static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final int SIGNIFICANT_DIGITS = 3;

    private final LatencyClient client;
    private final PerfSettings settings;
    private final Histogram histogram = new Histogram(HIGHEST_NANOS, SIGNIFICANT_DIGITS);

    /**
     * @param client   what to time.
     * @param settings counts, duration, and the report divisor.
     */
    public LatencyMeter(final LatencyClient client, final PerfSettings settings)
    {
        this.client = client;
        this.settings = settings;
    }

    @Override
    public void prepare(final int size)
    {
        client.prepare(size);
    }

    @Override
    public long warmUp(final int size, final long count, final long durationNs)
    {
        return timed(count, durationNs);
    }

    @Override
    public LatencyResult measure(final int size)
    {
        histogram.reset();
        final long durationNs = TimeUnit.SECONDS.toNanos(settings.durationSec());
        final long limit = durationNs > 0 ? Long.MAX_VALUE : settings.iterationsFor(size);
        final long allocatedBefore = ThreadAllocation.current();
        final long count = timed(limit, durationNs);
        final long allocated = ThreadAllocation.since(allocatedBefore);
        return new LatencyResult(size, count, histogram.copy(), settings.test().reportDivisor(), allocated, -1);
    }

    /**
     * @param limit      round trips to run at most.
     * @param durationNs if positive, stop after this long.
     * @return the round trips run (all recorded).
     */
    private long timed(final long limit, final long durationNs)
    {
        final long deadline = System.nanoTime() + durationNs;
        long count = 0;
        while (count < limit)
        {
            final long start = System.nanoTime();
            client.roundTrip();
            final long end = System.nanoTime();
            histogram.recordValue(Math.min(end - start, HIGHEST_NANOS));
            count++;
            if (durationNs > 0 && end - deadline >= 0)
            {
                break;
            }
        }
        return count;
    }
}
