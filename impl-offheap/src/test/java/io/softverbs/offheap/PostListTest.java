package io.softverbs.offheap;

import static io.softverbs.offheap.TestSupport.recv;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.UnaryOperator;

import io.softverbs.Access;
import io.softverbs.Errors;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.QpInit;
import io.softverbs.QueuePair;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SharedReceiveQueue;
import io.softverbs.SrqInit;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code QueuePair.postSend(list, offset, length)}, the list form of {@code ibv_post_send}: the requests are posted
 * in order, the first refused one stops the list with nothing after it posted (its {@code bad_wr}), and a list is
 * the same to the peer as its requests posted one by one, whether they are executed in the post (the mem direct path,
 * which runs the list under one entry into the engine) or travel. Runs in the lanes-only run too, except the test
 * that is about the direct path. The receive side's lists ({@code ibv_post_recv}, {@code ibv_post_srq_recv}) are
 * taken in order the same way.
 */
@Timeout(60)
class PostListTest
{
    private static final int SLOT = 64;
    private static final int DEPTH = 8;

    private Pair pair;
    private MemoryRegion local;
    private MemoryRegion sink;

    @AfterEach
    void close()
    {
        if (pair != null)
        {
            pair.close();
        }
    }

    private void open(final int maxSendWr)
    {
        open(o -> o.maxSendWr(maxSendWr));
    }

    private void open(final UnaryOperator<QpInit.Builder> options)
    {
        pair = Pair.open(ProgressMode.INVOKER, o -> options.apply(o.maxInlineData(64)), true);
        local = pair.a.alloc(1 << 16, Access.LOCAL_WRITE);
        sink = pair.b.alloc(1 << 16, Access.LOCAL_WRITE | Access.REMOTE_WRITE | Access.REMOTE_READ);
    }

    /** n SENDs of 8 bytes each, request i carrying i: inline and SEND_WITH_IMM every other one, signaled as given. */
    private SendWorkRequest[] sends(final int n, final int signalEvery)
    {
        final SendWorkRequest[] list = new SendWorkRequest[n];
        for (int i = 0; i < n; i++)
        {
            local.buffer().putLong(i * 8, 1000 + i);
            final boolean signaled = (i + 1) % signalEvery == 0 || i == n - 1;
            list[i] = new SendWorkRequest().wrId(i).opcode(i % 2 == 0 ? Opcode.SEND : Opcode.SEND_WITH_IMM)
                .immData(0x100 + i).sge(local, i * 8, 8)
                .flags((signaled ? SendFlags.SIGNALED : 0) | (i % 2 == 0 ? SendFlags.INLINE : 0));
        }
        return list;
    }

    private void postReceives(final int first, final int n)
    {
        for (int i = first; i < first + n; i++)
        {
            assertEquals(0, pair.qpB.postRecv(recv(i, sink, (long)i * SLOT, SLOT)));
        }
    }

    /** Receives first..first+n-1 completed in order, each holding what SEND i carried. */
    private void assertReceived(final int first, final int n)
    {
        final List<WorkCompletion> received = pair.poll(pair.b.recvCq, n);
        for (int k = 0; k < n; k++)
        {
            final int i = first + k;
            final WorkCompletion wc = received.get(k);
            assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
            assertEquals(i, wc.wrId(), "receive completions in posting order");
            assertEquals(8, wc.byteLen());
            assertEquals(i % 2 == 1, wc.hasImm(), wc::toString);
            if (wc.hasImm())
            {
                assertEquals(0x100 + i, wc.immData());
            }
            assertEquals(1000 + i, sink.buffer().getLong(i * SLOT), "payload of SEND " + i);
        }
    }

    private void assertSendCompletions(final int... wrIds)
    {
        final List<WorkCompletion> sent = pair.poll(pair.a.sendCq, wrIds.length);
        for (int k = 0; k < wrIds.length; k++)
        {
            assertEquals(WcStatus.SUCCESS, sent.get(k).status(), sent.get(k)::toString);
            assertEquals(WcOpcode.SEND, sent.get(k).opcode());
            assertEquals(wrIds[k], sent.get(k).wrId());
        }
        pair.assertEmpty(pair.a.sendCq);
    }

    @Test
    void aListArrivesInOrderWithItsSignaledCompletions()
    {
        open(64);
        postReceives(0, 20);
        final SendWorkRequest[] list = sends(20, 8);
        assertEquals(20, pair.qpA.postSend(list, 0, 20));
        assertReceived(0, 20);
        pair.assertEmpty(pair.b.recvCq);
        assertSendCompletions(7, 15, 19);
    }

