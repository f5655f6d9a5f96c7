package io.softverbs.offheap;

import static io.softverbs.offheap.TestSupport.WAIT_NANOS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
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
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A doorbell is never lost between a posting thread and a DEDICATED engine thread. The engine clears a QP's
 * "scheduled" mark and then reads its doorbell; a post writes the doorbell and then looks at the mark. Unless
 * both sides fence between their store and their load, the post can see the mark still set while the engine
 * misses the doorbell, and the WQE waits until something else wakes the QP. On the lanes an ACK always came and
 * did; a WRITE executed directly gets no ACK, so nothing would.
 */
@Timeout(120)
class DoorbellRaceTest
{
    private static final int THREADS = 3;
    private static final int WRITES = 100_000;

    private Pair pair;
    private ExecutorService pool;

    @AfterEach
    void tearDown() throws InterruptedException
    {
        TestSupport.stopWorkersAndClose(pool, pair);
    }

    @Test
    void noPostIsLeftWaitingForAWakeUp() throws Exception
    {
        // On the lanes every WRITE is also woken by its ACK, and the ACK round trips make the run too slow.
        TestSupport.assumeDirectPath();
        pair = Pair.open();
        pool = Executors.newFixedThreadPool(THREADS);
        final MemoryRegion target = pair.b.alloc(64L * THREADS, Access.LOCAL_WRITE | Access.REMOTE_WRITE);
        final CountDownLatch start = new CountDownLatch(1);
        final List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++)
        {
            final CompletionQueue cq = pair.a.ctx.createCq(16);
            final QueuePair qp = pair.a.createQp(o -> o.sendCq(cq).recvCq(cq).maxInlineData(64));
            TestSupport.connect(qp, pair.b.createQp(o -> o));
            final MemoryRegion source = pair.a.alloc(64, Access.LOCAL_WRITE);
            final long slot = 64L * t;
            workers.add(pool.submit(() ->
            {
                start.await();
                writeLoop(qp, cq, source, target, slot);
                return null;
            }));
        }
        start.countDown();
        for (final Future<?> worker : workers)
        {
            worker.get(100, TimeUnit.SECONDS);
        }
        for (int t = 0; t < THREADS; t++)
        {
            assertEquals(WRITES - 1, target.buffer().getLongVolatile(64 * t));
        }
    }

    /**
     * Posts WRITEs in pairs and waits for both. The second post races with the engine taking the QP for the first:
     * it may find the mark still set just as the engine clears it and reads the doorbell. The last post of a pair
     * has no later post to wake the QP for it, so a lost doorbell shows as a pair that never completes.
     */
    private static void writeLoop(final QueuePair qp, final CompletionQueue cq, final MemoryRegion source,
        final MemoryRegion target, final long slot)
    {
        final SendWorkRequest wr = new SendWorkRequest();
        final WorkCompletion[] out = {new WorkCompletion(), new WorkCompletion()};
        for (int i = 0; i < WRITES; i += 2)
        {
            for (int k = i; k < i + 2; k++)
            {
                source.buffer().putLong(0, k);
                assertEquals(0, qp.postSend(wr.clear().wrId(k).opcode(Opcode.RDMA_WRITE)
                    .flags(SendFlags.SIGNALED | SendFlags.INLINE).sge(source, 0, 8)
                    .remote(target.address() + slot, target.rkey())));
            }
            final long deadline = System.nanoTime() + WAIT_NANOS;
            int done = 0;
            while (done < 2)
            {
                final int n = cq.poll(out);
                for (int j = 0; j < n; j++)
                {
                    assertEquals(WcStatus.SUCCESS, out[j].status(), out[j]::toString);
                    assertEquals(i + done, out[j].wrId());
                    done++;
                }
                if (n == 0 && System.nanoTime() - deadline > 0)
                {
                    fail("WRITE " + (i + done) + " never completed: its doorbell was lost");
                }
                Thread.onSpinWait();
            }
        }
    }
}
