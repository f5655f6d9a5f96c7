package io.softverbs.benchmarks.perf.oob;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Exchanger;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Both ends of an out-of-band channel inside one JVM, for a client and a server thread. Waits are sliced so that
 * when one end closes (its thread failed) the other fails at once instead of running into its timeout.
 */
public final class InProcessOutOfBand implements OutOfBand
{
    private static final long SLICE_MS = 10;

    private final Shared shared;
    private final long timeoutNs;
    private long stopsSeen;

    /** State the two ends share. */
    private static final class Shared
    {
        final Exchanger<PeerInfo> exchanger = new Exchanger<>();
        final Phaser barrier = new Phaser(2);
        final AtomicLong stops = new AtomicLong();
        final BlockingQueue<Long> reports = new ArrayBlockingQueue<>(1);
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
                checkDeadline(deadline, "endpoint exchange");
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
                checkDeadline(deadline, "barrier");
            }
            catch (final InterruptedException ex)
            {
                throw interrupted(ex);
            }
        }
    }

    @Override
    public void requestStop()
    {
        shared.stops.incrementAndGet();
    }

    @Override
    public boolean stopRequested() throws IOException
    {
        if (shared.stops.get() > stopsSeen)
        {
            stopsSeen++;
            return true;
        }
        checkOpen();
        return false;
    }

    @Override
    public void sendReport(final long value) throws IOException
    {
        checkOpen();
        if (!shared.reports.offer(value))
        {
            throw new IOException("a report is already waiting: the two sides are out of step");
        }
    }

    @Override
    public long receiveReport() throws IOException
    {
        final long deadline = System.nanoTime() + timeoutNs;
        while (true)
        {
            checkOpen();
            try
            {
                final Long value = shared.reports.poll(SLICE_MS, TimeUnit.MILLISECONDS);
                if (value != null)
                {
                    return value;
                }
                checkDeadline(deadline, "server report");
            }
            catch (final InterruptedException ex)
            {
                throw interrupted(ex);
            }
        }
    }

    @Override
    public String description()
    {
        return "in-process";
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
            throw new IOException("the peer closed the out-of-band channel");
        }
    }

    private static void checkDeadline(final long deadline, final String what) throws IOException
    {
        if (System.nanoTime() - deadline > 0)
        {
            throw new IOException(what + " timed out waiting for the peer");
        }
    }

    private static IOException interrupted(final InterruptedException ex)
    {
        Thread.currentThread().interrupt();
        return new IOException("interrupted", ex);
    }
}
