package io.softverbs.offheap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.softverbs.Access;
import io.softverbs.CompletionQueue;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.QueuePair;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.softverbs.offheap.TestSupport.WAIT_NANOS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Remote atomics from many threads and QPs on one word are atomic: exact sum, every original fetched once. */
@Timeout(60)
class AtomicConcurrencyTest
{
    private static final int THREADS = 4;
    private static final int ADDS = 10_000;
    private static final int WINDOW = 16; // atomics in flight per thread

    private Pair pair;
    private ExecutorService pool;

    @BeforeEach
    void setUp()
    {
        pair = Pair.open();
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterEach
    void tearDown() throws InterruptedException
    {
        assertTrue(TestSupport.stopWorkersAndClose(pool, pair), "workers stopped");
    }

    @Test
    void concurrentFetchAndAddIsExactAndFetchesDistinctOriginals() throws Exception
    {
        final MemoryRegion word = pair.b.alloc(64, Access.LOCAL_WRITE | Access.REMOTE_ATOMIC);
        final long[] fetched = new long[THREADS * ADDS];
        final CountDownLatch start = new CountDownLatch(1);
        final List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++)
        {
            // Each thread: its own CQ, its own QP on A, connected to its own QP on B.
            final CompletionQueue cq = pair.a.ctx.createCq(2 * WINDOW);
            final QueuePair qp = pair.a.createQp(o -> o.sendCq(cq).recvCq(cq));
            TestSupport.connect(qp, pair.b.createQp(o -> o));
            final MemoryRegion results = pair.a.alloc(WINDOW * 8L, Access.LOCAL_WRITE);
            final int base = t * ADDS;
            workers.add(pool.submit(() ->
            {
                start.await();
                addLoop(qp, cq, results, word, fetched, base);
                return null;
            }));
        }
        start.countDown();
        for (final Future<?> worker : workers)
        {
            worker.get(50, TimeUnit.SECONDS);
        }

        assertEquals((long)THREADS * ADDS, word.buffer().getLongVolatile(0), "exact sum");
        // Adding 1 each time, distinct originals means exactly the values 0 .. N-1.
        Arrays.sort(fetched);
        for (int i = 0; i < fetched.length; i++)
        {
            if (fetched[i] != i)
            {
                fail("fetched originals are not distinct: sorted[" + i + "] = " + fetched[i]);
            }
        }
    }

    /** Keeps WINDOW FETCH_AND_ADDs of 1 in flight; the original of request i lands in result slot i % WINDOW. */
    private static void addLoop(final QueuePair qp, final CompletionQueue cq, final MemoryRegion results,
        final MemoryRegion word, final long[] fetched, final int base)
    {
        final SendWorkRequest wr = new SendWorkRequest();
        final WorkCompletion[] out = new WorkCompletion[WINDOW];
        for (int i = 0; i < WINDOW; i++)
        {
            out[i] = new WorkCompletion();
        }
        int posted = 0;
        int done = 0;
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (done < ADDS)
        {
            while (posted < ADDS && posted - done < WINDOW)
            {
                final int rc = qp.postSend(wr.clear().wrId(posted).opcode(Opcode.ATOMIC_FETCH_AND_ADD)
                    .flags(SendFlags.SIGNALED).sge(results, (posted % WINDOW) * 8L, 8)
                    .remote(word.address(), word.rkey()).compareAdd(1));
                assertEquals(0, rc, "postSend");
                posted++;
            }
            final int n = cq.poll(out);
            for (int i = 0; i < n; i++)
            {
                final WorkCompletion wc = out[i];
                assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
                assertEquals(WcOpcode.FETCH_ADD, wc.opcode(), wc::toString);
                assertEquals(done, wc.wrId(), "completions in posting order");
                // Slot done % WINDOW is not reposted before this read: posted - done < WINDOW.
                fetched[base + done] = results.buffer().getLong((done % WINDOW) * 8);
                done++;
            }
            if (n > 0)
            {
                deadline = System.nanoTime() + WAIT_NANOS;
            }
            else if (System.nanoTime() - deadline > 0)
            {
                fail("stalled at posted=" + posted + " done=" + done);
            }
            else
            {
                Thread.yield();
            }
        }
    }
}
