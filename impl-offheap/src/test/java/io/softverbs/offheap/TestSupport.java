package io.softverbs.offheap;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.softverbs.Access;
import io.softverbs.AsyncEvent;
import io.softverbs.AsyncEventType;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.DeviceConfig;
import io.softverbs.MemoryRegion;
import io.softverbs.ProgressMode;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpAttributes;
import io.softverbs.QpEndpoint;
import io.softverbs.QpInit;
import io.softverbs.QpState;
import io.softverbs.QueuePair;
import io.softverbs.RecvWorkRequest;
import io.softverbs.Verbs;
import io.softverbs.VerbsException;
import io.softverbs.WorkCompletion;
import io.softverbs.offheap.transport.mem.MemTransport;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/** Helpers shared by the tests: unique devices, bounded polling, byte patterns, manual QP connection. */
public final class TestSupport
{
    /** How long any bounded wait lasts before the test fails; generous for a loaded 2-core CI box. */
    static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How long to wait when asserting that something does NOT happen. */
    static final long QUIET_MILLIS = 200;

    private TestSupport()
    {
    }

    /** Opens a device on the mem transport; names must be unique per JVM, so a counter is appended. */
    static Device openDevice(final String prefix, final ProgressMode mode)
    {
        return Verbs.open(DeviceConfig.builder(FixtureSupport.uniqueName(prefix)).progress(mode).build());
    }

    /**
     * Polls {@code cq} until exactly {@code n} completions were taken, failing after {@link #WAIT_NANOS}.
     * Never takes more than {@code n}, so later assertions see the rest.
     *
     * @param progress contexts to run a duty cycle on each round (INVOKER mode); empty in DEDICATED mode.
     * @return the completions, each a copy that stays valid.
     */
    static List<WorkCompletion> pollUntil(final CompletionQueue cq, final int n, final Context... progress)
    {
        final long deadline = System.nanoTime() + WAIT_NANOS;
        final List<WorkCompletion> got = new ArrayList<>(n);
        WorkCompletion[] out = freshCompletions(n);
        while (got.size() < n)
        {
            for (final Context ctx : progress)
            {
                ctx.progress();
            }
            final int taken = cq.poll(out);
            for (int i = 0; i < taken; i++)
            {
                got.add(out[i]);
            }
            if (taken > 0)
            {
                out = freshCompletions(n - got.size());
            }
            else if (System.nanoTime() - deadline > 0)
            {
                fail("expected " + n + " completions, got " + got.size() + ": " + got);
            }
            else
            {
                Thread.yield(); // only 2 cores: let the engine threads run
            }
        }
        return got;
    }

    /** @return the next completion of {@code cq}, waiting at most {@link #WAIT_NANOS}. */
    static WorkCompletion pollOne(final CompletionQueue cq, final Context... progress)
    {
        return pollUntil(cq, 1, progress).get(0);
    }

    /** Asserts that {@code cq} holds no completion right now (used once every expected completion was taken). */
    static void assertEmpty(final CompletionQueue cq, final Context... progress)
    {
        for (final Context ctx : progress)
        {
            ctx.progress();
        }
        final WorkCompletion[] out = freshCompletions(4);
        final int taken = cq.poll(out);
        if (taken != 0)
        {
            fail("unexpected completions: " + List.of(out).subList(0, taken));
        }
    }

    static WorkCompletion[] freshCompletions(final int n)
    {
        final WorkCompletion[] out = new WorkCompletion[n];
        for (int i = 0; i < n; i++)
        {
            out[i] = new WorkCompletion();
        }
        return out;
    }

    /**
     * Opens contexts with the mem transport's direct path off (the property is read when a context opens), for a
     * test of what only travelling requests do: ACKs, NAKs, retransmissions, doorbells. With the path on, a SEND or
     * a one-sided request to a ready peer is executed by the sender itself and never travels.
     *
     * @param open opens the contexts.
     * @param <T>  what it returns.
     * @return what {@code open} returned.
     */
    public static <T> T lanesOnly(final Supplier<T> open)
    {
        final String before = System.getProperty(MemTransport.DIRECT_PROPERTY);
        System.setProperty(MemTransport.DIRECT_PROPERTY, "false");
        try
        {
            return open.get();
        }
        finally
        {
            if (before == null)
            {
                System.clearProperty(MemTransport.DIRECT_PROPERTY);
            }
            else
            {
                System.setProperty(MemTransport.DIRECT_PROPERTY, before);
            }
        }
    }

