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

    /** A loop over the pair's QPs: A sends, B receives; both engines driven by this one thread. */
    private abstract static class PairLoop implements Loop
    {
        final Context ctxA;
        final Context ctxB;
        final QueuePair qpA;
        final QueuePair qpB;
        final CompletionQueue sendCq;
        final CompletionQueue recvCq;
        /** A's send completions and B's receive completions. */
        final Counter sent = new Counter();
        final Counter received = new Counter();
        long failures;

        PairLoop(final Pair pair)
        {
            ctxA = pair.a.ctx;
            ctxB = pair.b.ctx;
            qpA = pair.qpA;
            qpB = pair.qpB;
            sendCq = pair.a.sendCq;
            recvCq = pair.b.recvCq;
        }

        /**
         * Drives both engines and polls both CQs until the counts reach their targets.
         *
         * @return false, counted as a failure, if they did not within the wait.
         */
        boolean awaitCounts(final long sentTarget, final long receivedTarget)
        {
            final long deadline = System.nanoTime() + WAIT_NANOS;
            while (sent.count < sentTarget || received.count < receivedTarget)
            {
                ctxA.progress();
                ctxB.progress();
                sendCq.poll(sent, 1);
                recvCq.poll(received, 16);
                if (System.nanoTime() - deadline > 0)
                {
                    failures++;
                    return false;
                }
            }
            return true;
        }

        @Override
        public long failures()
        {
            return failures + sent.errors + received.errors;
        }

        @Override
        public long completed()
        {
            return sent.count;
        }
    }

    /** SEND ping-pong: repost the receive, post the SEND, both completions. */
    private static final class RoundTrip extends PairLoop
    {
        final SendWorkRequest send = new SendWorkRequest();
        final RecvWorkRequest recv = new RecvWorkRequest();

        RoundTrip(final Pair pair, final MemoryRegion src, final MemoryRegion dst)
        {
            super(pair);
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
                    failures++;
                    return;
                }
                sent.expectedWrId = i;
                received.expectedWrId = i;
                if (!awaitCounts(sent.count + 1, received.count + 1))
                {
                    return;
                }
            }
        }

        @Override
        public long failures()
        {
            return super.failures() + Math.abs(sent.count - received.count);
        }
    }

    /**
     * One-sided operations, which the mem transport executes on the requester's thread: an unsignaled inline WRITE,
     * then a signaled READ of what it wrote and a signaled FETCH_ADD, both waited for.
     */
    private static final class OneSided extends PairLoop
    {
        final MemoryRegion local;
        final SendWorkRequest write = new SendWorkRequest();
        final SendWorkRequest read = new SendWorkRequest();
        final SendWorkRequest add = new SendWorkRequest();

        OneSided(final Pair pair, final MemoryRegion local, final MemoryRegion remote)
        {
            super(pair);
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
                sent.expectedWrId = i;
                if (!awaitCounts(sent.count + 2, 0))
                {
                    return;
                }
                if (local.buffer().getLong(64) != i || local.buffer().getLong(128) != i)
                {
                    failures++; // READ saw the WRITE; the counter at the peer counts one per iteration from 0
                }
            }
        }

        @Override
        public long completed()
        {
            return sent.count / 2;
        }
    }

    /**
     * Bursts of SENDs posted as one list ({@code postSend(list, 0, n)}), the last one signaled, into receives the
     * peer reposts as one list as well.
     */
    private static final class ListBurst extends PairLoop
    {
        static final int BURST = 16;

        final SendWorkRequest[] sends = new SendWorkRequest[BURST];
        final RecvWorkRequest[] recvs = new RecvWorkRequest[BURST];

        ListBurst(final Pair pair, final MemoryRegion src, final MemoryRegion dst)
        {
            super(pair);
            for (int i = 0; i < BURST; i++)
            {
                sends[i] = new SendWorkRequest().opcode(Opcode.SEND).sge(src, 0, 64)
                    .flags(i == BURST - 1 ? SendFlags.SIGNALED | SendFlags.INLINE : SendFlags.INLINE);
                recvs[i] = new RecvWorkRequest().sge(dst, i * 64L, 64);
            }
        }

        /** {@code n} bursts: repost BURST receives and post BURST SENDs, each as one list, then every completion. */
        @Override
        public void run(final long first, final int n)
        {
            for (long i = first; i < first + n; i++)
            {
                for (final RecvWorkRequest recv : recvs)
                {
                    recv.wrId(i);
                }
                sends[BURST - 1].wrId(i);
                if (qpB.postRecv(recvs, 0, BURST) != BURST || qpA.postSend(sends, 0, BURST) != BURST)
                {
                    failures++;
                    return;
                }
                sent.expectedWrId = i;
                received.expectedWrId = i;
                if (!awaitCounts(sent.count + 1, received.count + BURST))
                {
                    return;
                }
            }
        }

        @Override
        public long failures()
        {
            return super.failures() + Math.abs(sent.count * BURST - received.count);
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
