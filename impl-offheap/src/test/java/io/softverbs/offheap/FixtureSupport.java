package io.softverbs.offheap;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import io.softverbs.CompletionQueue;
import io.softverbs.Device;
import io.softverbs.DeviceConfig;
import io.softverbs.QueuePair;
import io.softverbs.Verbs;
import io.softverbs.WorkCompletion;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Helpers shared by the sub-package fixtures (control QP, shared send queue): uniquely named mem devices, connected
 * QP pairs and bounded polling (no sleeps) in DEDICATED mode.
 */
public final class FixtureSupport
{
    /** Longest any bounded wait of these helpers lasts before the test fails. */
    public static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(20);

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private FixtureSupport()
    {
    }

    /** @return a device on the mem transport named {@link #uniqueName uniqueName(prefix)}. */
    public static Device openDevice(final String prefix)
    {
        return Verbs.open(DeviceConfig.builder(uniqueName(prefix)).build());
    }

    /** @return a device name unique in this JVM: {@code prefix}, the pid and a counter. */
    public static String uniqueName(final String prefix)
    {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    }

    /** Connects two QPs to each other (RESET to RTS with {@link QueuePair#connect}'s defaults). */
    public static void connect(final QueuePair a, final QueuePair b)
    {
        a.connect(b.localEndpoint());
        b.connect(a.localEndpoint());
    }

    /** Waits for a condition with a deadline of {@link #WAIT_NANOS}; fails with {@code what} on timeout. */
    public static void await(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + WAIT_NANOS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out waiting for " + what);
            }
            Thread.yield();
        }
    }

    /** Polls until exactly {@code n} completions were taken (never more); fails after {@link #WAIT_NANOS}. */
    public static List<WorkCompletion> poll(final CompletionQueue cq, final int n)
    {
        final long deadline = System.nanoTime() + WAIT_NANOS;
        final List<WorkCompletion> got = new ArrayList<>(n);
        final WorkCompletion[] one = {new WorkCompletion()};
        while (got.size() < n)
        {
            if (cq.poll(one) == 1)
            {
                got.add(one[0]);
                one[0] = new WorkCompletion();
            }
            else if (System.nanoTime() - deadline > 0)
            {
                fail("expected " + n + " completions, got " + got.size() + ": " + got);
            }
            else
            {
                Thread.yield();
            }
        }
        return got;
    }

    /** @return the next completion, or null if the CQ is empty right now. */
    public static WorkCompletion tryPoll(final CompletionQueue cq)
    {
        final WorkCompletion[] one = {new WorkCompletion()};
        return cq.poll(one) == 1 ? one[0] : null;
    }
}
