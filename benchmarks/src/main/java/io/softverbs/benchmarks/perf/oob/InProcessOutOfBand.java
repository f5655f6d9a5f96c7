package io.softverbs.benchmarks.perf.oob;

import java.io.IOException;
import java.util.concurrent.Exchanger;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Both ends of an out-of-band channel inside one JVM, for a client and a server thread. Waits are sliced so that
 * when one end closes (its thread failed) the other fails at once instead of running into its timeout.
 */
public final class InProcessOutOfBand implements OutOfBand
{
    private static final long SLICE_MS = 10;
    private static final long REPORT_POLL_NS = TimeUnit.MICROSECONDS.toNanos(20);

    private final Shared shared;
    private final long timeoutNs;
    private long stopsSeen;
    private boolean sizeDone;

    /** State the two ends share. */
    private static final class Shared
    {
        final Exchanger<PeerInfo> exchanger = new Exchanger<>();
        final Phaser barrier = new Phaser(2);
        final AtomicLong stops = new AtomicLong();
        volatile boolean lastStopEndsSize;
        final AtomicBoolean reportWaiting = new AtomicBoolean();
        volatile long report;
        volatile boolean closed;
    }

    private InProcessOutOfBand(final Shared shared, final long timeoutNs)
    {
        this.shared = shared;
        this.timeoutNs = timeoutNs;
    }

    /**
     * @param timeout  longest any blocking call waits for the other end.
     * @param unit     unit of timeout.
     * @return the two ends: [0] for the client thread, [1] for the server thread.
     */
    public static InProcessOutOfBand[] pair(final long timeout, final TimeUnit unit)
    {
        final Shared shared = new Shared();
        final long nanos = unit.toNanos(timeout);
        return new InProcessOutOfBand[] {new InProcessOutOfBand(shared, nanos), new InProcessOutOfBand(shared, nanos)};
    }

    @Override
    public PeerInfo exchange(final PeerInfo local) throws IOException
    {
        final long deadline = System.nanoTime() + timeoutNs;
        while (true)
        {
            checkOpen();
            try
            {
                return shared.exchanger.exchange(local, SLICE_MS, TimeUnit.MILLISECONDS);
            }
            catch (final TimeoutException ex)
            {
                if (expired(deadline))
                {
                    throw Text.timedOut(Text.EXCHANGE);
                }
            }
            catch (final InterruptedException ex)
            {
                throw interrupted(ex);
            }
        }
    }

    @Override
    public void barrier() throws IOException
    {
        checkOpen();
        final int phase = shared.barrier.arrive();
        final long deadline = System.nanoTime() + timeoutNs;
        while (true)
        {
            try
            {
                shared.barrier.awaitAdvanceInterruptibly(phase, SLICE_MS, TimeUnit.MILLISECONDS);
                return;
            }
            catch (final TimeoutException ex)
            {
                checkOpen();
                if (expired(deadline))
                {
                    throw Text.timedOut(Text.BARRIER);
                }
            }
            catch (final InterruptedException ex)
            {
                throw interrupted(ex);
            }
        }
    }

    @Override
    public void requestStop(final boolean sizeDone)
    {
        // Written before the count it is read after; the next stop waits for the server's report of this one.
        shared.lastStopEndsSize = sizeDone;
        shared.stops.incrementAndGet();
    }

    @Override
    public boolean stopRequested() throws IOException
    {
        if (shared.stops.get() > stopsSeen)
        {
            stopsSeen++;
            sizeDone = shared.lastStopEndsSize;
            return true;
        }
        checkOpen();
        return false;
    }

    @Override
    public boolean sizeDone()
    {
        return sizeDone;
    }

    /** Allocates nothing (no boxing): the server sends its report inside the phase that follows it. */
    @Override
    public void sendReport(final long value) throws IOException
    {
        checkOpen();
        if (shared.reportWaiting.get())
        {
            throw Text.reportWaiting();
        }
        shared.report = value;
        shared.reportWaiting.set(true); // publishes the value
    }

    @Override
    public long receiveReport() throws IOException
    {
        final long deadline = System.nanoTime() + timeoutNs;
        while (!shared.reportWaiting.get())
        {
            checkOpen();
            if (expired(deadline))
            {
                throw Text.timedOut(Text.REPORT);
            }
            if (Thread.interrupted())
            {
                throw interrupted(new InterruptedException());
            }
            LockSupport.parkNanos(REPORT_POLL_NS); // the server answers within a few hundred spins of its loop
        }
        final long value = shared.report;
        shared.reportWaiting.set(false);
        return value;
    }

    @Override
    public String description()
    {
        return Text.description();
    }

    @Override
    public void close()
    {
        // No Phaser.forceTermination(): a peer that already passed the last barrier must not see it fail.
        shared.closed = true;
    }

    private void checkOpen() throws IOException
    {
        if (shared.closed)
        {
            throw Text.closed();
        }
    }

    private static boolean expired(final long deadline)
    {
        return System.nanoTime() - deadline > 0;
    }

    private static IOException interrupted(final InterruptedException ex)
    {
        Thread.currentThread().interrupt();
        return Text.interrupted(ex);
    }

    /**
     * Every string of this channel: the server asks {@link #stopRequested()} inside its measured phase, and a C2
     * compilation of it would resolve (allocate) the string constants of its class on that thread.
     */
    private static final class Text
    {
        static final int EXCHANGE = 0;
        static final int BARRIER = 1;
        static final int REPORT = 2;

        private Text()
        {
        }

        static IOException timedOut(final int step)
        {
            final String what = step == EXCHANGE ? "endpoint exchange" : step == BARRIER ? "barrier" : "server report";
            return new IOException(what + " timed out waiting for the peer");
        }

        static IOException reportWaiting()
        {
            return new IOException("a report is already waiting: the two sides are out of step");
        }

        static IOException closed()
        {
            return new IOException("the peer closed the out-of-band channel");
        }

        static IOException interrupted(final InterruptedException ex)
        {
            return new IOException("interrupted", ex);
        }

        static String description()
        {
            return "in-process";
        }
    }
}
