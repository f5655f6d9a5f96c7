package io.softverbs.offheap;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.softverbs.Access;
import io.softverbs.CompletionQueue;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.QueuePair;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.softverbs.offheap.TestSupport.WAIT_NANOS;
import static io.softverbs.offheap.TestSupport.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deregistering a region while RDMA WRITEs and READs stream through it: no crash (the regions come from
 * allocateMemory, so close() really frees them), only SUCCESS or the expected errors, and no SUCCESS for a request
 * posted after close() returned.
 */
@Timeout(120)
class DeregistrationRaceTest
{
    private static final int ROUNDS = 5;
    private static final int WINDOW = 16;
    private static final int CHUNK = 4096;
    private static final int REGION = 4 << 20; // big enough to be mmap-backed: a use after free would fault
    private static final int SUCCESSES_BEFORE_CLOSE = 200;
    private static final Set<WcStatus> ALLOWED =
        EnumSet.of(WcStatus.SUCCESS, WcStatus.REM_ACCESS_ERR, WcStatus.LOC_PROT_ERR, WcStatus.WR_FLUSH_ERR);

    /** Which region is deregistered under the stream. */
    enum Victim
    {
        /** B's target region: later requests see REM_ACCESS_ERR. */
        REMOTE_TARGET(WcStatus.REM_ACCESS_ERR),
        /** A's source/sink region: later requests see LOC_PROT_ERR. */
        LOCAL_BUFFER(WcStatus.LOC_PROT_ERR);

        final WcStatus firstError;

        Victim(final WcStatus firstError)
        {
            this.firstError = firstError;
        }
    }

    private Pair pair;

    @BeforeEach
    void setUp()
    {
        pair = Pair.open();
    }

