package io.softverbs.offheap;

import static io.softverbs.offheap.TestSupport.recv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.softverbs.Access;
import io.softverbs.AsyncEventType;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.QpAttributes;
import io.softverbs.QpState;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The mem transport's direct path: a WRITE, READ or atomic to a peer in this process, and a SEND or SEND_WITH_IMM
 * to a peer with a receive posted, is executed by the requester itself, so it completes with the peer's engine never
 * running (a SEND's receive completion is written into the peer's CQ by the sender). Both sides are INVOKER and only
 * the side a test drives runs. What must not change: a request never overtakes one still on its way, and anything
 * the peer would refuse (or could not take yet, a SEND without a receive) travels to the peer and is handled there,
 * with the peer's own error handling.
 */
@Timeout(60)
class DirectExecutionTest
{
    /** Progress calls on the requester alone: far more than a request needs to be executed and completed. */
    private static final int REQUESTER_ONLY_CYCLES = 1_000;

    private final SendWorkRequest wr = new SendWorkRequest();
    private Pair pair;
    private MemoryRegion local;
    private MemoryRegion remote;

    @BeforeEach
    void open()
    {
        TestSupport.assumeDirectPath();
        pair = Pair.open(ProgressMode.INVOKER, o -> o.maxInlineData(64), true);
        local = pair.a.alloc(4096, Access.LOCAL_WRITE);
        remote = pair.b.alloc(4096, Access.LOCAL_WRITE | Access.REMOTE_WRITE | Access.REMOTE_READ |
            Access.REMOTE_ATOMIC);
    }

    @AfterEach
    void close()
    {
        if (pair != null)
        {
            pair.close();
        }
    }

    /** Polls A's send CQ, running A's engine only. */
    private WorkCompletion completionWithoutThePeer()
    {
        return TestSupport.pollOne(pair.a.sendCq, pair.a.ctx);
    }

    private void driveRequesterOnly()
    {
        for (int i = 0; i < REQUESTER_ONLY_CYCLES; i++)
        {
            pair.a.ctx.progress();
        }
    }

