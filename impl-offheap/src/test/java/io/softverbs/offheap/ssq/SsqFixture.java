package io.softverbs.offheap.ssq;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import io.softverbs.CompletionQueue;
import io.softverbs.Device;
import io.softverbs.DeviceConfig;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpInit;
import io.softverbs.QueuePair;
import io.softverbs.SharedSendQueue;
import io.softverbs.Verbs;
import io.softverbs.WorkCompletion;

import static org.junit.jupiter.api.Assertions.fail;

/** Small fixture of the shared-send-queue tests: unique devices, channels, bounded polling without sleeps. */
final class SsqFixture
{
    /** Longest any bounded wait lasts before the test fails. */
    static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(20);

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private SsqFixture()
    {
    }

    /** @return a device on the mem transport with a name no other test uses. */
    static Device openDevice(final String prefix)
    {
        return Verbs.open(DeviceConfig.builder(uniqueName(prefix)).build());
    }

    /** @return a device name unique in this JVM. */
    static String uniqueName(final String prefix)
    {
        return "ssq-" + prefix + "-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    }

    /** @return a channel of {@code ssq}: no send ring of its own, one receive slot. */
    static QueuePair channel(final ProtectionDomain pd, final SharedSendQueue ssq, final CompletionQueue recvCq)
    {
        return pd.createQueuePair(QpInit.builder().sharedSendQueue(ssq).recvCq(recvCq).maxRecvWr(1).maxRecvSge(1)
            .build());
    }

    /** @return an ordinary RC QP using {@code cq} for both directions. */
    static QueuePair qp(final ProtectionDomain pd, final CompletionQueue cq)
    {
        return pd.createQueuePair(QpInit.builder().sendCq(cq).recvCq(cq).build());
    }

    /** Connects two QPs to each other (RESET to RTS with the defaults). */
    static void connect(final QueuePair a, final QueuePair b)
    {
        a.connect(b.localEndpoint());
        b.connect(a.localEndpoint());
    }

    /** Waits for a condition with a deadline. */
    static void await(final BooleanSupplier condition, final String what)
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
    static List<WorkCompletion> poll(final CompletionQueue cq, final int n)
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
    static WorkCompletion tryPoll(final CompletionQueue cq)
    {
        final WorkCompletion[] one = {new WorkCompletion()};
        return cq.poll(one) == 1 ? one[0] : null;
    }

    /**
     * Asserts that {@code cq} stays empty for {@code millis} (a bounded negative check, polling, no sleep); used only
     * where nothing may legitimately arrive before the test itself unblocks it.
     */
    static void assertQuiet(final CompletionQueue cq, final long millis, final String why)
    {
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() - end < 0)
        {
            final WorkCompletion wc = tryPoll(cq);
            if (wc != null)
            {
                fail(why + ": " + wc);
            }
            Thread.yield();
        }
    }
}
