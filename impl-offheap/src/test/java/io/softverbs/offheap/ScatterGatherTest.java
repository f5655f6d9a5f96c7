package io.softverbs.offheap;

import io.softverbs.Access;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.softverbs.offheap.TestSupport.assertPattern;
import static io.softverbs.offheap.TestSupport.assertZero;
import static io.softverbs.offheap.TestSupport.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Multi-SGE requests: gather on the requester, scatter at the responder and into READ sinks. */
@Timeout(30)
class ScatterGatherTest
{
    private static final int REMOTE_RW = Access.LOCAL_WRITE | Access.REMOTE_WRITE | Access.REMOTE_READ;

    private Pair pair;
    private MemoryRegion src1;
    private MemoryRegion src2;

    @BeforeEach
    void setUp()
    {
        pair = Pair.open();
        // Two source regions with different patterns so a piece taken from the wrong place shows.
        src1 = pair.a.alloc(4096, Access.LOCAL_WRITE);
        src2 = pair.a.alloc(4096, Access.LOCAL_WRITE);
        fill(src1.buffer(), 0, 4096, 31);
        fill(src2.buffer(), 0, 4096, 32);
    }

    @AfterEach
    void tearDown()
    {
        if (pair != null)
        {
            pair.close();
        }
    }

    /** The 200-byte message gathered from three SGEs: src1[0,100) + src2[500,537) + src1[2000,2063). */
    private SendWorkRequest gatherThree(final SendWorkRequest wr)
    {
        return wr.sge(src1, 0, 100).sge(src2, 500, 37).sge(src1, 2000, 63);
    }

    /** Asserts {@code buf[off, off + 200)} is the gathered message. */
    private static void assertGathered(final DirectBuffer message, final int off)
    {
        assertPattern(message, off, 100, 31, 0);
        assertPattern(message, off + 100, 37, 32, 500);
        assertPattern(message, off + 137, 63, 31, 2000);
    }

    @Test
    void sendGathersThreeSgesAndReceiveScattersIntoThree()
    {
        final MemoryRegion dst1 = pair.b.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion dst2 = pair.b.alloc(4096, Access.LOCAL_WRITE);
        // Receive SGEs of 50 + 70 + 80 bytes: the boundaries differ from the send's 100 + 37 + 63.
        assertEquals(0, pair.qpB.postRecv(new RecvWorkRequest().wrId(1)
            .sge(dst1, 0, 50).sge(dst1, 1000, 70).sge(dst2, 0, 80)));
        assertEquals(0, pair.qpA.postSend(gatherThree(new SendWorkRequest().wrId(2).opcode(Opcode.SEND)
            .flags(SendFlags.SIGNALED))));

        final WorkCompletion rc = pair.pollOne(pair.b.recvCq);
        assertEquals(WcStatus.SUCCESS, rc.status(), rc::toString);
        assertEquals(WcOpcode.RECV, rc.opcode());
        assertEquals(200, rc.byteLen());
        assertEquals(WcStatus.SUCCESS, pair.pollOne(pair.a.sendCq).status());

        // Reassemble what the receive SGEs got and compare with the gathered message.
        final UnsafeBuffer message = new UnsafeBuffer(new byte[200]);
        message.putBytes(0, dst1.buffer(), 0, 50);
        message.putBytes(50, dst1.buffer(), 1000, 70);
        message.putBytes(120, dst2.buffer(), 0, 80);
        assertGathered(message, 0);
        assertZero(dst1.buffer(), 50, 950);
        assertZero(dst1.buffer(), 1070, 100);
        assertZero(dst2.buffer(), 80, 100);
    }

    @Test
    void rdmaWriteGathersThreeSges()
    {
        final MemoryRegion target = pair.b.alloc(4096, REMOTE_RW);
        assertEquals(0, pair.qpA.postSend(gatherThree(new SendWorkRequest().wrId(3).opcode(Opcode.RDMA_WRITE)
            .flags(SendFlags.SIGNALED).remote(target.address() + 300, target.rkey()))));
        final WorkCompletion wc = pair.pollOne(pair.a.sendCq);
        assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
        assertGathered(target.buffer(), 300);
        assertZero(target.buffer(), 0, 300);
        assertZero(target.buffer(), 500, 100);
    }

    @Test
    void rdmaReadScattersIntoTwoSinkSges()
    {
        final MemoryRegion remote = pair.b.alloc(4096, Access.REMOTE_READ);
        fill(remote.buffer(), 0, 4096, 33);
        final MemoryRegion sink = pair.a.alloc(4096, Access.LOCAL_WRITE);

        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(4).opcode(Opcode.RDMA_READ)
            .flags(SendFlags.SIGNALED).sge(sink, 0, 100).sge(sink, 1000, 200)
            .remote(remote.address() + 50, remote.rkey())));
        final WorkCompletion wc = pair.pollOne(pair.a.sendCq);
        assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
        assertEquals(WcOpcode.RDMA_READ, wc.opcode());
        assertEquals(300, wc.byteLen());
        assertPattern(sink.buffer(), 0, 100, 33, 50);
        assertPattern(sink.buffer(), 1000, 200, 33, 150);
        assertZero(sink.buffer(), 100, 900);
        assertZero(sink.buffer(), 1200, 100);
    }
}
