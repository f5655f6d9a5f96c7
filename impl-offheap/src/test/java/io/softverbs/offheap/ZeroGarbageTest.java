package io.softverbs.offheap;

import java.lang.management.ManagementFactory;

import io.softverbs.Access;
import io.softverbs.CompletionHandler;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.QueuePair;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.softverbs.offheap.TestSupport.WAIT_NANOS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data path (postSend, postRecv, poll, progress) allocates nothing in steady state. */
@Timeout(180)
class ZeroGarbageTest
{
    private static final int WARM_UP = 100_000;
    private static final int MAX_EXTRA_WARM_UPS = 10;
    private static final int MEASURED = 1_000_000;
    private static final int MEASURED_WINDOWS = 3;
    /**
     * Not garbage from the data path: when this thread's invocation counters trigger a C2 compile, HotSpot resolves
     * every String constant of the method's class on the requesting thread (CompileBroker::compile_method, before
     * queuing the task), i.e. a few String + byte[] pairs per class, once. A late C2 compile can land in the
     * measured window (seen: 56 to 160 bytes). With -Xint the same loop allocates exactly 0 bytes after the first
     * 10k round trips. A leak of even one 16-byte object per 100 round trips would be 160 KB in every window.
     */
    private static final long JIT_SLACK_BYTES = 1024;

    private Pair pair;

    @AfterEach
    void tearDown()
    {
        if (pair != null)
        {
            pair.close();
        }
    }

    /** Counts completions and failures without allocating. */
    private static final class Counter implements CompletionHandler
    {
        long count;
        long errors;
        long expectedWrId;

        @Override
        public void onCompletion(final WorkCompletion wc)
        {
            if (wc.status() != WcStatus.SUCCESS || wc.wrId() != expectedWrId)
            {
                errors++;
            }
            count++;
        }
    }

    /** A measured loop: everything it touches allocated up front. */
    private interface Loop
    {
        /** Runs operations {@code first} to {@code first + n - 1}. */
        void run(long first, int n);

        /** @return operations that failed, timed out or completed wrongly so far. */
        long failures();

        /** @return operations completed so far. */
        long completed();
    }

    /** SEND ping-pong: repost the receive, post the SEND, both completions. */
    private static final class RoundTrip implements Loop
    {
        final Context ctxA;
        final Context ctxB;
        final QueuePair qpA;
        final QueuePair qpB;
        final CompletionQueue sendCq;
        final CompletionQueue recvCq;
        final SendWorkRequest send = new SendWorkRequest();
        final RecvWorkRequest recv = new RecvWorkRequest();
        final Counter sent = new Counter();
        final Counter received = new Counter();
        long postFailures;
        long timeouts;

        RoundTrip(final Pair pair, final MemoryRegion src, final MemoryRegion dst)
        {
            ctxA = pair.a.ctx;
            ctxB = pair.b.ctx;
            qpA = pair.qpA;
            qpB = pair.qpB;
            sendCq = pair.a.sendCq;
            recvCq = pair.b.recvCq;
            send.opcode(Opcode.SEND).flags(SendFlags.SIGNALED | SendFlags.INLINE).sge(src, 0, 64);
            recv.sge(dst, 0, 64);
        }

        /** {@code n} round trips: repost the receive, post the SEND, drive both engines until both completions. */
        @Override
        public void run(final long first, final int n)
        {
            for (long i = first; i < first + n; i++)
            {
                if (qpB.postRecv(recv.wrId(i)) != 0 || qpA.postSend(send.wrId(i)) != 0)
                {
                    postFailures++;
                    return;
                }
                sent.expectedWrId = i;
                received.expectedWrId = i;
                final long sentBefore = sent.count;
                final long receivedBefore = received.count;
                final long deadline = System.nanoTime() + WAIT_NANOS;
                while (sent.count == sentBefore || received.count == receivedBefore)
                {
                    ctxA.progress();
                    ctxB.progress();
                    sendCq.poll(sent, 1);
                    recvCq.poll(received, 1);
                    if (System.nanoTime() - deadline > 0)
                    {
                        timeouts++;
                        return;
                    }
                }
            }
        }

        @Override
        public long failures()
        {
            return postFailures + timeouts + sent.errors + received.errors + Math.abs(sent.count - received.count);
        }

        @Override
        public long completed()
        {
            return sent.count;
        }
    }