    @Test
    void aListOfSendsCompletesWithoutThePeersEngine()
    {
        TestSupport.assumeDirectPath();
        open(64);
        postReceives(0, 20);
        assertEquals(20, pair.qpA.postSend(sends(20, 8), 0, 20));
        // Only A's engine runs: a SEND that travelled would need B's engine to place it and to ACK it.
        for (final int wrId : new int[] {7, 15, 19})
        {
            final WorkCompletion wc = TestSupport.pollOne(pair.a.sendCq, pair.a.ctx);
            assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
            assertEquals(wrId, wc.wrId());
        }
        assertReceived(0, 20);
    }

    @Test
    void aListStopsAtTheFirstRequestItRefuses()
    {
        open(64);
        postReceives(0, 6);
        final SendWorkRequest[] list = sends(6, 1);
        list[2].clear().wrId(2).opcode(Opcode.SEND).flags(SendFlags.SIGNALED | SendFlags.INLINE).sge(local, 0, 65);
        assertEquals(2, pair.qpA.postSend(list, 0, 6), "stops at the inline request longer than maxInlineData");
        assertEquals(Errors.EINVAL, pair.qpA.postSend(list[2]), "the reason, and still nothing posted");
        assertReceived(0, 2);
        assertSendCompletions(0, 1);
        pair.assertEmpty(pair.b.recvCq); // nothing after the refused request was posted

        // Posting again from after the refused one: the receives it would have taken go to the next ones.
        list[2].clear().wrId(2).opcode(Opcode.SEND).flags(SendFlags.SIGNALED).sge(local, 16, 8);
        assertEquals(4, pair.qpA.postSend(list, 2, 4));
        assertReceived(2, 4);
        assertSendCompletions(2, 3, 4, 5);
    }

    @Test
    void aListLongerThanTheReceivesPostedWaitsForThemInOrder()
    {
        open(64);
        postReceives(0, 3);
        assertEquals(9, pair.qpA.postSend(sends(9, 9), 0, 9));
        assertReceived(0, 3);
        postReceives(3, 6);
        assertReceived(3, 6); // the rest were refused with RNR NAKs and sent again, in order
        assertSendCompletions(8);
    }

    @Test
    void aFullSendQueueTakesWhatFitsAndThePostGoesOnFromTheRefusedRequest()
    {
        open(DEPTH);
        postReceives(0, DEPTH + 4);
        final SendWorkRequest[] list = sends(DEPTH + 4, 1); // all signaled: each holds its slot until polled
        final int taken = pair.qpA.postSend(list, 0, DEPTH + 4);
        assertEquals(DEPTH, taken, "a queue of " + DEPTH + " with no completion polled");
        assertEquals(Errors.ENOMEM, pair.qpA.postSend(list[taken]));
        final int[] first = new int[taken];
        for (int i = 0; i < taken; i++)
        {
            first[i] = i;
        }
        assertSendCompletions(first);
        assertEquals(DEPTH + 4 - taken, pair.qpA.postSend(list, taken, DEPTH + 4 - taken));
        assertReceived(0, DEPTH + 4);
        final int[] rest = new int[DEPTH + 4 - taken];
        for (int i = 0; i < rest.length; i++)
        {
            rest[i] = taken + i;
        }
        assertSendCompletions(rest);
    }

    @Test
    void aRangeOutsideTheListOrAQpNotReadyPostsNothing()
    {
        open(64);
        postReceives(0, 4);
        final SendWorkRequest[] list = sends(4, 1);
        assertEquals(0, pair.qpA.postSend(list, -1, 2));
        assertEquals(0, pair.qpA.postSend(list, 0, 5));
        assertEquals(0, pair.qpA.postSend(list, 3, 2));
        assertEquals(0, pair.qpA.postSend(list, 2, -1));
        assertEquals(0, pair.qpA.postSend(list, 4, 0));
        pair.assertEmpty(pair.b.recvCq);

        final QueuePair fresh = pair.a.createQp(o -> o); // RESET: a post is refused with EPERM
        assertEquals(Errors.EPERM, fresh.postSend(list[0]));
        assertEquals(0, fresh.postSend(list, 0, 4));
        fresh.close();

        assertEquals(4, pair.qpA.postSend(list, 0, 4)); // the list was left as it was
        assertReceived(0, 4);
    }

