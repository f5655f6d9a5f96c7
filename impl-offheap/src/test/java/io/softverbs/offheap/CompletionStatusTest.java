package io.softverbs.offheap;

import java.util.List;

import io.softverbs.Access;
import io.softverbs.AsyncEvent;
import io.softverbs.AsyncEventType;
import io.softverbs.CompletionQueue;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.QpAttributes;
import io.softverbs.QpState;
import io.softverbs.QueuePair;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.softverbs.offheap.TestSupport.assertPattern;
import static io.softverbs.offheap.TestSupport.assertZero;
import static io.softverbs.offheap.TestSupport.awaitState;
import static io.softverbs.offheap.TestSupport.connectManually;
import static io.softverbs.offheap.TestSupport.fill;
import static io.softverbs.offheap.TestSupport.recv;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** One test per error completion status (and the async events that go with them), and the flushing after an error. */
@Timeout(30)
class CompletionStatusTest
{
    private static final int REMOTE_RW = Access.LOCAL_WRITE | Access.REMOTE_WRITE | Access.REMOTE_READ;

    private Pair pair;

    @AfterEach
    void tearDown()
    {
        if (pair != null)
        {
            pair.close();
        }
    }

    /** A key that names no live region: same index, different key byte. */
    private static int staleKey(final int key)
    {
        return key ^ 0x5A;
    }

    private WorkCompletion postAndPollOne(final SendWorkRequest wr)
    {
        assertEquals(0, pair.qpA.postSend(wr));
        final WorkCompletion wc = pair.pollOne(pair.a.sendCq);
        assertEquals(wr.wrId(), wc.wrId(), wc::toString);
        return wc;
    }

    @Test
    void receiveTooSmallIsLocLenErrAtResponderAndRemInvReqErrAtRequester()
    {
        pair = Pair.open();
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion dst = pair.b.alloc(4096, Access.LOCAL_WRITE);
        assertEquals(0, pair.qpB.postRecv(recv(401, dst, 0, 16)));

        final WorkCompletion sc = postAndPollOne(new SendWorkRequest().wrId(402).opcode(Opcode.SEND)
            .flags(SendFlags.SIGNALED).sge(src, 0, 64));
        assertEquals(WcStatus.REM_INV_REQ_ERR, sc.status(), sc::toString);

        final WorkCompletion rc = pair.pollOne(pair.b.recvCq);
        assertEquals(401, rc.wrId());
        assertEquals(WcStatus.LOC_LEN_ERR, rc.status(), rc::toString);
        awaitState(pair.qpA, QpState.ERR);
        awaitState(pair.qpB, QpState.ERR);
    }

    @Test
    void badLkeyIsLocProtErr()
    {
        pair = Pair.open();
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion target = pair.b.alloc(4096, REMOTE_RW);
        fill(src.buffer(), 0, 64, 1);

        final WorkCompletion wc = postAndPollOne(new SendWorkRequest().wrId(1).opcode(Opcode.RDMA_WRITE)
            .flags(SendFlags.SIGNALED).sge(src.address(), 64, staleKey(src.lkey()))
            .remote(target.address(), target.rkey()));
        assertEquals(WcStatus.LOC_PROT_ERR, wc.status(), wc::toString);
        assertZero(target.buffer(), 0, 64);
        awaitState(pair.qpA, QpState.ERR);
    }

    @Test
    void localRangeOutsideTheRegionIsLocProtErr()
    {
        pair = Pair.open();
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion target = pair.b.alloc(8192, REMOTE_RW);

        // Starts inside the region, ends 8 bytes past it.
        final WorkCompletion wc = postAndPollOne(new SendWorkRequest().wrId(2).opcode(Opcode.RDMA_WRITE)
            .flags(SendFlags.SIGNALED).sge(src, 4096 - 8, 16).remote(target.address(), target.rkey()));
        assertEquals(WcStatus.LOC_PROT_ERR, wc.status(), wc::toString);
        assertZero(target.buffer(), 0, 16);
        awaitState(pair.qpA, QpState.ERR);
    }

    @Test
    void readIntoSinkWithoutLocalWriteIsLocProtErr()
    {
        pair = Pair.open();
        final MemoryRegion sink = pair.a.alloc(4096, Access.REMOTE_READ); // registered, but not locally writable
        final MemoryRegion remote = pair.b.alloc(4096, Access.REMOTE_READ);
        fill(remote.buffer(), 0, 64, 2);

        final WorkCompletion wc = postAndPollOne(new SendWorkRequest().wrId(3).opcode(Opcode.RDMA_READ)
            .flags(SendFlags.SIGNALED).sge(sink, 0, 64).remote(remote.address(), remote.rkey()));
        assertEquals(WcStatus.LOC_PROT_ERR, wc.status(), wc::toString);
        assertZero(sink.buffer(), 0, 64);
        awaitState(pair.qpA, QpState.ERR);
    }