    /**
     * One-sided operations, which the mem transport executes on the requester's thread: an unsignaled inline WRITE,
     * then a signaled READ of what it wrote and a signaled FETCH_ADD, both waited for.
     */
    private static final class OneSided implements Loop
    {
        final Context ctxA;
        final Context ctxB;
        final QueuePair qpA;
        final CompletionQueue sendCq;
        final MemoryRegion local;
        final SendWorkRequest write = new SendWorkRequest();
        final SendWorkRequest read = new SendWorkRequest();
        final SendWorkRequest add = new SendWorkRequest();
        final Counter done = new Counter();
        long failures;

        OneSided(final Pair pair, final MemoryRegion local, final MemoryRegion remote)
        {
            ctxA = pair.a.ctx;
            ctxB = pair.b.ctx;
            qpA = pair.qpA;
            sendCq = pair.a.sendCq;
            this.local = local;
            write.opcode(Opcode.RDMA_WRITE).flags(SendFlags.INLINE).sge(local, 0, 32)
                .remote(remote.address(), remote.rkey());
            read.opcode(Opcode.RDMA_READ).flags(SendFlags.SIGNALED).sge(local, 64, 32)
                .remote(remote.address(), remote.rkey());
            add.opcode(Opcode.ATOMIC_FETCH_AND_ADD).flags(SendFlags.SIGNALED).sge(local, 128, 8)
                .remote(remote.address() + 64, remote.rkey()).compareAdd(1);
        }

        @Override
        public void run(final long first, final int n)
        {
            for (long i = first; i < first + n; i++)
            {
                local.buffer().putLong(0, i);
                if (qpA.postSend(write.wrId(i)) != 0 || qpA.postSend(read.wrId(i)) != 0 ||
                    qpA.postSend(add.wrId(i)) != 0)
                {
                    failures++;
                    return;
                }
                final long target = done.count + 2;
                final long deadline = System.nanoTime() + WAIT_NANOS;
                done.expectedWrId = i;
                while (done.count != target)
                {
                    ctxA.progress();
                    ctxB.progress();
                    sendCq.poll(done, 1);
                    if (System.nanoTime() - deadline > 0)
                    {
                        failures++;
                        return;
                    }
                }
                if (local.buffer().getLong(64) != i || local.buffer().getLong(128) != i)
                {
                    failures++; // READ saw the WRITE; the counter at the peer counts one per iteration from 0
                }
            }
        }

        @Override
        public long failures()
        {
            return failures + done.errors;
        }

        @Override
        public long completed()
        {
            return done.count / 2;
        }
    }

    /**
     * Bursts of SENDs posted as one list ({@code postSend(list, 0, n)}), the last one signaled, into receives the
     * peer reposts as they complete.
     */
    private static final class ListBurst implements Loop
    {
        static final int BURST = 16;

        final Context ctxA;
        final Context ctxB;
        final QueuePair qpA;
        final QueuePair qpB;
        final CompletionQueue sendCq;
        final CompletionQueue recvCq;
        final MemoryRegion dst;
        final SendWorkRequest[] sends = new SendWorkRequest[BURST];
        final RecvWorkRequest recv = new RecvWorkRequest();
        final Counter sent = new Counter();
        final Counter received = new Counter();
        long failures;

        ListBurst(final Pair pair, final MemoryRegion src, final MemoryRegion dst)
        {
            ctxA = pair.a.ctx;
            ctxB = pair.b.ctx;
            qpA = pair.qpA;
            qpB = pair.qpB;
            sendCq = pair.a.sendCq;
            recvCq = pair.b.recvCq;
            this.dst = dst;
            for (int i = 0; i < BURST; i++)
            {
                sends[i] = new SendWorkRequest().opcode(Opcode.SEND).sge(src, 0, 64)
                    .flags(i == BURST - 1 ? SendFlags.SIGNALED | SendFlags.INLINE : SendFlags.INLINE);
            }
        }

