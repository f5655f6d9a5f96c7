package io.softverbs.offheap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.softverbs.Access;
import io.softverbs.Errors;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fused posts. In INVOKER mode a WRITE is executed by the posting thread in an engine cycle of its own, without
 * the send lock, whenever nothing of its QP is outstanding; a small inline SEND is sent by the posting thread before
 * its WQE is written, whenever nothing posted before it waits to be sent. Anything else is written to the ring
 * like any request. Here three threads post into one QP at once, WRITEs with a SEND every sixteenth request (or
 * SENDs only), while one thread reaps the send completions and another the peer's receives, so the posts race with
 * each other and with cycles on both paths. Whatever the interleaving: every request executes once, a thread's
 * SENDs arrive in its order, and each arrives after the WRITE its thread posted before it.
 */
@Timeout(120)
class FusedPostRaceTest
{
    private static final int POSTERS = 3;
    private static final int REQUESTS = 24_000;
    private static final int RECEIVES = 128;
    private static final int SLOT = 64;

    private Pair pair;
    private ExecutorService pool;

    @AfterEach
    void tearDown() throws InterruptedException
    {
        TestSupport.stopWorkersAndClose(pool, pair);
    }

    /**
     * @param sendEvery every how many requests a SEND: 16 races the one-sided fused post with the WQE path; 1 races
     *                  fused SEND posts (sent before their WQE is written) with each other and with the WQE path.
     */
    @ParameterizedTest
    @ValueSource(ints = {16, 1})
    void racingPostsExecuteOnceAndInEachThreadsOrder(final int sendEvery) throws Exception
    {
        final int sends = POSTERS * REQUESTS / sendEvery;
        if (sendEvery > 1)
        {
            TestSupport.assumeDirectPath(); // the one-sided fused post; the SEND post fuses on the lanes too
        }
        pair = Pair.open(ProgressMode.INVOKER, o -> o.maxInlineData(64).maxSendWr(256).maxRecvWr(RECEIVES), true);
        final MemoryRegion target = pair.b.alloc((long)SLOT * POSTERS, Access.LOCAL_WRITE | Access.REMOTE_WRITE);
        final MemoryRegion sink = pair.b.alloc((long)SLOT * RECEIVES, Access.LOCAL_WRITE);
        for (int i = 0; i < RECEIVES; i++)
        {
            assertEquals(0, pair.qpB.postRecv(TestSupport.recv(i, sink, (long)SLOT * i, SLOT)));
        }

        pool = Executors.newFixedThreadPool(POSTERS + 2);
        final CountDownLatch start = new CountDownLatch(1);
        final List<Future<?>> tasks = new ArrayList<>();
        for (int t = 0; t < POSTERS; t++)
        {
            final int poster = t;
            final MemoryRegion source = pair.a.alloc(SLOT, Access.LOCAL_WRITE);
            tasks.add(pool.submit(() ->
            {
                start.await();
                post(poster, source, target, sendEvery);
                return null;
            }));
        }
        tasks.add(pool.submit(() ->
        {
            start.await();
            reapSends(sends);
            return null;
        }));
        tasks.add(pool.submit(() ->
        {
            start.await();
            receive(sink, target, sends, sendEvery);
            return null;
        }));
        start.countDown();
        for (final Future<?> task : tasks)
        {
            task.get(110, TimeUnit.SECONDS);
        }
        for (int t = 0; t < POSTERS && sendEvery > 1; t++)
        {
            assertEquals(REQUESTS - 1, target.buffer().getLongVolatile(SLOT * t), "poster " + t + "'s last WRITE");
        }
    }

    /** Request v of a poster: a SEND carrying (poster, v) if v is a multiple of sendEvery, else a WRITE of v. */
    private void post(final int poster, final MemoryRegion source, final MemoryRegion target, final int sendEvery)
    {
        final SendWorkRequest wr = new SendWorkRequest();
        for (int v = 1; v <= REQUESTS; v++)
        {
            if (v % sendEvery == 0)
            {
                source.buffer().putInt(0, poster);
                source.buffer().putInt(4, v);
                wr.clear().wrId(v).opcode(Opcode.SEND).flags(SendFlags.INLINE | SendFlags.SIGNALED)
                    .sge(source, 0, 8);
            }
            else
            {
                source.buffer().putLong(8, v);
                wr.clear().wrId(v).opcode(Opcode.RDMA_WRITE).flags(SendFlags.INLINE).sge(source, 8, 8)
                    .remote(target.address() + (long)SLOT * poster, target.rkey());
            }
            int rc;
            while ((rc = pair.qpA.postSend(wr)) == Errors.ENOMEM)
            {
                Thread.onSpinWait(); // the send queue is full of SENDs: the reaper frees it
            }
            assertEquals(0, rc, "post " + v + " of poster " + poster);
        }
    }

    /** Reaps A's send completions (running A's engine), every one a successful SEND. */
    private void reapSends(final int sends)
    {
        final WorkCompletion[] wc = TestSupport.freshCompletions(16);
        int seen = 0;
        while (seen < sends)
        {
            final int n = pair.a.sendCq.poll(wc);
            for (int i = 0; i < n; i++)
            {
                assertEquals(WcStatus.SUCCESS, wc[i].status(), wc[i]::toString);
                assertEquals(WcOpcode.SEND, wc[i].opcode(), wc[i]::toString);
            }
            seen += n;
        }
    }

    /** Takes B's receives (running B's engine): each poster's SENDs in order, each after its WRITE before it. */
    private void receive(final MemoryRegion sink, final MemoryRegion target, final int sends, final int sendEvery)
    {
        final int[] last = new int[POSTERS];
        final WorkCompletion[] wc = TestSupport.freshCompletions(16);
        final RecvWorkRequest recv = new RecvWorkRequest();
        int seen = 0;
        while (seen < sends)
        {
            final int n = pair.b.recvCq.poll(wc);
            for (int i = 0; i < n; i++)
            {
                assertEquals(WcStatus.SUCCESS, wc[i].status(), wc[i]::toString);
                final int slot = (int)wc[i].wrId();
                final int poster = sink.buffer().getInt(SLOT * slot);
                final int v = sink.buffer().getInt(SLOT * slot + 4);
                assertEquals(last[poster] + sendEvery, v, "SENDs of poster " + poster + " out of order");
                last[poster] = v;
                final long written = target.buffer().getLongVolatile(SLOT * poster);
                assertTrue(sendEvery == 1 || written >= v - 1, "SEND " + v + " of poster " + poster + " arrived before WRITE " +
                    (v - 1) + " (the slot holds " + written + ")");
                assertEquals(0, pair.qpB.postRecv(recv.clear().wrId(slot).sge(sink, (long)SLOT * slot, SLOT)));
            }
            seen += n;
        }
    }
}