    @Test
    void badRkeyIsRemAccessErr()
    {
        pair = Pair.open();
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion target = pair.b.alloc(4096, REMOTE_RW);

        final WorkCompletion wc = postAndPollOne(new SendWorkRequest().wrId(4).opcode(Opcode.RDMA_WRITE)
            .flags(SendFlags.SIGNALED).sge(src, 0, 64).remote(target.address(), staleKey(target.rkey())));
        assertEquals(WcStatus.REM_ACCESS_ERR, wc.status(), wc::toString);
        assertZero(target.buffer(), 0, 64);
        awaitState(pair.qpA, QpState.ERR);
    }

    @Test
    void remoteRangeOutsideTheRegionIsRemAccessErr()
    {
        pair = Pair.open();
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion target = pair.b.alloc(4096, REMOTE_RW);
        fill(src.buffer(), 0, 64, 3);

        final WorkCompletion wc = postAndPollOne(new SendWorkRequest().wrId(5).opcode(Opcode.RDMA_WRITE)
            .flags(SendFlags.SIGNALED).sge(src, 0, 64).remote(target.address() + 4096 - 32, target.rkey()));
        assertEquals(WcStatus.REM_ACCESS_ERR, wc.status(), wc::toString);
        assertZero(target.buffer(), 4096 - 32, 32); // not even the part inside the region was written
        awaitState(pair.qpA, QpState.ERR);
    }

    @Test
    void writeToReadOnlyRegionIsRemAccessErr()
    {
        pair = Pair.open();
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion target = pair.b.alloc(4096, Access.LOCAL_WRITE | Access.REMOTE_READ);
        fill(src.buffer(), 0, 64, 4);

        final WorkCompletion wc = postAndPollOne(new SendWorkRequest().wrId(6).opcode(Opcode.RDMA_WRITE)
            .flags(SendFlags.SIGNALED).sge(src, 0, 64).remote(target.address(), target.rkey()));
        assertEquals(WcStatus.REM_ACCESS_ERR, wc.status(), wc::toString);
        assertZero(target.buffer(), 0, 64);
        awaitState(pair.qpA, QpState.ERR);
    }

    @Test
    void readOfWriteOnlyRegionIsRemAccessErr()
    {
        pair = Pair.open();
        final MemoryRegion sink = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion target = pair.b.alloc(4096, Access.LOCAL_WRITE | Access.REMOTE_WRITE);
        fill(target.buffer(), 0, 64, 5);

        final WorkCompletion wc = postAndPollOne(new SendWorkRequest().wrId(7).opcode(Opcode.RDMA_READ)
            .flags(SendFlags.SIGNALED).sge(sink, 0, 64).remote(target.address(), target.rkey()));
        assertEquals(WcStatus.REM_ACCESS_ERR, wc.status(), wc::toString);
        assertZero(sink.buffer(), 0, 64);
        awaitState(pair.qpA, QpState.ERR);
    }

    @Test
    void atomicWithoutRemoteAtomicIsRemAccessErr()
    {
        pair = Pair.open();
        final MemoryRegion result = pair.a.alloc(64, Access.LOCAL_WRITE);
        final MemoryRegion target = pair.b.alloc(4096, REMOTE_RW);
        target.buffer().putLongVolatile(0, 77);

        final WorkCompletion wc = postAndPollOne(new SendWorkRequest().wrId(8).opcode(Opcode.ATOMIC_FETCH_AND_ADD)
            .flags(SendFlags.SIGNALED).sge(result, 0, 8).remote(target.address(), target.rkey()).compareAdd(1));
        assertEquals(WcStatus.REM_ACCESS_ERR, wc.status(), wc::toString);
        assertEquals(77, target.buffer().getLongVolatile(0), "no add happened");
        awaitState(pair.qpA, QpState.ERR);
    }

    @Test
    void remoteAccessViolationRaisesQpAccessErrAtTheResponder()
    {
        pair = Pair.open();
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion target = pair.b.alloc(4096, REMOTE_RW);

        final WorkCompletion wc = postAndPollOne(new SendWorkRequest().wrId(9).opcode(Opcode.RDMA_WRITE)
            .flags(SendFlags.SIGNALED).sge(src, 0, 64).remote(target.address(), staleKey(target.rkey())));
        assertEquals(WcStatus.REM_ACCESS_ERR, wc.status(), wc::toString);

        final AsyncEvent event = pair.awaitEvent(pair.b.events, AsyncEventType.QP_ACCESS_ERR);
        assertEquals(pair.qpB.qpNum(), event.qpNum(), event::toString);
        awaitState(pair.qpB, QpState.ERR);
    }

