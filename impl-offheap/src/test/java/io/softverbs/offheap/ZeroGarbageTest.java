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
    /**
     * Not garbage from the data path: when this thread's invocation counters trigger a C2 compile, HotSpot resolves
     * every String constant of the method's class on the requesting thread (CompileBroker::compile_method, before
     * queuing the task), i.e. a few String + byte[] pairs per class, once. A late C2 compile can land in the
     * measured window (seen: 56 to 160 bytes). With -Xint the same loop allocates exactly 0 bytes after the first
     * 10k round trips. A leak of even one 16-byte object per 100 round trips would be 160 KB here.
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

    /** Everything the loop touches, allocated up front. */
    private static final class RoundTrip
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
        void run(final long first, final int n)
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
    }

    @Test
    void postAndPollAllocateNothingInSteadyState()
    {
        // INVOKER mode: this one thread runs everything, so its allocation counter sees the whole data path.
        pair = Pair.open(ProgressMode.INVOKER, o -> o, true);
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion dst = pair.b.alloc(4096, Access.LOCAL_WRITE);
        final RoundTrip loop = new RoundTrip(pair, src, dst);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        final long threadId = Thread.currentThread().getId();

        // Warm-up: WARM_UP round trips, then further blocks of WARM_UP until one whole block allocates nothing
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
        assertEquals(0, loop.postFailures + loop.timeouts + loop.sent.errors + loop.received.errors, "warm-up failed");

        final long before = threads.getThreadAllocatedBytes(threadId);
        loop.run(next, MEASURED);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        next += MEASURED;

        assertEquals(0, loop.postFailures, "post failures");
        assertEquals(0, loop.timeouts, "round trips that timed out");
        assertEquals(0, loop.sent.errors, "bad send completions");
        assertEquals(0, loop.received.errors, "bad receive completions");
        assertEquals(next, loop.sent.count);
        assertEquals(next, loop.received.count);
        assertTrue(allocated <= JIT_SLACK_BYTES,
            "bytes allocated by " + MEASURED + " post/poll round trips: " + allocated);
    }
}