    @AfterEach
    void tearDown()
    {
        if (pair != null)
        {
            pair.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Victim.class)
    void deregistrationRacingInFlightOperations(final Victim victim) throws InterruptedException
    {
        for (int round = 0; round < ROUNDS; round++)
        {
            final QueuePair[] qps = pair.newConnectedQps(o -> o.maxSendWr(4 * WINDOW));
            final MemoryRegion local = pair.a.alloc(REGION, Access.LOCAL_WRITE);
            final MemoryRegion remote = pair.b.alloc(REGION,
                Access.LOCAL_WRITE | Access.REMOTE_WRITE | Access.REMOTE_READ);
            final Streamer streamer = new Streamer(qps[0], pair.a.sendCq, local, remote);
            final Thread thread = new Thread(streamer, "streamer-" + victim + "-" + round);
            thread.start();

            awaitCondition("streaming has started",
                () -> streamer.successes.get() >= SUCCESSES_BEFORE_CLOSE || streamer.done);
            (victim == Victim.REMOTE_TARGET ? remote : local).close();
            streamer.closeReturned = true;

            thread.join(TimeUnit.NANOSECONDS.toMillis(3 * WAIT_NANOS));
            assertFalse(thread.isAlive(), "streamer finished");
            if (streamer.failure != null)
            {
                throw new AssertionError("round " + round + ": " + streamer.failure, streamer.failure);
            }
            final String state = "round " + round + ": " + streamer;
            assertTrue(streamer.successes.get() >= SUCCESSES_BEFORE_CLOSE, state);
            assertEquals(streamer.posted, streamer.completed, "every posted request completed once; " + state);
            assertTrue(streamer.postedAfterClose > 0, state);
            assertEquals(0, streamer.lateSuccesses, "no SUCCESS for a request posted after close(); " + state);
            assertEquals(victim.firstError, streamer.firstError, state);
            for (final WcStatus status : WcStatus.values())
            {
                if (!ALLOWED.contains(status))
                {
                    assertEquals(0, streamer.counts[status.ordinal()], status + "; " + state);
                }
            }
            local.close();
            remote.close(); // double close of the victim is a no-op
        }
    }

    /** Streams alternating WRITEs and READs of CHUNK bytes, WINDOW in flight, recording every completion. */
    private static final class Streamer implements Runnable
    {
        private final QueuePair qp;
        private final CompletionQueue cq;
        private final MemoryRegion local;
        private final MemoryRegion remote;
        final AtomicLong successes = new AtomicLong();
        final int[] counts = new int[WcStatus.values().length];
        volatile boolean closeReturned;
        volatile boolean done;
        volatile Throwable failure;
        long posted;
        long completed;
        long postedAfterClose;
        long firstPostedAfterClose = Long.MAX_VALUE;
        long lateSuccesses;
        WcStatus firstError;

        Streamer(final QueuePair qp, final CompletionQueue cq, final MemoryRegion local, final MemoryRegion remote)
        {
            this.qp = qp;
            this.cq = cq;
            this.local = local;
            this.remote = remote;
        }

        @Override
        public void run()
        {
            try
            {
                stream();
            }
            catch (final Throwable t)
            {
                failure = t;
            }
            finally
            {
                done = true;
            }
        }

        private void stream()
        {
            // Addresses and keys are captured now: after close() the region objects must not be asked again.
            final long localAddress = local.address();
            final int lkey = local.lkey();
            final long remoteAddress = remote.address();
            final int rkey = remote.rkey();
            final SendWorkRequest wr = new SendWorkRequest();
            final WorkCompletion[] out = new WorkCompletion[WINDOW];
            for (int i = 0; i < WINDOW; i++)
            {
                out[i] = new WorkCompletion();
            }
            long deadline = System.nanoTime() + WAIT_NANOS;
            while (true)
            {
                final boolean closed = closeReturned;
                // Stream until an error was seen and a few requests went out after close() returned; stop anyway
                // after many such requests (a broken engine may never fail them; the asserts then catch it).
                final boolean more = postedAfterClose < 4 || (firstError == null && postedAfterClose < 10_000);
                boolean progressed = false;
                if (more && posted - completed < WINDOW)
                {
                    if (closed && firstPostedAfterClose == Long.MAX_VALUE)
                    {
                        firstPostedAfterClose = posted;
                    }
                    final long offset = (posted * CHUNK) % REGION;
                    wr.clear().wrId(posted).opcode((posted & 1) == 0 ? Opcode.RDMA_WRITE : Opcode.RDMA_READ)
                        .flags(SendFlags.SIGNALED).sge(localAddress + offset, CHUNK, lkey)
                        .remote(remoteAddress + offset, rkey);
                    final int rc = qp.postSend(wr);
                    if (rc != 0)
                    {
                        throw new AssertionError("postSend returned " + rc + " at " + this);
                    }
                    posted++;
                    if (closed)
                    {
                        postedAfterClose++;
                    }
                    progressed = true;
                }
                final int n = cq.poll(out);
                for (int i = 0; i < n; i++)
                {
                    final WorkCompletion wc = out[i];
                    if (wc.wrId() != completed)
                    {
                        throw new AssertionError("completion out of order: " + wc + " at " + this);
                    }
                    final WcStatus status = wc.status();
                    counts[status.ordinal()]++;
                    if (status == WcStatus.SUCCESS)
                    {
                        successes.incrementAndGet();
                        if (wc.wrId() >= firstPostedAfterClose)
                        {
                            lateSuccesses++;
                        }
                    }
                    else if (firstError == null)
                    {
                        firstError = status;
                    }
                    completed++;
                    progressed = true;
                }
                if (!more && completed == posted)
                {
                    return;
                }
                if (progressed)
                {
                    deadline = System.nanoTime() + WAIT_NANOS;
                }
                else if (System.nanoTime() - deadline > 0)
                {
                    throw new AssertionError("stalled at " + this);
                }
                else
                {
                    Thread.yield();
                }
            }
        }

        @Override
        public String toString()
        {
            final StringBuilder sb = new StringBuilder("posted=").append(posted).append(" completed=")
                .append(completed).append(" postedAfterClose=").append(postedAfterClose)
                .append(" lateSuccesses=").append(lateSuccesses).append(" firstError=").append(firstError);
            for (final WcStatus status : WcStatus.values())
            {
                if (counts[status.ordinal()] > 0)
                {
                    sb.append(' ').append(status).append('=').append(counts[status.ordinal()]);
                }
            }
            return sb.toString();
        }
    }
}
