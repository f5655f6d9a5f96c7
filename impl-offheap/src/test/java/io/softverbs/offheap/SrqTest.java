package io.softverbs.offheap;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.softverbs.Access;
import io.softverbs.AsyncEvent;
import io.softverbs.AsyncEventType;
import io.softverbs.Errors;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.QueuePair;
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

import static io.softverbs.offheap.TestSupport.assertPattern;
import static io.softverbs.offheap.TestSupport.fill;
import static io.softverbs.offheap.TestSupport.pollOne;
import static io.softverbs.offheap.TestSupport.pollUntil;
import static io.softverbs.offheap.TestSupport.recv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shared receive queues: one SRQ feeding QPs connected to two different peers, and the SRQ limit event. */
@Timeout(30)
class SrqTest
{
    private final List<Node> nodes = new ArrayList<>();

    @AfterEach
    void tearDown()
    {
        for (final Node node : nodes)
        {
            node.close();
        }
    }

    private Node node(final String prefix)
    {
        final Node node = Node.open(prefix, ProgressMode.DEDICATED);
        nodes.add(node);
        return node;
    }

    private static void send(final QueuePair qp, final long wrId, final MemoryRegion src, final int length)
    {
        assertEquals(0, qp.postSend(new SendWorkRequest().wrId(wrId).opcode(Opcode.SEND).flags(SendFlags.SIGNALED)
            .sge(src, 0, length)));
    }

    /**
     * A correct engine never raises the event at these points, so this cannot fail spuriously; a wrong, early event
     * is caught whenever it has been delivered by the time the matching completion was polled.
     */
    private static void assertNoLimitEvent(final Node node, final String why)
    {
        for (final AsyncEvent event : node.events)
        {
            assertTrue(event.type() != AsyncEventType.SRQ_LIMIT_REACHED, () -> why + ": " + node.events);
        }
    }

    @Test
    void srqIsSharedByQpsConnectedToTwoPeers()
    {
        final Node owner = node("srq-owner");
        final Node peerA = node("srq-peer-a");
        final Node peerC = node("srq-peer-c");
        final SharedReceiveQueue srq = owner.pd.createSrq(SrqInit.builder().maxWr(16).maxSge(1).build());
        final QueuePair ownerA = owner.createQp(o -> o.srq(srq));
        final QueuePair ownerC = owner.createQp(o -> o.srq(srq));
        final QueuePair qpA = peerA.createQp(o -> o);
        final QueuePair qpC = peerC.createQp(o -> o);
        TestSupport.connect(qpA, ownerA);
        TestSupport.connect(qpC, ownerC);

        final MemoryRegion dst = owner.alloc(4 * 1024, Access.LOCAL_WRITE);
        // A QP attached to an SRQ takes receives only from it.
        assertEquals(Errors.EINVAL, ownerA.postRecv(recv(99, dst, 0, 1024)));
        for (int i = 0; i < 4; i++)
        {
            assertEquals(0, srq.postRecv(recv(100 + i, dst, 1024L * i, 1024)));
        }

        final MemoryRegion srcA = peerA.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion srcC = peerC.alloc(4096, Access.LOCAL_WRITE);
        fill(srcA.buffer(), 0, 200, 1);
        fill(srcC.buffer(), 0, 300, 2);
        send(qpA, 1, srcA, 200);
        send(qpC, 2, srcC, 300);
        send(qpA, 3, srcA, 200);
        send(qpC, 4, srcC, 300);

        final List<WorkCompletion> received = pollUntil(owner.recvCq, 4);
        final Set<Long> wrIds = new HashSet<>();
        int fromA = 0;
        int fromC = 0;
        for (final WorkCompletion wc : received)
        {
            assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
            assertEquals(WcOpcode.RECV, wc.opcode(), wc::toString);
            assertTrue(wrIds.add(wc.wrId()), "each SRQ receive consumed once: " + received);
            final int slot = (int)(wc.wrId() - 100);
            if (wc.qpNum() == ownerA.qpNum())
            {
                fromA++;
                assertEquals(qpA.qpNum(), wc.srcQp(), wc::toString);
                assertEquals(200, wc.byteLen());
                assertPattern(dst.buffer(), 1024 * slot, 200, 1, 0);
            }
            else
            {
                fromC++;
                assertEquals(ownerC.qpNum(), wc.qpNum(), wc::toString);
                assertEquals(qpC.qpNum(), wc.srcQp(), wc::toString);
                assertEquals(300, wc.byteLen());
                assertPattern(dst.buffer(), 1024 * slot, 300, 2, 0);
            }
        }
        assertEquals(Set.of(100L, 101L, 102L, 103L), wrIds);
        assertEquals(2, fromA);
        assertEquals(2, fromC);
        for (final WorkCompletion wc : pollUntil(peerA.sendCq, 2))
        {
            assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
        }
        for (final WorkCompletion wc : pollUntil(peerC.sendCq, 2))
        {
            assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
        }
    }

    @Test
    void srqLimitEventFiresOnceWhenReceivesDropBelowTheLimit()
    {
        final Node owner = node("srq-limit-owner");
        final Node peer = node("srq-limit-peer");
        final SharedReceiveQueue srq = owner.pd.createSrq(SrqInit.builder().maxWr(16).maxSge(1).build());
        final QueuePair ownerQp = owner.createQp(o -> o.srq(srq));
        final QueuePair qp = peer.createQp(o -> o);
        TestSupport.connect(qp, ownerQp);
        final MemoryRegion dst = owner.alloc(8 * 256, Access.LOCAL_WRITE);
        final MemoryRegion src = peer.alloc(4096, Access.LOCAL_WRITE);
        for (int i = 0; i < 8; i++)
        {
            assertEquals(0, srq.postRecv(recv(i, dst, 256L * i, 256)));
        }
        srq.armLimit(4);

        // 8 -> 4 posted receives: not below the limit yet.
        for (int i = 0; i < 4; i++)
        {
            send(qp, i, src, 16);
            assertEquals(WcStatus.SUCCESS, pollOne(owner.recvCq).status());
        }
        assertNoLimitEvent(owner, "no event at the limit itself");

        // 4 -> 3: below the limit.
        send(qp, 4, src, 16);
        assertEquals(WcStatus.SUCCESS, pollOne(owner.recvCq).status());
        final AsyncEvent event = TestSupport.awaitEvent(owner.events, AsyncEventType.SRQ_LIMIT_REACHED);
        assertEquals(AsyncEventType.SRQ_LIMIT_REACHED, event.type());

        // 3 -> 1: the limit is one-shot, nothing fires again until it is re-armed.
        send(qp, 5, src, 16);
        send(qp, 6, src, 16);
        assertEquals(2, pollUntil(owner.recvCq, 2).size());
        assertNoLimitEvent(owner, "the limit is one-shot");
        assertEquals(7, pollUntil(peer.sendCq, 7).size());
    }
}
