package io.softverbs.offheap;

import java.util.ArrayList;
import java.util.List;

import io.softverbs.Access;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.QpEndpoint;
import io.softverbs.QpState;
import io.softverbs.QueuePair;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.softverbs.offheap.TestSupport.recv;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * PSNs are 24 bits and wrap. Both directions of a QP pair start just before the wrap, and the traffic that crosses
 * it includes an RNR episode (a go-back-N rewind to the first PSN after the wrap), SENDs, WRITEs and
 * fetch-and-adds: everything arrives once, in order, and completes with success.
 */
@Timeout(60)
class PsnWrapTest
{
    private static final int A_TO_B_PSN = 0xFF_FFFE;
    private static final int B_TO_A_PSN = 0xFF_FFFF;
    private static final int MESSAGES = 24;

    private Pair pair;

    @AfterEach
    void close()
    {
        pair.close();
    }

    @ParameterizedTest
    @EnumSource(ProgressMode.class)
    void trafficAcrossTheWrapArrivesOnceAndInOrder(final ProgressMode mode)
    {
        pair = Pair.open(mode, o -> o, false);
        connect(pair.qpA, pair.qpB, A_TO_B_PSN, B_TO_A_PSN);
        connect(pair.qpB, pair.qpA, B_TO_A_PSN, A_TO_B_PSN);
        final MemoryRegion srcA = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion dstB = pair.b.alloc(64 * 1024, Access.LOCAL_WRITE | Access.REMOTE_WRITE |
            Access.REMOTE_ATOMIC);
        final SendWorkRequest wr = new SendWorkRequest();

        // Two receives at B for four SENDs (PSNs 0xFFFFFE, 0xFFFFFF, 0, 1): the third is refused with an RNR NAK,
        // and A goes back to PSN 0 with the ACK of 0xFFFFFF in hand.
        assertEquals(0, pair.qpB.postRecv(recv(0, dstB, 0, 64)));
        assertEquals(0, pair.qpB.postRecv(recv(1, dstB, 64, 64)));
        for (int i = 0; i < 4; i++)
        {
            srcA.buffer().putInt(i * 8, i);
            assertEquals(0, pair.qpA.postSend(wr.clear().opcode(Opcode.SEND).flags(SendFlags.SIGNALED)
                .sge(srcA, i * 8, 4).wrId(i)));
        }
        final List<WorkCompletion> first = pair.poll(pair.b.recvCq, 2);
        for (int i = 2; i < MESSAGES; i++)
        {
            assertEquals(0, pair.qpB.postRecv(recv(i, dstB, i * 64, 64)));
        }
        // Then WRITEs and fetch-and-adds between more SENDs, all across the wrap.
        for (int i = 4; i < MESSAGES; i++)
        {
            srcA.buffer().putInt(i * 8, i);
            assertEquals(0, pair.qpA.postSend(wr.clear().opcode(Opcode.RDMA_WRITE)
                .sge(srcA, i * 8, 4).remote(dstB.address() + 8192 + i * 8, dstB.rkey()).wrId(1000 + i)));
            assertEquals(0, pair.qpA.postSend(wr.clear().opcode(Opcode.ATOMIC_FETCH_AND_ADD)
                .sge(srcA, 2048 + i * 8, 8).remote(dstB.address() + 16384, dstB.rkey()).compareAdd(1).wrId(2000 + i)));
            assertEquals(0, pair.qpA.postSend(wr.clear().opcode(Opcode.SEND).flags(SendFlags.SIGNALED)
                .sge(srcA, i * 8, 4).wrId(i)));
        }

        final List<WorkCompletion> received = new ArrayList<>(first);
        received.addAll(pair.poll(pair.b.recvCq, MESSAGES - 2));
        for (int i = 0; i < MESSAGES; i++)
        {
            assertEquals(WcStatus.SUCCESS, received.get(i).status(), received.get(i)::toString);
            assertEquals(i, received.get(i).wrId(), "receives complete in order");
            assertEquals(i, dstB.buffer().getInt(i * 64), "each SEND landed once, in its own receive");
        }
        final List<WorkCompletion> sent = pair.poll(pair.a.sendCq, MESSAGES);
        for (int i = 0; i < MESSAGES; i++)
        {
            assertEquals(WcStatus.SUCCESS, sent.get(i).status(), sent.get(i)::toString);
            assertEquals(i, sent.get(i).wrId());
        }
        for (int i = 4; i < MESSAGES; i++)
        {
            assertEquals(i, dstB.buffer().getInt(8192 + i * 8));
            assertEquals(i - 4, srcA.buffer().getLong(2048 + i * 8), "each fetch-and-add executed once");
        }
        assertEquals(MESSAGES - 4, dstB.buffer().getLong(16384));

        // And the other direction, whose PSNs wrap after the first request.
        final MemoryRegion srcB = pair.b.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion dstA = pair.a.alloc(4096, Access.LOCAL_WRITE);
        for (int i = 0; i < 8; i++)
        {
            assertEquals(0, pair.qpA.postRecv(recv(i, dstA, i * 64, 64)));
            srcB.buffer().putInt(i * 8, -i);
            assertEquals(0, pair.qpB.postSend(wr.clear().opcode(Opcode.SEND).flags(SendFlags.INLINE)
                .sge(srcB, i * 8, 4).wrId(i)));
        }
        final List<WorkCompletion> replies = pair.poll(pair.a.recvCq, 8);
        for (int i = 0; i < 8; i++)
        {
            assertEquals(WcOpcode.RECV, replies.get(i).opcode());
            assertEquals(i, replies.get(i).wrId());
            assertEquals(-i, dstA.buffer().getInt(i * 64));
        }
        assertEquals(QpState.RTS, pair.qpA.state());
        assertEquals(QpState.RTS, pair.qpB.state());
    }

    /** RESET to RTS with explicit PSNs: {@code sqPsn} for what this QP sends, {@code rqPsn} for what it receives. */
    private static void connect(final QueuePair qp, final QueuePair peer, final int sqPsn, final int rqPsn)
    {
        final QpEndpoint remote = peer.localEndpoint();
        qp.modify(TestSupport.toInit(Access.ALL_REMOTE));
        qp.modify(TestSupport.toRtr(new QpEndpoint(remote.address(), remote.qpNum(), rqPsn), 1));
        qp.modify(TestSupport.toRts(sqPsn, 7));
    }
}
