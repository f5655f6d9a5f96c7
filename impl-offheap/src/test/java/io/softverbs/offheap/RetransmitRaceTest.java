package io.softverbs.offheap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import java.util.function.ObjLongConsumer;

import io.softverbs.Access;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.Errors;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpInit;
import io.softverbs.QueuePair;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.SharedSendQueue;
import io.softverbs.SsqInit;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A requester whose ACK timer fires every few microseconds (timeout exponent 1: 8 us) and whose peer has few
 * receives (so SENDs meet RNR NAKs) goes back and sends again all the time, while copies of what it sent earlier
 * still wait in the lane to the peer. The peer's engine runs on its own thread. Whatever the interleaving of those
 * stale copies with what the requester sends or executes next: every SEND is received exactly once and in order,
 * every atomic executes exactly once, and no READ writes its sink after it completed.
 * <p>
 * The two SEND tests (a QP, and a shared send queue's channels) failed within a second, every time, before the
 * requester waited for its lane to be consumed before executing anything directly: a SEND executed by the requester
 * and its stale copy by the peer's engine, both having seen the same expected PSN. The atomic and READ tests guard
 * the same window there, which is narrower (no lock between the PSN check and the execution); they have not been
 * seen to fail.
 */
@Timeout(120)
class RetransmitRaceTest
{
    private static final int SENDS = 300_000;
    private static final int ATOMICS = 100_000;
    private static final int RECEIVES = 8;
    private static final int SEND_DEPTH = 64;
    private static final int SIGNAL_EVERY = 8;
    private static final int SLOT = 8;
    private static final int READS = 100_000;
    private static final long REMOTE = 0x5EAD_5EAD_5EAD_5EADL;
    private static final long MARKER = -1L;

    private Device deviceA;
    private Device deviceB;
    private Device deviceC;
    private ExecutorService pool;

    @AfterEach
    void tearDown() throws InterruptedException
    {
        assertTrue(TestSupport.stopWorkersAndClose(pool, deviceA, deviceB, deviceC), "a worker outlived the test");
    }

    @Test
    void everySendIsReceivedOnceAndInOrder() throws Exception
    {
        open();
        final TestSupport.SendStream stream =
            TestSupport.SendStream.open(deviceA, deviceB, SEND_DEPTH, RECEIVES, RECEIVES * 2, SLOT);
        final Context ca = stream.ca();
        final Context cb = stream.cb();
        final QueuePair a = stream.a();
        final QueuePair b = stream.b();
        final CompletionQueue cqA = stream.cqA();
        final CompletionQueue cqB = stream.cqB();
        final MemoryRegion source = stream.source();
        final MemoryRegion sink = stream.sink();
        connectWithFastTimer(a, b);
        final RecvWorkRequest recv = new RecvWorkRequest();
        for (int slot = 0; slot < RECEIVES; slot++)
        {
            assertEquals(0, b.postRecv(recv.clear().wrId(slot).sge(sink, (long)slot * SLOT, SLOT)));
        }

        final AtomicBoolean failed = new AtomicBoolean();
        pool = Executors.newFixedThreadPool(2);
        final Future<?> receiver = pool.submit(TestSupport.guarded(failed, () ->
        {
            final WorkCompletion[] wc = TestSupport.freshCompletions(16);
            long expected = 0;
            while (expected < SENDS && !failed.get())
            {
                cb.progress();
                final int n = cqB.poll(wc);
                for (int i = 0; i < n; i++)
                {
                    final WorkCompletion c = wc[i];
                    assertEquals(WcStatus.SUCCESS, c.status(), c::toString);
                    final int slot = (int)c.wrId();
                    assertEquals(expected, c.immData() & 0xFFFF_FFFFL, "immediate: each SEND once, in order");
                    assertEquals(expected, sink.buffer().getLong(slot * SLOT), "payload");
                    expected++;
                    assertEquals(0, b.postRecv(recv.clear().wrId(slot).sge(sink, (long)slot * SLOT, SLOT)));
                }
            }
            return null;
        }));
        final Future<?> sender = pool.submit(TestSupport.guarded(failed, sender(ca, cqA, failed, (send, index) ->
        {
            source.buffer().putLong(0, index);
            return a.postSend(send.immData((int)index).sge(source, 0, SLOT));
        })));
        awaitBoth(sender, receiver);
    }

    /**
     * The same through a shared send queue (the path of the market-data fan-out, where CI first saw a SEND delivered
     * twice): one SSQ, two channels to two subscribers on their own devices, each with few receives; every
     * subscriber gets every SEND once and in order, and the SSQ completes in posting order.
     */
    @Test
    void everySendThroughASharedSendQueueIsReceivedOnceAndInOrder() throws Exception
    {
        open();
        deviceC = TestSupport.openDevice("rtx-race-c", ProgressMode.INVOKER);
        final Context ca = deviceA.open();
        final Context[] subscribers = {deviceB.open(), deviceC.open()};
        final ProtectionDomain pa = ca.allocPd();
        final CompletionQueue ssqCq = ca.createCq(SEND_DEPTH * 2);
        final CompletionQueue channelRecvCq = ca.createCq(4);
        final SharedSendQueue ssq = pa.createSharedSendQueue(SsqInit.builder().sendCq(ssqCq).maxWr(SEND_DEPTH)
            .maxSge(1).maxInlineData(SLOT).build());
        final MemoryRegion source = pa.allocateMemory(SLOT, Access.LOCAL_WRITE);
        final QueuePair[] channels = new QueuePair[2];
        final CompletionQueue[] cqs = new CompletionQueue[2];
        final QueuePair[] qps = new QueuePair[2];
        final MemoryRegion[] sinks = new MemoryRegion[2];
        final RecvWorkRequest recv = new RecvWorkRequest();
        for (int s = 0; s < 2; s++)
        {
            final ProtectionDomain pd = subscribers[s].allocPd();
            cqs[s] = subscribers[s].createCq(RECEIVES * 2);
            qps[s] = pd.createQueuePair(QpInit.builder().sendCq(cqs[s]).recvCq(cqs[s]).maxRecvWr(RECEIVES).build());
            channels[s] = pa.createQueuePair(QpInit.builder().sharedSendQueue(ssq).recvCq(channelRecvCq)
                .maxRecvWr(1).maxRecvSge(1).build());
            connectWithFastTimer(channels[s], qps[s]);
            sinks[s] = pd.allocateMemory((long)SLOT * RECEIVES, Access.LOCAL_WRITE);
            for (int slot = 0; slot < RECEIVES; slot++)
            {
                assertEquals(0, qps[s].postRecv(recv.clear().wrId(slot).sge(sinks[s], (long)slot * SLOT, SLOT)));
            }
        }

        final AtomicBoolean failed = new AtomicBoolean();
        pool = Executors.newFixedThreadPool(2);
        final Future<?> receiver = pool.submit(TestSupport.guarded(failed, () ->
        {
            final WorkCompletion[] wc = TestSupport.freshCompletions(16);
            final long[] expected = new long[2];
            while ((expected[0] < SENDS / 2 || expected[1] < SENDS / 2) && !failed.get())
            {
                for (int s = 0; s < 2; s++)
                {
                    subscribers[s].progress();
                    final int n = cqs[s].poll(wc);
                    for (int i = 0; i < n; i++)
                    {
                        final WorkCompletion c = wc[i];
                        assertEquals(WcStatus.SUCCESS, c.status(), c::toString);
                        final int slot = (int)c.wrId();
                        assertEquals(expected[s], c.immData() & 0xFFFF_FFFFL, "subscriber " + s + ": once, in order");
                        assertEquals(expected[s], sinks[s].buffer().getLong(slot * SLOT), "payload");
                        expected[s]++;
                        assertEquals(0, qps[s].postRecv(recv.clear().wrId(slot).sge(sinks[s], (long)slot * SLOT,
                            SLOT)));
                    }
                }
            }
            return null;
        }));
        final Future<?> publisher = pool.submit(TestSupport.guarded(failed, sender(ca, ssqCq, failed, (send, index) ->
        {
            final long seq = index / 2;
            source.buffer().putLong(0, seq);
            return ssq.postSend(channels[(int)(index & 1)], send.immData((int)seq).sge(source, 0, SLOT));
        })));
        awaitBoth(publisher, receiver);
    }

    @Test
    void everyAtomicExecutesOnce() throws Exception
    {
        final OneSided pair = new OneSided();
        final MemoryRegion counter = pair.pb.allocateMemory(Long.BYTES, Access.LOCAL_WRITE | Access.REMOTE_ATOMIC);
        final MemoryRegion originals = pair.pa.allocateMemory((long)Long.BYTES * SEND_DEPTH, Access.LOCAL_WRITE);
        pair.run(ATOMICS,
            (faa, index) -> faa.opcode(Opcode.ATOMIC_FETCH_AND_ADD).compareAdd(1)
                .sge(originals, (index % SEND_DEPTH) * Long.BYTES, Long.BYTES)
                .remote(counter.address(), counter.rkey()),
            index -> assertEquals(index, originals.buffer().getLong((int)(index % SEND_DEPTH) * Long.BYTES),
                "each FETCH_AND_ADD saw the one before it, once"));
        assertEquals(ATOMICS, counter.buffer().getLongVolatile(0), "the counter: every atomic once");
    }

    /**
     * A READ sent again may reach the peer after its first copy has executed and the READ has completed. On the mem
     * transport the first copy already wrote the data into the requester's sink, so the duplicate must write
     * nothing: the application owns the sink again once the READ completed. Each READ here has its own sink slot,
     * which the requester overwrites with a marker as soon as the READ completes; a late duplicate would put the
     * remote bytes back.
     */
    @Test
    void aDuplicateReadNeverWritesASinkAfterItsReadCompleted() throws Exception
    {
        final OneSided pair = new OneSided();
        final MemoryRegion source = pair.pb.allocateMemory(Long.BYTES, Access.LOCAL_WRITE | Access.REMOTE_READ);
        source.buffer().putLong(0, REMOTE);
        final MemoryRegion sinks = pair.pa.allocateMemory((long)Long.BYTES * READS, Access.LOCAL_WRITE);
        pair.run(READS,
            (read, index) -> read.opcode(Opcode.RDMA_READ).sge(sinks, index * Long.BYTES, Long.BYTES)
                .remote(source.address(), source.rkey()),
            index ->
            {
                assertEquals(REMOTE, sinks.buffer().getLong((int)index * Long.BYTES), "the data read");
                sinks.buffer().putLong((int)index * Long.BYTES, MARKER); // the application's again
            });
        drain(pair.ca, pair.cb);
        for (int i = 0; i < READS; i++)
        {
            assertEquals(MARKER, sinks.buffer().getLong(i * Long.BYTES), "sink of READ " + i);
        }
    }

    /** A requester QP whose ACK timer fires after 8 us, and its peer, whose engine a thread of its own runs. */
    private final class OneSided
    {
        final Context ca;
        final Context cb;
        final ProtectionDomain pa;
        final ProtectionDomain pb;
        final CompletionQueue cqA;
        final QueuePair a;

        OneSided()
        {
            open();
            ca = deviceA.open();
            cb = deviceB.open();
            pa = ca.allocPd();
            pb = cb.allocPd();
            cqA = ca.createCq(SEND_DEPTH * 2);
            final CompletionQueue cqB = cb.createCq(4);
            a = pa.createQueuePair(QpInit.builder().sendCq(cqA).recvCq(cqA).maxSendWr(SEND_DEPTH).build());
            connectWithFastTimer(a, pb.createQueuePair(QpInit.builder().sendCq(cqB).recvCq(cqB).build()));
        }

        /**
         * Posts {@code count} signaled requests as fast as the send queue takes them, while another thread runs the
         * peer's engine; every completion must be a success, in posting order, and pass {@code check}.
         *
         * @param request fills a cleared work request for the given index.
         * @param check   runs on the completion of the given index.
         */
        void run(final long count, final ObjLongConsumer<SendWorkRequest> request, final LongConsumer check)
            throws Exception
        {
            final AtomicBoolean failed = new AtomicBoolean();
            final AtomicBoolean done = new AtomicBoolean();
            pool = Executors.newFixedThreadPool(2);
            final Future<?> responder = pool.submit(TestSupport.guarded(failed, () ->
            {
                while (!done.get() && !failed.get())
                {
                    cb.progress();
                }
                return null;
            }));
            final Future<?> requester = pool.submit(TestSupport.guarded(failed, () ->
            {
                try
                {
                    postAndReap(ca, cqA, count, 1, failed, (wr, index) ->
                    {
                        request.accept(wr, index);
                        return a.postSend(wr);
                    }, check);
                    return null;
                }
                finally
                {
                    done.set(true);
                }
            }));
            awaitBoth(requester, responder);
        }
    }

    /** Runs both engines until a round of both finds nothing to do: every late copy has been handled. */
    private static void drain(final Context ca, final Context cb)
    {
        for (int round = 0; round < 100_000; round++)
        {
            if (ca.progress() + cb.progress() == 0)
            {
                return;
            }
        }
        throw new AssertionError("the engines never went idle");
    }

    private void open()
    {
        deviceA = TestSupport.openDevice("rtx-race-a", ProgressMode.INVOKER);
        deviceB = TestSupport.openDevice("rtx-race-b", ProgressMode.INVOKER);
    }

    /** Connects the pair; a's ACK timeout is 8 us, so it retransmits whenever b's thread falls behind. */
    private static void connectWithFastTimer(final QueuePair a, final QueuePair b)
    {
        TestSupport.connectRequester(a, b, Access.REMOTE_WRITE | Access.REMOTE_READ | Access.REMOTE_ATOMIC, 1, 7);
    }

    /** Posts one request: fills in what the numbered request carries besides its wrId and flags, and posts it. */
    private interface Post
    {
        /** @return the post's status. */
        int post(SendWorkRequest wr, long index);
    }

    /**
     * The sending side of the SEND tests: {@value #SENDS} inline SEND_WITH_IMMs, one in {@value #SIGNAL_EVERY}
     * signaled.
     */
    private static Callable<Void> sender(
        final Context ctx, final CompletionQueue cq, final AtomicBoolean failed, final Post post)
    {
        return () ->
        {
            postAndReap(ctx, cq, SENDS, SIGNAL_EVERY, failed,
                (send, index) -> post.post(send.opcode(Opcode.SEND_WITH_IMM).flags(send.flags() | SendFlags.INLINE),
                    index),
                index ->
                {
                });
            return null;
        };
    }

    /**
     * Posts {@code count} requests, wrId their index, one in {@code signalEvery} signaled and the last, as fast as the
     * send queue takes them, running {@code ctx}'s engine; every completion must be a success, and the next signaled
     * one in posting order.
     *
     * @param onCompletion runs with the index of each completed request.
     */
    private static void postAndReap(final Context ctx, final CompletionQueue cq, final long count,
        final int signalEvery, final AtomicBoolean failed, final Post post, final LongConsumer onCompletion)
    {
        final SendWorkRequest wr = new SendWorkRequest();
        final WorkCompletion[] wc = TestSupport.freshCompletions(16);
        long posted = 0;
        long lastCompleted = -1;
        long signaled = 0;
        long completed = 0;
        while ((posted < count || completed < signaled) && !failed.get())
        {
            if (posted < count)
            {
                final boolean signal = (posted + 1) % signalEvery == 0 || posted + 1 == count;
                final int rc = post.post(wr.clear().wrId(posted).flags(signal ? SendFlags.SIGNALED : 0), posted);
                if (rc == 0)
                {
                    posted++;
                    signaled += signal ? 1 : 0;
                }
                else
                {
                    assertEquals(Errors.ENOMEM, rc);
                }
            }
            ctx.progress();
            final int n = cq.poll(wc);
            for (int i = 0; i < n; i++)
            {
                assertEquals(WcStatus.SUCCESS, wc[i].status(), wc[i]::toString);
                lastCompleted = Math.min(lastCompleted + signalEvery, count - 1);
                assertEquals(lastCompleted, wc[i].wrId(), "completions in posting order");
                onCompletion.accept(lastCompleted);
                completed++;
            }
        }
    }

    private static void awaitBoth(final Future<?> first, final Future<?> second)
        throws Exception
    {
        first.get(100, TimeUnit.SECONDS);
        second.get(100, TimeUnit.SECONDS);
    }
}
