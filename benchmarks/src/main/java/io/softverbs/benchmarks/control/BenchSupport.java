package io.softverbs.benchmarks.control;

import java.io.File;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.DeviceConfig;
import io.softverbs.ProgressMode;
import io.softverbs.QueuePair;
import io.softverbs.Verbs;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.agrona.BufferUtil;
import org.agrona.IoUtil;

/** Helpers of the issue-4 benchmarks (control QP, shared send queue): devices, mapped files, polling, statistics. */
final class BenchSupport
{
    static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final AtomicInteger DEVICES = new AtomicInteger();

    private BenchSupport()
    {
    }

    static Device open(final String role, final ProgressMode mode)
    {
        return Verbs.open(DeviceConfig.builder("bench4-" + role + "-" + ProcessHandle.current().pid() + "-" +
            DEVICES.incrementAndGet()).progress(mode).build());
    }

    static void connect(final QueuePair a, final QueuePair b)
    {
        a.connect(b.localEndpoint());
        b.connect(a.localEndpoint());
    }

    /**
     * Takes one completion: spins briefly, then yields between polls, so that on a machine with few cores the waiting
     * thread leaves the CPU to the engine threads it is waiting for.
     *
     * @return {@link System#nanoTime()} when it was seen.
     */
    static long awaitOne(final CompletionQueue cq, final WorkCompletion[] one, final Context... drive)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        int spins = 0;
        while (cq.poll(one) == 0)
        {
            for (final Context ctx : drive)
            {
                // INVOKER: this thread runs the engines; DEDICATED: it helps when the engine is between cycles.
                ctx.progress();
            }
            if (++spins < 100)
            {
                Thread.onSpinWait();
                continue;
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("no completion within " + TimeUnit.NANOSECONDS.toSeconds(TIMEOUT_NS) +
                    " s");
            }
            Thread.yield();
        }
        if (one[0].status() != WcStatus.SUCCESS)
        {
            throw new IllegalStateException("completion failed: " + one[0]);
        }
        return System.nanoTime();
    }

    static WorkCompletion[] completions(final int n)
    {
        final WorkCompletion[] out = new WorkCompletion[n];
        for (int i = 0; i < n; i++)
        {
            out[i] = new WorkCompletion();
        }
        return out;
    }

    static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Nearest-rank percentile of the first {@code count} values (sorted in place). */
    static long percentile(final long[] values, final int count, final double q)
    {
        if (count == 0)
        {
            return 0;
        }
        Arrays.sort(values, 0, count);
        final int rank = (int)Math.ceil(q * count);
        return values[Math.max(0, Math.min(count - 1, rank - 1))];
    }

    static String arg(final String[] args, final String name, final String defaultValue)
    {
        for (int i = 0; i < args.length; i++)
        {
            if (args[i].equals(name) && i + 1 < args.length)
            {
                return args[i + 1];
            }
            if (args[i].startsWith(name + "="))
            {
                return args[i].substring(name.length() + 1);
            }
        }
        return defaultValue;
    }

    /** @return the 1/5/15-minute load averages ({@code /proc/loadavg}), or "?" where unavailable. */
    static String loadAverage()
    {
        try
        {
            final String[] parts = Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        }
        catch (final IOException | RuntimeException ex)
        {
            return "?";
        }
    }

    /** A sparse temp file mapped READ_WRITE: none of its pages is resident until touched. Deleted on close. */
    static final class MappedFile implements AutoCloseable
    {
        final File dir;
        final File file;
        final MappedByteBuffer buffer;
        final long address;
        final long length;

        MappedFile(final long length)
        {
            try
            {
                dir = Files.createTempDirectory("softverbs-bench4-").toFile();
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
            file = new File(dir, "region.map");
            dir.deleteOnExit();
            file.deleteOnExit();
            this.length = length;
            buffer = IoUtil.mapNewFile(file, length, false);
            address = BufferUtil.address(buffer);
        }

        @Override
        public void close()
        {
            IoUtil.unmap(buffer);
            if (!file.delete() || !dir.delete())
            {
                System.err.println("could not delete " + file);
            }
        }
    }
}