    /** Skips a test of the direct path in a run that turns it off and sends every request through the lanes. */
    static void assumeDirectPath()
    {
        Assumptions.assumeFalse("false".equals(System.getProperty(MemTransport.DIRECT_PROPERTY)),
            "this run sends every request through the lanes");
    }

    /**
     * Tear-down of a test whose worker threads drive a pair: interrupts the workers, waits for them (bounded),
     * then closes the pair. Either may be null (set-up failed before it).
     *
     * @return false if a worker was still running after the wait.
     */
    static boolean stopWorkersAndClose(final ExecutorService pool, final Pair pair) throws InterruptedException
    {
        boolean stopped = true;
        if (pool != null)
        {
            pool.shutdownNow();
            stopped = pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        if (pair != null)
        {
            pair.close();
        }
        return stopped;
    }

    /**
     * Tear-down of a test whose worker threads drive devices of its own: interrupts the workers, waits for them
     * (bounded), then closes the devices. Any may be null (set-up failed before it).
     *
     * @return false if a worker was still running after the wait.
     */
    static boolean stopWorkersAndClose(final ExecutorService pool, final Device... devices)
        throws InterruptedException
    {
        boolean stopped = true;
        if (pool != null)
        {
            pool.shutdownNow();
            stopped = pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        for (final Device device : devices)
        {
            if (device != null)
            {
                device.close();
            }
        }
        return stopped;
    }

    /** Waits, bounded, until {@code condition} holds. */
    static void awaitCondition(final String what, final BooleanSupplier condition, final Context... progress)
    {
        final long deadline = System.nanoTime() + WAIT_NANOS;
        while (!condition.getAsBoolean())
        {
            for (final Context ctx : progress)
            {
                ctx.progress();
            }
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out waiting for: " + what);
            }
            Thread.yield();
        }
    }

    /** Waits, bounded, until the QP reaches {@code state} (the engine may change it just after the CQE). */
    static void awaitState(final QueuePair qp, final QpState state, final Context... progress)
    {
        awaitCondition("QP " + qp.qpNum() + " in " + state + " (is " + qp.state() + ")",
            () -> qp.state() == state, progress);
    }

    /** Takes events from {@code events} until one of {@code type} arrives, bounded by {@link #WAIT_NANOS}. */
    static AsyncEvent awaitEvent(final BlockingQueue<AsyncEvent> events, final AsyncEventType type,
        final Context... progress)
    {
        final long deadline = System.nanoTime() + WAIT_NANOS;
        final List<AsyncEvent> others = new ArrayList<>();
        while (System.nanoTime() - deadline < 0)
        {
            for (final Context ctx : progress)
            {
                ctx.progress();
            }
            final AsyncEvent event;
            try
            {
                event = events.poll(progress.length == 0 ? 50 : 0, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
            if (event != null)
            {
                if (event.type() == type)
                {
                    return event;
                }
                others.add(event);
            }
        }
        return fail("no " + type + " event; saw " + others);
    }

    /** Asserts that {@code action} throws a VerbsException with {@code errno}. */
    static VerbsException assertVerbsError(final int errno, final Executable action)
    {
        final VerbsException ex = assertThrows(VerbsException.class, action);
        assertEquals(errno, ex.errno(), () -> "errno of " + ex.getMessage());
        return ex;
    }

    /** @return a receive request with one SGE. */
    static RecvWorkRequest recv(final long wrId, final MemoryRegion mr, final long offset, final int length)
    {
        return new RecvWorkRequest().wrId(wrId).sge(mr, offset, length);
    }

    /** Deterministic byte pattern: byte i of pattern {@code seed}. */
    static byte patternByte(final int seed, final long i)
    {
        return (byte)(seed * 31 + i * 7 + (i >>> 8));
    }

    /** Writes pattern {@code seed} into {@code buffer[offset, offset + length)}. */
    static void fill(final MutableDirectBuffer buffer, final int offset, final int length, final int seed)
    {
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(offset + i, patternByte(seed, i));
        }
    }

    /** Asserts {@code buffer[offset, offset + length)} holds pattern {@code seed} starting at pattern index {@code from}. */
    static void assertPattern(final DirectBuffer buffer, final int offset, final int length, final int seed,
        final int from)
    {
        for (int i = 0; i < length; i++)
        {
            final byte expected = patternByte(seed, from + i);
            final byte actual = buffer.getByte(offset + i);
            if (expected != actual)
            {
                fail("byte " + (offset + i) + ": expected " + expected + " but was " + actual);
            }
        }
    }

    /** Asserts {@code buffer[offset, offset + length)} is all zero (memory nobody should have touched). */
    static void assertZero(final DirectBuffer buffer, final int offset, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(offset + i) != 0)
            {
                fail("byte " + (offset + i) + " should be untouched (0) but was " + buffer.getByte(offset + i));
            }
        }
    }