    @Test
    void rnrRetrySucceedsOnceTheReceiveIsPosted()
    {
        // INVOKER mode so the test decides when engines run: the SEND provably arrives before any receive exists.
        pair = Pair.open(ProgressMode.INVOKER, o -> o, false);
        connectManually(pair.qpA, pair.qpB.localEndpoint(), Access.ALL_REMOTE, 1, 7);
        connectManually(pair.qpB, pair.qpA.localEndpoint(), Access.ALL_REMOTE, 1, 7);
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion dst = pair.b.alloc(4096, Access.LOCAL_WRITE);
        fill(src.buffer(), 0, 128, 6);

        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(10).opcode(Opcode.SEND)
            .flags(SendFlags.SIGNALED).sge(src, 0, 128)));
        for (int i = 0; i < 200; i++)
        {
            pair.a.ctx.progress();
            pair.b.ctx.progress();
        }
        pair.assertEmpty(pair.a.sendCq); // receiver not ready: no completion yet, and no error (rnrRetry 7)
        pair.assertEmpty(pair.b.recvCq);
        assertEquals(QpState.RTS, pair.qpA.state());

        assertEquals(0, pair.qpB.postRecv(recv(11, dst, 0, 4096)));
        final WorkCompletion rc = pair.pollOne(pair.b.recvCq);
        assertEquals(WcStatus.SUCCESS, rc.status(), rc::toString);
        assertEquals(11, rc.wrId());
        assertEquals(128, rc.byteLen());
        assertPattern(dst.buffer(), 0, 128, 6, 0);
        final WorkCompletion sc = pair.pollOne(pair.a.sendCq);
        assertEquals(WcStatus.SUCCESS, sc.status(), sc::toString);
        assertEquals(10, sc.wrId());
    }

    @ParameterizedTest(name = "rnrRetry={0}")
    @ValueSource(ints = {1, 2})
    void rnrRetriesExhaustedIsRnrRetryExcErr(final int rnrRetry)
    {
        pair = Pair.open(ProgressMode.DEDICATED, o -> o, false);
        connectManually(pair.qpA, pair.qpB.localEndpoint(), Access.ALL_REMOTE, 1, rnrRetry);
        connectManually(pair.qpB, pair.qpA.localEndpoint(), Access.ALL_REMOTE, 1, rnrRetry);
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);

        // No receive is ever posted at B.
        final WorkCompletion wc = postAndPollOne(new SendWorkRequest().wrId(12).opcode(Opcode.SEND)
            .flags(SendFlags.SIGNALED).sge(src, 0, 32));
        assertEquals(WcStatus.RNR_RETRY_EXC_ERR, wc.status(), wc::toString);
        awaitState(pair.qpA, QpState.ERR);
        pair.assertEmpty(pair.b.recvCq);
    }

    @Test
    void everythingAfterAnErrorIsFlushed()
    {
        pair = Pair.open();
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion target = pair.b.alloc(4096, REMOTE_RW);
        fill(src.buffer(), 0, 64, 7);
        assertEquals(0, pair.qpA.postRecv(recv(201, src, 1024, 64)));
        assertEquals(0, pair.qpA.postRecv(recv(202, src, 2048, 64)));

        final SendWorkRequest wr = new SendWorkRequest();
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(1).opcode(Opcode.RDMA_WRITE).flags(SendFlags.SIGNALED)
            .sge(src.address(), 64, staleKey(src.lkey())).remote(target.address(), target.rkey())));
        for (int i = 2; i <= 4; i++)
        {
            // wrId 4 is unsignaled: a flush completion is produced anyway.
            assertEquals(0, pair.qpA.postSend(wr.clear().wrId(i).opcode(Opcode.RDMA_WRITE)
                .flags(i == 4 ? 0 : SendFlags.SIGNALED).sge(src, 0, 64).remote(target.address() + 64L * i, target.rkey())));
        }
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(5).opcode(Opcode.SEND).flags(SendFlags.SIGNALED)
            .sge(src, 0, 64)));

        final List<WorkCompletion> sends = pair.poll(pair.a.sendCq, 5);
        assertEquals(WcStatus.LOC_PROT_ERR, sends.get(0).status(), sends::toString);
        for (int i = 0; i < 5; i++)
        {
            assertEquals(i + 1, sends.get(i).wrId(), "posting order: " + sends);
            if (i > 0)
            {
                assertEquals(WcStatus.WR_FLUSH_ERR, sends.get(i).status(), sends::toString);
            }
        }
        final List<WorkCompletion> recvs = pair.poll(pair.a.recvCq, 2);
        assertEquals(201, recvs.get(0).wrId());
        assertEquals(202, recvs.get(1).wrId());
        assertEquals(WcStatus.WR_FLUSH_ERR, recvs.get(0).status(), recvs::toString);
        assertEquals(WcStatus.WR_FLUSH_ERR, recvs.get(1).status(), recvs::toString);
        assertZero(target.buffer(), 0, 4096); // none of the flushed WRITEs ran
        awaitState(pair.qpA, QpState.ERR);

        // Posting in ERR is accepted and flushed.
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(6).opcode(Opcode.RDMA_WRITE).flags(SendFlags.SIGNALED)
            .sge(src, 0, 64).remote(target.address(), target.rkey())));
        final WorkCompletion late = pair.pollOne(pair.a.sendCq);
        assertEquals(6, late.wrId());
        assertEquals(WcStatus.WR_FLUSH_ERR, late.status(), late::toString);
        assertEquals(0, pair.qpA.postRecv(recv(203, src, 0, 64)));
        final WorkCompletion lateRecv = pair.pollOne(pair.a.recvCq);
        assertEquals(203, lateRecv.wrId());
        assertEquals(WcStatus.WR_FLUSH_ERR, lateRecv.status(), lateRecv::toString);
        assertZero(target.buffer(), 0, 64);
    }

    @Test
    void modifyToErrFlushesPostedReceives()
    {
        pair = Pair.open();
        final MemoryRegion dst = pair.b.alloc(4096, Access.LOCAL_WRITE);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(0, pair.qpB.postRecv(recv(301 + i, dst, 64L * i, 64)));
        }
        pair.qpB.modify(QpAttributes.builder().state(QpState.ERR).build());
        assertEquals(QpState.ERR, pair.qpB.state());

        final List<WorkCompletion> flushed = pair.poll(pair.b.recvCq, 3);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(301 + i, flushed.get(i).wrId(), flushed::toString);
            assertEquals(WcStatus.WR_FLUSH_ERR, flushed.get(i).status(), flushed::toString);
            assertEquals(pair.qpB.qpNum(), flushed.get(i).qpNum());
        }
        assertEquals(0, pair.qpB.postRecv(recv(304, dst, 0, 64)));
        final WorkCompletion late = pair.pollOne(pair.b.recvCq);
        assertEquals(304, late.wrId());
        assertEquals(WcStatus.WR_FLUSH_ERR, late.status(), late::toString);
    }

    @Test
    void modifyToErrFlushesOutstandingSends()
    {
        pair = Pair.open();
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        // B never posts a receive and rnrRetry is infinite (connect's default), so these SENDs stay outstanding.
        for (int i = 0; i < 3; i++)
        {
            assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(500 + i).opcode(Opcode.SEND)
                .flags(SendFlags.SIGNALED).sge(src, 0, 32)));
        }
        pair.qpA.modify(QpAttributes.builder().state(QpState.ERR).build());

        final List<WorkCompletion> flushed = pair.poll(pair.a.sendCq, 3);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(500 + i, flushed.get(i).wrId(), flushed::toString);
            assertEquals(WcStatus.WR_FLUSH_ERR, flushed.get(i).status(), flushed::toString);
        }
        pair.assertEmpty(pair.b.recvCq);
    }

    @Test
    void cqOverflowRaisesCqErr()
    {
        pair = Pair.open();
        final CompletionQueue tiny = pair.a.ctx.createCq(4);
        final int n = tiny.capacity() + 16;
        final QueuePair x = pair.a.createQp(o -> o.sendCq(tiny).maxSendWr(n + 16));
        final QueuePair y = pair.b.createQp(o -> o);
        TestSupport.connect(x, y);
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion target = pair.b.alloc(4096, REMOTE_RW);

        // More signaled completions than the CQ holds, and nobody polls it.
        final SendWorkRequest wr = new SendWorkRequest();
        for (int i = 0; i < n; i++)
        {
            assertEquals(0, x.postSend(wr.clear().wrId(i).opcode(Opcode.RDMA_WRITE).flags(SendFlags.SIGNALED)
                .sge(src, 0, 8).remote(target.address(), target.rkey())), "post " + i);
        }
        final AsyncEvent event = pair.awaitEvent(pair.a.events, AsyncEventType.CQ_ERR);
        assertEquals(AsyncEventType.CQ_ERR, event.type());
    }
}