        /** {@code n} bursts: repost BURST receives, post the list, drive both engines until every completion. */
        @Override
        public void run(final long first, final int n)
        {
            for (long i = first; i < first + n; i++)
            {
                for (int k = 0; k < BURST; k++)
                {
                    if (qpB.postRecv(recv.clear().wrId(i).sge(dst, k * 64L, 64)) != 0)
                    {
                        failures++;
                        return;
                    }
                }
                sends[BURST - 1].wrId(i);
                if (qpA.postSend(sends, 0, BURST) != BURST)
                {
                    failures++;
                    return;
                }
                sent.expectedWrId = i;
                received.expectedWrId = i;
                final long sentTarget = sent.count + 1;
                final long receivedTarget = received.count + BURST;
                final long deadline = System.nanoTime() + WAIT_NANOS;
                while (sent.count != sentTarget || received.count != receivedTarget)
                {
                    ctxA.progress();
                    ctxB.progress();
                    sendCq.poll(sent, 1);
                    recvCq.poll(received, BURST);
                    if (System.nanoTime() - deadline > 0)
                    {
                        failures++;
                        return;
                    }
                }
            }
        }

        @Override
        public long failures()
        {
            return failures + sent.errors + received.errors + Math.abs(sent.count * BURST - received.count);
        }

        @Override
        public long completed()
        {
            return sent.count;
        }
    }

    @Test
    void postAndPollAllocateNothingInSteadyState()
    {
        // INVOKER mode: this one thread runs everything, so its allocation counter sees the whole data path.
        pair = Pair.open(ProgressMode.INVOKER, o -> o, true);
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion dst = pair.b.alloc(4096, Access.LOCAL_WRITE);
        assertSteadyStateAllocatesNothing(new RoundTrip(pair, src, dst), "post/poll round trips");
    }

    @Test
    void oneSidedOperationsAllocateNothingInSteadyState()
    {
        pair = Pair.open(ProgressMode.INVOKER, o -> o.maxInlineData(64), true);
        final MemoryRegion local = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion remote = pair.b.alloc(4096,
            Access.LOCAL_WRITE | Access.REMOTE_WRITE | Access.REMOTE_READ | Access.REMOTE_ATOMIC);
        assertSteadyStateAllocatesNothing(new OneSided(pair, local, remote), "WRITE+READ+FETCH_ADD iterations");
    }

    @Test
    void postListsAllocateNothingInSteadyState()
    {
        pair = Pair.open(ProgressMode.INVOKER, o -> o.maxInlineData(64).maxRecvWr(ListBurst.BURST), true);
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion dst = pair.b.alloc(4096, Access.LOCAL_WRITE);
        assertSteadyStateAllocatesNothing(new ListBurst(pair, src, dst), "bursts of " + ListBurst.BURST +
            " SENDs posted as a list");
    }

    private static void assertSteadyStateAllocatesNothing(final Loop loop, final String what)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        final long threadId = Thread.currentThread().getId();

        // Warm-up: WARM_UP iterations, then further blocks of WARM_UP until one whole block allocates nothing
        // (at most MAX_EXTRA_WARM_UPS), so the measurement starts once C2 has compiled the loop. Steady-state
        // garbage can never produce a clean block, so this cannot hide it; it only waits out the JIT (see
        // JIT_SLACK_BYTES).
        long next = 0;
        loop.run(next, WARM_UP);
        next += WARM_UP;
        threads.getThreadAllocatedBytes(threadId); // the first call may initialise the bean
        for (int block = 0; block < MAX_EXTRA_WARM_UPS; block++)
        {
            final long blockStart = threads.getThreadAllocatedBytes(threadId);
            loop.run(next, WARM_UP);
            next += WARM_UP;
            if (threads.getThreadAllocatedBytes(threadId) == blockStart)
            {
                break;
            }
        }
        assertEquals(0, loop.failures(), "warm-up failed");

        // Up to MEASURED_WINDOWS windows, until one stays within the slack: a late C2 compile lands in one window
        // at most once, while steady-state garbage fills every window.
        final long[] windows = new long[MEASURED_WINDOWS];
        int measured = 0;
        boolean clean = false;
        while (measured < MEASURED_WINDOWS && !clean)
        {
            final long before = threads.getThreadAllocatedBytes(threadId);
            loop.run(next, MEASURED);
            windows[measured] = threads.getThreadAllocatedBytes(threadId) - before;
            clean = windows[measured] <= JIT_SLACK_BYTES;
            measured++;
            next += MEASURED;
        }

        assertEquals(0, loop.failures(), "failed, timed out or wrong completions");
        assertEquals(next, loop.completed());
        assertTrue(clean, "bytes allocated by each window of " + MEASURED + " " + what + ": " +
            java.util.Arrays.toString(windows));
    }
}