    /** Both sides connect to each other with {@link QueuePair#connect}'s defaults. */
    static void connect(final QueuePair x, final QueuePair y)
    {
        FixtureSupport.connect(x, y);
    }

    /** RESET to INIT with explicit attributes. */
    static QpAttributes toInit(final int access)
    {
        return QpAttributes.builder().state(QpState.INIT).accessFlags(access).build();
    }

    /** INIT to RTR with explicit attributes. */
    static QpAttributes toRtr(final QpEndpoint remote, final int minRnrTimer)
    {
        return QpAttributes.builder().state(QpState.RTR).remote(remote).pathMtu(4096).minRnrTimer(minRnrTimer)
            .maxDestRdAtomic(16).build();
    }

    /** RTR to RTS with explicit attributes. */
    static QpAttributes toRts(final int psn, final int rnrRetry)
    {
        return QpAttributes.builder().state(QpState.RTS).timeout(14).retryCount(7).rnrRetry(rnrRetry)
            .maxRdAtomic(16).sqPsn(psn).build();
    }

    /** The manual three-step path (libibverbs style) to RTS. */
    static void connectManually(final QueuePair qp, final QpEndpoint remote, final int access, final int minRnrTimer,
        final int rnrRetry)
    {
        qp.modify(toInit(access));
        qp.modify(toRtr(remote, minRnrTimer));
        qp.modify(toRts(qp.localEndpoint().psn(), rnrRetry));
    }

    /**
     * Connects requester {@code a} and responder {@code b} by the manual path, both with the given remote rights and
     * RNR NAK timer code 1 (10 us), RNR retries unlimited; {@code a} with its own ACK timeout exponent and retry count
     * (7 retries forever, as in rxe), {@code b} with the defaults.
     */
    static void connectRequester(final QueuePair a, final QueuePair b, final int access, final int timeout,
        final int retryCount)
    {
        connectManually(b, a.localEndpoint(), access, 1, 7);
        a.modify(toInit(access));
        a.modify(toRtr(b.localEndpoint(), 1));
        a.modify(QpAttributes.builder().state(QpState.RTS).timeout(timeout).retryCount(retryCount).rnrRetry(7)
            .maxRdAtomic(16).sqPsn(a.localEndpoint().psn()).build());
    }

    /**
     * A one-way SEND stream for race tests: requester QP {@code a} on one device and responder QP {@code b} on
     * another, each with one CQ for both directions, an inline source of one slot on A and a sink of {@code receives}
     * slots on B. Not connected: each test connects it with the timers it needs ({@link #connectRequester}).
     */
    record SendStream(Context ca, Context cb, CompletionQueue cqA, CompletionQueue cqB, QueuePair a, QueuePair b,
        MemoryRegion source, MemoryRegion sink)
    {
        static SendStream open(final Device deviceA, final Device deviceB, final int sendDepth, final int receives,
            final int cqBEntries, final int slot)
        {
            final Context ca = deviceA.open();
            final Context cb = deviceB.open();
            final ProtectionDomain pa = ca.allocPd();
            final ProtectionDomain pb = cb.allocPd();
            final CompletionQueue cqA = ca.createCq(sendDepth * 2);
            final CompletionQueue cqB = cb.createCq(cqBEntries);
            final QueuePair a = pa.createQueuePair(QpInit.builder().sendCq(cqA).recvCq(cqA).maxSendWr(sendDepth)
                .maxInlineData(slot).build());
            final QueuePair b = pb.createQueuePair(QpInit.builder().sendCq(cqB).recvCq(cqB).maxRecvWr(receives)
                .build());
            return new SendStream(ca, cb, cqA, cqB, a, b, pa.allocateMemory(slot, Access.LOCAL_WRITE),
                pb.allocateMemory((long)slot * receives, Access.LOCAL_WRITE));
        }
    }

    /** A task of a test's worker that, failing, tells the other workers to stop (they poll {@code failed}). */
    static <T> Callable<T> guarded(final AtomicBoolean failed, final Callable<T> task)
    {
        return () ->
        {
            try
            {
                return task.call();
            }
            catch (final Throwable ex)
            {
                failed.set(true);
                throw ex;
            }
        };
    }
}
