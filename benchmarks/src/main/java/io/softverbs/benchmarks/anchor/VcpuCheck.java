package io.softverbs.benchmarks.anchor;

import java.util.concurrent.CyclicBarrier;

/**
 * Whether the machine's CPUs run at the same speed right now: one fixed integer loop, timed on two threads started
 * together (on a 2-vCPU machine, one on each). On a shared VM one vCPU at times runs 1.6-1.75x slower than the
 * other for a minute or more (another tenant on its physical core). A ping-pong whose software runs partly there
 * measures slow, while an anchor whose round trip is almost all cache-line hand-off hardly notices; printed with
 * each round, the check tells such a round from a change in softverbs. On a machine with more CPUs it samples the
 * two the scheduler picks.
 */
final class VcpuCheck
{
    /** A check whose slower thread took this many times the faster one's time marks its round. */
    static final double SKEWED = 1.25;
    /** About 10 ms of dependent integer steps on a 3 GHz core: long against a scheduler tick, short in a round. */
    private static final long STEPS = 5_000_000L;
    /**
     * Timings per thread, of which the shortest counts: a thread preempted for part of one timing (a JIT compiler
     * thread, the collector) is not a slow vCPU, which is slow in all of them.
     */
    private static final int TIMINGS = 3;
    /** Calls before the first check, so that the JIT has compiled the loop before anything is timed. */
    private static final int WARM_UP_CALLS = 50;

    /** The two threads' shortest times, the faster first. */
    record Result(long fasterNanos, long slowerNanos)
    {
        /** @return how many times longer the slower thread took (1.0 when equal). */
        double skew()
        {
            return fasterNanos > 0 ? (double)slowerNanos / fasterNanos : 1.0;
        }

        boolean skewed()
        {
            return skew() >= SKEWED;
        }
    }

    private volatile long sink;

    VcpuCheck()
    {
        for (int i = 0; i < WARM_UP_CALLS; i++)
        {
            sink = steps(i, STEPS / 5);
        }
    }

    /** @return the two threads' shortest times for the same loop, run at the same time. */
    Result measure()
    {
        final long[] nanos = new long[2];
        final CyclicBarrier start = new CyclicBarrier(2);
        final Thread[] threads = new Thread[2];
        for (int i = 0; i < 2; i++)
        {
            final int index = i;
            threads[i] = new Thread(() -> nanos[index] = timed(start, index), "vcpu-check-" + i);
            threads[i].start();
        }
        for (final Thread thread : threads)
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during the vCPU check", ex);
            }
        }
        return new Result(Math.min(nanos[0], nanos[1]), Math.max(nanos[0], nanos[1]));
    }

    private long timed(final CyclicBarrier start, final int seed)
    {
        try
        {
            start.await();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("vCPU check threads did not start together", ex);
        }
        long best = Long.MAX_VALUE;
        for (int i = 0; i < TIMINGS; i++)
        {
            final long begin = System.nanoTime();
            sink = steps(seed + i, STEPS);
            best = Math.min(best, System.nanoTime() - begin);
        }
        return best;
    }

    /** A chain of xorshift steps: each depends on the one before, so the time is the core's, not the memory's. */
    static long steps(final long seed, final long count)
    {
        long x = seed | 1;
        for (long i = 0; i < count; i++)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }
}