    @Test
    void writeReadAndAtomicsCompleteWithoutThePeersEngine()
    {
        local.buffer().putLong(0, 0x1122_3344_5566_7788L);
        local.buffer().putLong(8, 0x0102_0304_0506_0708L);
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(1).opcode(Opcode.RDMA_WRITE).flags(SendFlags.SIGNALED)
            .sge(local, 0, 16).remote(remote.address() + 64, remote.rkey())));
        assertSuccess(1, WcOpcode.RDMA_WRITE, completionWithoutThePeer());
        assertEquals(0x1122_3344_5566_7788L, remote.buffer().getLong(64));
        assertEquals(0x0102_0304_0506_0708L, remote.buffer().getLong(72));

        // inline: the payload is read from the WQE itself
        local.buffer().putInt(32, 0xCAFE);
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(2).opcode(Opcode.RDMA_WRITE)
            .flags(SendFlags.SIGNALED | SendFlags.INLINE).sge(local, 32, 4).remote(remote.address(), remote.rkey())));
        assertSuccess(2, WcOpcode.RDMA_WRITE, completionWithoutThePeer());
        assertEquals(0xCAFE, remote.buffer().getInt(0));

        remote.buffer().putLong(128, 77);
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(3).opcode(Opcode.RDMA_READ).flags(SendFlags.SIGNALED)
            .sge(local, 256, 8).remote(remote.address() + 128, remote.rkey())));
        final WorkCompletion read = completionWithoutThePeer();
        assertSuccess(3, WcOpcode.RDMA_READ, read);
        assertEquals(8, read.byteLen());
        assertEquals(77, local.buffer().getLong(256));

        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(4).opcode(Opcode.ATOMIC_FETCH_AND_ADD)
            .flags(SendFlags.SIGNALED).sge(local, 512, 8).remote(remote.address() + 128, remote.rkey())
            .compareAdd(5)));
        assertSuccess(4, WcOpcode.FETCH_ADD, completionWithoutThePeer());
        assertEquals(77, local.buffer().getLong(512));
        assertEquals(82, remote.buffer().getLong(128));

        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(5).opcode(Opcode.ATOMIC_CMP_AND_SWP)
            .flags(SendFlags.SIGNALED).sge(local, 520, 8).remote(remote.address() + 128, remote.rkey())
            .compareAdd(82).swap(1000)));
        assertSuccess(5, WcOpcode.COMP_SWAP, completionWithoutThePeer());
        assertEquals(82, local.buffer().getLong(520));
        assertEquals(1000, remote.buffer().getLong(128));

        // Each executed request consumed its PSN on both sides: a SEND after them is in sequence at the peer.
        final MemoryRegion sink = pair.b.alloc(4096, Access.LOCAL_WRITE);
        assertEquals(0, pair.qpB.postRecv(recv(6, sink, 0, 64)));
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(6).opcode(Opcode.SEND).flags(SendFlags.SIGNALED)
            .sge(local, 0, 16)));
        assertSuccess(6, WcOpcode.RECV, pair.pollOne(pair.b.recvCq));
        assertSuccess(6, WcOpcode.SEND, pair.pollOne(pair.a.sendCq));
        assertEquals(0x1122_3344_5566_7788L, sink.buffer().getLong(0));
    }

    @Test
    void sendsCompleteWithoutThePeersEngineAndTheirReceivesAreInThePeersCq()
    {
        final MemoryRegion sink = pair.b.alloc(4096, Access.LOCAL_WRITE);
        assertEquals(0, pair.qpB.postRecv(recv(11, sink, 0, 64)));
        assertEquals(0, pair.qpB.postRecv(recv(12, sink, 64, 64)));
        local.buffer().putLong(0, 0x0A0B_0C0D_0E0F_1011L);
        local.buffer().putInt(8, 0x1234);
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(1).opcode(Opcode.SEND)
            .flags(SendFlags.SIGNALED | SendFlags.INLINE | SendFlags.SOLICITED).sge(local, 0, 8)));
        assertSuccess(1, WcOpcode.SEND, completionWithoutThePeer());
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(2).opcode(Opcode.SEND_WITH_IMM).flags(SendFlags.SIGNALED)
            .sge(local, 8, 4).immData(0x5151)));
        assertSuccess(2, WcOpcode.SEND, completionWithoutThePeer());

        // Both receives were consumed and completed by A's thread: B's CQ holds them before B's engine ever runs.
        final WorkCompletion first = pair.pollOne(pair.b.recvCq);
        assertSuccess(11, WcOpcode.RECV, first);
        assertEquals(8, first.byteLen());
        assertEquals(pair.qpB.qpNum(), first.qpNum());
        assertEquals(pair.qpA.qpNum(), first.srcQp());
        assertEquals(WorkCompletion.FLAG_SOLICITED, first.flags() & WorkCompletion.FLAG_SOLICITED);
        assertEquals(0x0A0B_0C0D_0E0F_1011L, sink.buffer().getLong(0));
        final WorkCompletion second = pair.pollOne(pair.b.recvCq);
        assertSuccess(12, WcOpcode.RECV, second);
        assertEquals(4, second.byteLen());
        assertEquals(true, second.hasImm());
        assertEquals(0x5151, second.immData());
        assertEquals(0x1234, sink.buffer().getInt(64));

        // Both consumed their PSNs at B too: a request that travels after them is in sequence there.
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(3).opcode(Opcode.SEND).flags(SendFlags.SIGNALED)
            .sge(local, 0, 8)));
        driveRequesterOnly();
        TestSupport.assertEmpty(pair.a.sendCq, pair.a.ctx); // no receive: on its way to B, to wait for one
        assertEquals(0, pair.qpB.postRecv(recv(13, sink, 128, 64)));
        assertSuccess(13, WcOpcode.RECV, pair.pollOne(pair.b.recvCq));
        assertSuccess(3, WcOpcode.SEND, pair.pollOne(pair.a.sendCq));
    }

    @Test
    void aSendThatInvalidatesAKeyOfThePeersTravelsToThePeer()
    {
        final MemoryRegion sink = pair.b.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion granted = pair.b.alloc(4096, Access.LOCAL_WRITE | Access.REMOTE_WRITE |
            Access.REMOTE_INVALIDATE);
        assertEquals(0, pair.qpB.postRecv(recv(21, sink, 0, 64)));
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(1).opcode(Opcode.SEND_WITH_INV).flags(SendFlags.SIGNALED)
            .sge(local, 0, 8).invalidateRkey(granted.rkey())));
        driveRequesterOnly();
        TestSupport.assertEmpty(pair.a.sendCq, pair.a.ctx); // the peer's own engine changes its region's state

        final WorkCompletion received = pair.pollOne(pair.b.recvCq);
        assertSuccess(21, WcOpcode.RECV, received);
        assertEquals(true, received.hasInv());
        assertEquals(granted.rkey(), received.invalidatedRkey());
        assertSuccess(1, WcOpcode.SEND, pair.pollOne(pair.a.sendCq));
    }

    @Test
    void aSendThePeerWouldRefuseIsRefusedByThePeer()
    {
        final MemoryRegion sink = pair.b.alloc(4096, Access.LOCAL_WRITE);
        assertEquals(0, pair.qpB.postRecv(recv(31, sink, 0, 4))); // too small for the 8 bytes sent
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(1).opcode(Opcode.SEND).flags(SendFlags.SIGNALED)
            .sge(local, 0, 8)));
        driveRequesterOnly();
        TestSupport.assertEmpty(pair.a.sendCq, pair.a.ctx); // not executed, not failed: on its way to the peer

        final WorkCompletion received = pair.pollOne(pair.b.recvCq);
        assertEquals(WcStatus.LOC_LEN_ERR, received.status(), received::toString);
        assertEquals(31, received.wrId());
        final WorkCompletion sent = pair.pollOne(pair.a.sendCq);
        assertEquals(WcStatus.REM_INV_REQ_ERR, sent.status(), sent::toString);
    }

    @Test
    void aPostAfterAPollThatFoundACompletionGoesOutAtOnce()
    {
        // A direct WRITE completes inside postSend, so the poll after it finds its completion and runs no engine
        // cycle. The next post must still count as one after a poll, not as part of a burst left for a later cycle.
        for (int value = 1; value <= 3; value++)
        {
            local.buffer().putInt(0, value);
            assertEquals(0, pair.qpA.postSend(wr.clear().wrId(value).opcode(Opcode.RDMA_WRITE)
                .flags(SendFlags.SIGNALED).sge(local, 0, 4).remote(remote.address(), remote.rkey())));
            assertEquals(value, remote.buffer().getIntVolatile(0), "write " + value + " held back");
            final WorkCompletion[] wc = {new WorkCompletion()};
            assertEquals(1, pair.a.sendCq.poll(wc));
            assertSuccess(value, WcOpcode.RDMA_WRITE, wc[0]);
        }
    }

    @Test
    void aBurstOfOneSidedPostsExecutesEachInItsOwnPost()
    {
        // The fused post: with nothing outstanding, postSend itself executes the request. Without it, the posts of
        // a burst (no poll in between) would wait in the send ring for the next engine cycle.
        for (int value = 1; value <= 4; value++)
        {
            local.buffer().putInt(0, value);
            assertEquals(0, pair.qpA.postSend(wr.clear().wrId(value).opcode(Opcode.RDMA_WRITE)
                .flags(value % 2 == 0 ? SendFlags.SIGNALED : SendFlags.SIGNALED | SendFlags.INLINE)
                .sge(local, 0, 4).remote(remote.address(), remote.rkey())));
            assertEquals(value, remote.buffer().getIntVolatile(0), "write " + value + " left for a later cycle");
        }
        remote.buffer().putLong(64, 9);
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(5).opcode(Opcode.RDMA_READ).flags(SendFlags.SIGNALED)
            .sge(local, 8, 8).remote(remote.address() + 64, remote.rkey())));
        assertEquals(9, local.buffer().getLongVolatile(8), "READ left for a later cycle");
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(6).opcode(Opcode.ATOMIC_FETCH_AND_ADD)
            .sge(local, 16, 8).remote(remote.address() + 64, remote.rkey()).compareAdd(1)));
        assertEquals(10, remote.buffer().getLongVolatile(64), "atomic left for a later cycle");

        // Each signaled one completed in its post, in posting order; the unsignaled atomic left no completion.
        final WorkCompletion[] wc = {new WorkCompletion(), new WorkCompletion(), new WorkCompletion(),
            new WorkCompletion(), new WorkCompletion(), new WorkCompletion()};
        assertEquals(5, pair.a.sendCq.poll(wc));
        for (int i = 0; i < 4; i++)
        {
            assertSuccess(i + 1, WcOpcode.RDMA_WRITE, wc[i]);
            assertEquals(4, wc[i].byteLen());
        }
        assertSuccess(5, WcOpcode.RDMA_READ, wc[4]);
        TestSupport.assertEmpty(pair.a.sendCq, pair.a.ctx);
    }

    @Test
    void aLocalMemoryFaultIsReportedByTheRequester()
    {
        // A request the post cannot execute (its own memory fails a check) is posted the ordinary way and fails
        // there, with the local status, and the peer's memory is not touched.
        final MemoryRegion readOnly = pair.a.alloc(4096, 0);
        remote.buffer().putLong(0, 5);
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(1).opcode(Opcode.RDMA_READ).flags(SendFlags.SIGNALED)
            .sge(readOnly, 0, 8).remote(remote.address(), remote.rkey())));
        assertEquals(WcStatus.LOC_PROT_ERR, completionWithoutThePeer().status());
        assertEquals(0, readOnly.buffer().getLong(0), "a READ wrote a sink without LOCAL_WRITE");
        assertEquals(QpState.ERR, pair.qpA.state());
    }

    @Test
    void aWriteFromAnUnregisteredRangeIsReportedByTheRequester()
    {
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(1).opcode(Opcode.RDMA_WRITE).flags(SendFlags.SIGNALED)
            .sge(local.address() + 4000, 200, local.lkey()).remote(remote.address(), remote.rkey())));
        assertEquals(WcStatus.LOC_PROT_ERR, completionWithoutThePeer().status());
        assertEquals(0, remote.buffer().getLong(0), "bytes from outside the region reached the peer");
    }

    @Test
    void aOneSidedRequestNeverOvertakesARequestStillOnItsWay()
    {
        final MemoryRegion sink = pair.b.alloc(4096, Access.LOCAL_WRITE);
        local.buffer().putInt(0, 41);
        local.buffer().putInt(4, 42);
        // No receive at B yet: the SEND cannot be executed directly and travels, to wait for B's engine.
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(1).opcode(Opcode.SEND).sge(local, 0, 4)));
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(2).opcode(Opcode.RDMA_WRITE).flags(SendFlags.SIGNALED)
            .sge(local, 4, 4).remote(remote.address(), remote.rkey())));

        driveRequesterOnly();
        assertEquals(0, remote.buffer().getIntVolatile(0), "the WRITE ran while the SEND before it had not");
        TestSupport.assertEmpty(pair.a.sendCq, pair.a.ctx);
        assertEquals(0, pair.qpB.postRecv(recv(1, sink, 0, 64)));

        final WorkCompletion received = pair.pollOne(pair.b.recvCq); // now the peer runs: SEND, then WRITE
        assertSuccess(1, WcOpcode.RECV, received);
        assertSuccess(2, WcOpcode.RDMA_WRITE, pair.pollOne(pair.a.sendCq));
        assertEquals(41, sink.buffer().getInt(0));
        assertEquals(42, remote.buffer().getInt(0));
    }

    @Test
    void aRequestThePeerWouldRefuseIsRefusedByThePeer()
    {
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(1).opcode(Opcode.RDMA_WRITE).flags(SendFlags.SIGNALED)
            .sge(local, 0, 8).remote(remote.address(), remote.rkey() ^ 0x80)));

        driveRequesterOnly();
        TestSupport.assertEmpty(pair.a.sendCq, pair.a.ctx); // not executed, not failed: on its way to the peer

        final WorkCompletion wc = pair.pollOne(pair.a.sendCq);
        assertEquals(WcStatus.REM_ACCESS_ERR, wc.status(), wc::toString);
        // The peer's responder saw it: its QP went to ERR with the access-error event, as for any travelled request.
        pair.awaitEvent(pair.b.events, AsyncEventType.QP_ACCESS_ERR);
        assertEquals(QpState.ERR, pair.qpB.state());
    }

    @Test
    void aPeerConnectedElsewhereIsNotWrittenDirectly()
    {
        // The peer moves on (to ERR here): it no longer takes requests, and nothing may reach its memory directly.
        pair.qpB.modify(QpAttributes.builder().state(QpState.ERR).build());
        TestSupport.awaitState(pair.qpB, QpState.ERR, pair.b.ctx);
        local.buffer().putInt(0, 7);
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(1).opcode(Opcode.RDMA_WRITE).flags(SendFlags.SIGNALED)
            .sge(local, 0, 4).remote(remote.address(), remote.rkey())));
        driveRequesterOnly();
        pair.b.ctx.progress();
        assertNotEquals(7, remote.buffer().getIntVolatile(0));
        TestSupport.assertEmpty(pair.a.sendCq, pair.a.ctx);
    }

    private static void assertSuccess(final long wrId, final WcOpcode opcode, final WorkCompletion wc)
    {
        assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
        assertEquals(wrId, wc.wrId());
        assertEquals(opcode, wc.opcode());
    }
}