    @Test
    void aListMixesOneSidedRequestsAndSendsInOrder()
    {
        open(64);
        postReceives(0, 2);
        local.buffer().putLong(4096, 77);
        final SendWorkRequest[] list = {
            new SendWorkRequest().wrId(10).opcode(Opcode.RDMA_WRITE).sge(local, 4096, 8)
                .remote(sink.address() + 8192, sink.rkey()),
            sends(1, 1)[0].flags(0),
            new SendWorkRequest().wrId(11).opcode(Opcode.RDMA_READ).flags(SendFlags.SIGNALED)
                .sge(local, 4104, 8).remote(sink.address() + 8192, sink.rkey()),
        };
        assertEquals(3, pair.qpA.postSend(list, 0, 3));
        final WorkCompletion read = pair.pollOne(pair.a.sendCq);
        assertEquals(WcStatus.SUCCESS, read.status(), read::toString);
        assertEquals(11, read.wrId());
        assertEquals(77, local.buffer().getLong(4104), "the READ saw the WRITE posted before it");
        assertReceived(0, 1);
    }

    /** Receives i = first .. first+n-1, each into its own slot of the sink; entries past n stay null. */
    private RecvWorkRequest[] receives(final int first, final int n, final int size)
    {
        final RecvWorkRequest[] list = new RecvWorkRequest[size];
        for (int k = 0; k < n; k++)
        {
            list[k] = recv(first + k, sink, (long)(first + k) * SLOT, SLOT);
        }
        return list;
    }

    @Test
    void aReceiveListIsTakenInOrderUpToTheFirstItRefuses()
    {
        open(o -> o.maxRecvWr(DEPTH).maxRecvSge(1));
        final RecvWorkRequest[] list = receives(0, DEPTH + 2, DEPTH + 2);
        assertEquals(DEPTH, pair.qpB.postRecv(list, 0, DEPTH + 2), "a queue of " + DEPTH);
        assertEquals(Errors.ENOMEM, pair.qpB.postRecv(list[DEPTH]));
        assertEquals(DEPTH, pair.qpA.postSend(sends(DEPTH, DEPTH), 0, DEPTH));
        assertReceived(0, DEPTH);
        assertSendCompletions(DEPTH - 1);

        // Room again: the list goes on from the refused request. One with two SGEs, past maxRecvSge, stops it.
        final RecvWorkRequest[] more = receives(DEPTH, 3, 3);
        more[1].sge(sink, 0, 8);
        assertEquals(1, pair.qpB.postRecv(more, 0, 3));
        assertEquals(Errors.EINVAL, pair.qpB.postRecv(more[1]));
        final SendWorkRequest[] next = sends(DEPTH + 2, 1);
        assertEquals(1, pair.qpA.postSend(next, DEPTH, 1));
        assertReceived(DEPTH, 1);
        assertSendCompletions(DEPTH);
        pair.assertEmpty(pair.b.recvCq);
    }

    @Test
    void aReceiveListOutsideItsArrayOrOnAQpInResetPostsNothing()
    {
        open(64);
        final RecvWorkRequest[] list = receives(0, 2, 2);
        assertEquals(0, pair.qpB.postRecv(list, -1, 1));
        assertEquals(0, pair.qpB.postRecv(list, 1, 2));
        assertEquals(0, pair.qpB.postRecv(list, 0, -1));
        final QueuePair fresh = pair.b.createQp(o -> o);
        assertEquals(Errors.EPERM, fresh.postRecv(list[0]));
        assertEquals(0, fresh.postRecv(list, 0, 2));
        fresh.close();

        // Nothing was posted: a SEND finds no receive, and waits for the one posted now.
        assertEquals(1, pair.qpA.postSend(sends(1, 1), 0, 1));
        assertEquals(1, pair.qpB.postRecv(list, 0, 1));
        assertReceived(0, 1);
    }

    @Test
    void aSharedReceiveQueueTakesAListInOrder()
    {
        open(64);
        final SharedReceiveQueue srq = pair.b.pd.createSrq(SrqInit.builder().maxWr(4).maxSge(1).build());
        final QueuePair sender = pair.a.createQp(o -> o.maxInlineData(64));
        final QueuePair receiver = pair.b.createQp(o -> o.srq(srq));
        TestSupport.connect(sender, receiver);
        final RecvWorkRequest[] list = receives(0, 6, 6);
        assertEquals(4, srq.postRecv(list, 0, 6), "an SRQ of 4");
        assertEquals(0, srq.postRecv(list, 5, 2), "a range past the array");
        assertEquals(4, sender.postSend(sends(4, 4), 0, 4));
        assertReceived(0, 4);
        assertEquals(2, srq.postRecv(list, 4, 2));
        final SendWorkRequest[] rest = sends(6, 1);
        assertEquals(2, sender.postSend(rest, 4, 2));
        assertReceived(4, 2);
        receiver.close();
        sender.close();
        srq.close();
    }
}
