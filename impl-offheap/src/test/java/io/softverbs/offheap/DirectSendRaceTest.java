package io.softverbs.offheap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.softverbs.Access;
import io.softverbs.AsyncEvent;
import io.softverbs.AsyncEventType;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.DeviceConfig;
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
import io.softverbs.SharedReceiveQueue;
import io.softverbs.SrqInit;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SENDs executed by the sender write into the peer's receive queue and CQ from the sender's thread, while the
 * peer's own thread posts receives into that queue and writes its own send completions into the same CQ. Here two
 * threads each send the other {@value #MESSAGES} SENDs over one QP pair, each side with one CQ for both directions
 * and fewer receives than messages (so some SENDs find none, travel and wait for one). Whatever the interleaving:
 * every message arrives once and in order, every send completes once and in order, and no CQ overflows. A second
 * test has two senders on two threads write into two QPs that share one SRQ and report to two CQs. The first test
 * runs again with the SENDs posted as lists.
 */
@Timeout(60)
class DirectSendRaceTest
{
    private static final int MESSAGES = 50_000;
    private static final int DEPTH = 32;
    private static final int SLOT = 16;
    private static final int LIST = 4;

    private final ConcurrentLinkedQueue<AsyncEvent> events = new ConcurrentLinkedQueue<>();
    private Device deviceA;
    private Device deviceB;
    private ExecutorService pool;

    @AfterEach
    void tearDown() throws InterruptedException
    {
        assertTrue(TestSupport.stopWorkersAndClose(pool, deviceA, deviceB), "a worker outlived the test");
    }

    @Test
    void sendsBothWaysThroughSharedCqsArriveOnceAndInOrder() throws Exception
    {
        sendBothWays(1);
    }

    /**
     * The same with lists of {@value #LIST} SENDs per post, one in {@value #LIST} signaled: a list's unsignaled SENDs
     * share one hold of the peer's receive lock, which must be released before a signaled one's completion goes into
     * the sender's CQ, the very CQ whose lock the peer, sending the other way, takes as its receive lock.
     */
    @Test
    void listsOfSendsBothWaysThroughSharedCqsArriveOnceAndInOrder() throws Exception
    {
        sendBothWays(LIST);
    }

    private void sendBothWays(final int perPost) throws Exception
    {
        deviceA = Verbs.open("race-a");
        deviceB = Verbs.open("race-b");
        final Side a = new Side(deviceA.open(), perPost);
        final Side b = new Side(deviceB.open(), perPost);
        a.qp.connect(b.qp.localEndpoint());
        b.qp.connect(a.qp.localEndpoint());
        a.postAllReceives();
        b.postAllReceives();

        pool = Executors.newFixedThreadPool(2);
        final Future<?> runA = pool.submit(() -> a.run(b));
        final Future<?> runB = pool.submit(() -> b.run(a));
        runA.get(50, TimeUnit.SECONDS);
        runB.get(50, TimeUnit.SECONDS);
        assertTrue(events.isEmpty(), events::toString);
    }

    @Test
    void twoSendersIntoOneSrqTakeEachReceiveOnce() throws Exception
    {
        deviceA = Verbs.open("race-srq-a");
        deviceB = Verbs.open("race-srq-b");
        final Context ca = deviceA.open();
        final Context cb = deviceB.open();
        ca.onAsyncEvent(events::add);
        cb.onAsyncEvent(event ->
        {
            if (event.type() != AsyncEventType.SRQ_LIMIT_REACHED)
            {
                events.add(event);
            }
        });
        final ProtectionDomain pa = ca.allocPd();
        final ProtectionDomain pb = cb.allocPd();
        final SharedReceiveQueue srq = pb.createSrq(SrqInit.builder().maxWr(DEPTH).maxSge(1).build());
        final MemoryRegion sink = pb.allocateMemory((long)SLOT * DEPTH, Access.LOCAL_WRITE);
        final QueuePair[] senders = new QueuePair[2];
        final QueuePair[] receivers = new QueuePair[2];
        final CompletionQueue[] sendCqs = new CompletionQueue[2];
        final CompletionQueue[] recvCqs = new CompletionQueue[2];
        for (int i = 0; i < 2; i++)
        {
            sendCqs[i] = ca.createCq(DEPTH);
            recvCqs[i] = cb.createCq(DEPTH); // each receiver QP its own CQ: only the SRQ's lock orders the two
            senders[i] = pa.createQueuePair(QpInit.builder().sendCq(sendCqs[i]).recvCq(sendCqs[i]).maxSendWr(DEPTH)
                .maxInlineData(64).build());
            receivers[i] = pb.createQueuePair(QpInit.builder().sendCq(recvCqs[i]).recvCq(recvCqs[i]).srq(srq)
                .build());
            senders[i].connect(receivers[i].localEndpoint());
            receivers[i].connect(senders[i].localEndpoint());
        }
        final RecvWorkRequest recv = new RecvWorkRequest();
        for (int slot = 0; slot < DEPTH; slot++)
        {
            assertEquals(0, srq.postRecv(recv.clear().wrId(slot).sge(sink, (long)SLOT * slot, SLOT)));
        }
        final MemoryRegion[] sources = {pa.allocateMemory(SLOT, Access.LOCAL_WRITE),
            pa.allocateMemory(SLOT, Access.LOCAL_WRITE)};

        pool = Executors.newFixedThreadPool(3);
        final Future<?> first = pool.submit(() -> sendAll(senders[0], sendCqs[0], sources[0], 0));
        final Future<?> second = pool.submit(() -> sendAll(senders[1], sendCqs[1], sources[1], 1));
        final Future<?> receiver = pool.submit(() ->
        {
            final long[] received = new long[2];
            final WorkCompletion[] wc = TestSupport.freshCompletions(8);
            while (received[0] < MESSAGES || received[1] < MESSAGES)
            {
                for (int q = 0; q < 2; q++)
                {
                    final int n = recvCqs[q].poll(wc);
                    for (int i = 0; i < n; i++)
                    {
                        final WorkCompletion c = wc[i];
                        assertEquals(WcStatus.SUCCESS, c.status(), c::toString);
                        assertEquals(receivers[q].qpNum(), c.qpNum());
                        final int slot = (int)c.wrId();
                        final long message = sink.buffer().getLong(SLOT * slot);
                        assertEquals(q, message >>> 32, "the SEND of the QP that reported it");
                        assertEquals(++received[q], message & 0xFFFF_FFFFL, "each sender's messages in order");
                        assertEquals(0, srq.postRecv(recv.clear().wrId(slot).sge(sink, (long)SLOT * slot, SLOT)));
                    }
                }
            }
            return null;
        });
        first.get(50, TimeUnit.SECONDS);
        second.get(50, TimeUnit.SECONDS);
        receiver.get(50, TimeUnit.SECONDS);
        assertTrue(events.isEmpty(), events::toString);
    }

    /** Sends {@link #MESSAGES} SENDs tagged with the sender, reaping their completions in order. */
    private static Void sendAll(final QueuePair qp, final CompletionQueue cq, final MemoryRegion source,
        final int sender)
    {
        final SendWorkRequest send = new SendWorkRequest();
        final WorkCompletion[] wc = TestSupport.freshCompletions(8);
        long sent = 0;
        long completed = 0;
        while (completed < MESSAGES)
        {
            if (sent < MESSAGES && trySend(qp, send, source, (long)sender << 32 | (sent + 1), sent + 1))
            {
                sent++;
            }
            final int n = cq.poll(wc);
            for (int i = 0; i < n; i++)
            {
                assertEquals(WcStatus.SUCCESS, wc[i].status(), wc[i]::toString);
                assertEquals(++completed, wc[i].wrId(), "send completions in posting order");
            }
        }
        return null;
    }

    /**
     * Posts a signaled inline SEND of one long.
     *
     * @return true if posted; false if the send queue is full (its completions not yet polled).
     */
    private static boolean trySend(final QueuePair qp, final SendWorkRequest send, final MemoryRegion source,
        final long message, final long wrId)
    {
        source.buffer().putLong(0, message);
        final int rc = qp.postSend(send.clear().wrId(wrId).opcode(Opcode.SEND)
            .flags(SendFlags.SIGNALED | SendFlags.INLINE).sge(source, 0, 8));
        if (rc != 0)
        {
            assertEquals(Errors.ENOMEM, rc);
        }
        return rc == 0;
    }

    /** Opens INVOKER devices under fresh names. */
    private static final class Verbs
    {
        private static int names;

        static synchronized Device open(final String name)
        {
            return io.softverbs.Verbs.open(DeviceConfig.builder(name + "-" + ++names).progress(ProgressMode.INVOKER)
                .build());
        }
    }

    private final class Side
    {
        final Context ctx;
        final CompletionQueue cq;
        final QueuePair qp;
        final MemoryRegion source;
        final MemoryRegion sink;
        private final RecvWorkRequest recv = new RecvWorkRequest();
        private final SendWorkRequest send = new SendWorkRequest();
        private final WorkCompletion[] wc = TestSupport.freshCompletions(8);
        private final int perPost;
        private final SendWorkRequest[] list = new SendWorkRequest[LIST];

        Side(final Context ctx, final int perPost)
        {
            this.ctx = ctx;
            this.perPost = perPost;
            for (int i = 0; i < LIST; i++)
            {
                list[i] = new SendWorkRequest();
            }
            ctx.onAsyncEvent(events::add);
            final ProtectionDomain pd = ctx.allocPd();
            cq = ctx.createCq(2 * DEPTH); // one CQ: this side's send completions and its receives
            qp = pd.createQueuePair(QpInit.builder().sendCq(cq).recvCq(cq).maxSendWr(DEPTH).maxRecvWr(DEPTH)
                .maxInlineData(64).build());
            source = pd.allocateMemory((long)SLOT * LIST, Access.LOCAL_WRITE);
            sink = pd.allocateMemory((long)SLOT * DEPTH, Access.LOCAL_WRITE);
        }

        void postAllReceives()
        {
            for (int slot = 0; slot < DEPTH; slot++)
            {
                assertEquals(0, qp.postRecv(recv.clear().wrId(slot).sge(sink, (long)SLOT * slot, SLOT)));
            }
        }

        /** Sends message 1..MESSAGES to the peer while taking the peer's messages and its own send completions. */
        Void run(final Side peer)
        {
            long sent = 0;
            long completed = 0;
            long received = 0;
            while (completed < MESSAGES || received < MESSAGES)
            {
                if (perPost == 1)
                {
                    if (sent < MESSAGES && trySend(qp, send, source, sent + 1, sent + 1))
                    {
                        sent++;
                    }
                }
                else if (sent < MESSAGES)
                {
                    sent += postList(sent);
                }
                final int n = cq.poll(wc);
                for (int i = 0; i < n; i++)
                {
                    final WorkCompletion c = wc[i];
                    assertEquals(WcStatus.SUCCESS, c.status(), c::toString);
                    if (c.opcode() == WcOpcode.SEND && perPost == 1)
                    {
                        assertEquals(++completed, c.wrId(), "send completions in posting order");
                    }
                    else if (c.opcode() == WcOpcode.SEND)
                    {
                        // Signaled: every LIST-th message and the last; each accounts for the messages up to it.
                        assertTrue(c.wrId() > completed && (c.wrId() % LIST == 0 || c.wrId() == MESSAGES),
                            () -> "send completion " + c.wrId() + " after " + LIST + "-aligned ones up to it");
                        completed = c.wrId();
                    }
                    else
                    {
                        assertEquals(WcOpcode.RECV, c.opcode(), c::toString);
                        assertEquals(peer.qp.qpNum(), c.srcQp());
                        final int slot = (int)c.wrId();
                        assertEquals(++received, sink.buffer().getLong(SLOT * slot), "messages in order");
                        assertEquals(0, qp.postRecv(recv.clear().wrId(slot).sge(sink, (long)SLOT * slot, SLOT)));
                    }
                }
            }
            return null;
        }

        /**
         * Posts messages sent+1 .. sent+LIST (fewer at the end) as one list of inline SENDs.
         *
         * @return how many the send queue took.
         */
        private int postList(final long sent)
        {
            final int k = (int)Math.min(LIST, MESSAGES - sent);
            for (int i = 0; i < k; i++)
            {
                final long message = sent + 1 + i;
                source.buffer().putLong(SLOT * i, message);
                final boolean signaled = message % LIST == 0 || message == MESSAGES;
                list[i].clear().wrId(message).opcode(Opcode.SEND).sge(source, (long)SLOT * i, 8)
                    .flags(signaled ? SendFlags.SIGNALED | SendFlags.INLINE : SendFlags.INLINE);
            }
            return qp.postSend(list, 0, k); // the rest, refused by a full send queue, goes in the next list
        }
    }
}
