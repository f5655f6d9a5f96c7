package io.softverbs.offheap;

import java.util.stream.Stream;

import io.softverbs.Access;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.softverbs.offheap.TestSupport.assertPattern;
import static io.softverbs.offheap.TestSupport.assertZero;
import static io.softverbs.offheap.TestSupport.fill;
import static io.softverbs.offheap.TestSupport.recv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One test per send opcode: the completion fields at both ends and the bytes that actually moved. */
@Timeout(30)
class OpcodeTest
{
    private static final int REMOTE_RW = Access.LOCAL_WRITE | Access.REMOTE_WRITE | Access.REMOTE_READ;
    private static final int IMM = 0xCAFE_BABE;

    private Pair pair;

    @BeforeEach
    void setUp()
    {
        pair = Pair.open();
    }

    @AfterEach
    void tearDown()
    {
        if (pair != null)
        {
            pair.close();
        }
    }

    static Stream<Arguments> sendVariants()
    {
        final Opcode[] sends = {Opcode.SEND, Opcode.SEND_WITH_IMM, Opcode.SEND_WITH_INV, Opcode.SEND_WITH_INV_AND_IMM};
        return Stream.of(sends).flatMap(op -> Stream.of(Arguments.of(op, false), Arguments.of(op, true)));
    }

    @ParameterizedTest(name = "{0} solicited={1}")
    @MethodSource("sendVariants")
    void sendVariantDeliversPayloadAndCompletionFields(final Opcode opcode, final boolean solicited)
    {
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion dst = pair.b.alloc(4096, Access.LOCAL_WRITE);
        // A region of B that A can write to; the INV variants name its rkey, the others must leave it alone.
        final MemoryRegion target = pair.b.alloc(4096, REMOTE_RW | Access.REMOTE_INVALIDATE);
        fill(src.buffer(), 0, 300, 7);
        assertEquals(0, pair.qpB.postRecv(recv(11, dst, 0, 1024)));

        final SendWorkRequest wr = new SendWorkRequest().wrId(21).opcode(opcode)
            .flags(SendFlags.SIGNALED | (solicited ? SendFlags.SOLICITED : 0)).sge(src, 0, 300);
        if (opcode.hasImm())
        {
            wr.immData(IMM);
        }
        if (opcode.hasInv())
        {
            wr.invalidateRkey(target.rkey());
        }
        assertEquals(0, pair.qpA.postSend(wr));

        final WorkCompletion rc = pair.pollOne(pair.b.recvCq);
        assertEquals(WcStatus.SUCCESS, rc.status(), rc::toString);
        assertEquals(WcOpcode.RECV, rc.opcode(), rc::toString);
        assertEquals(11, rc.wrId());
        assertEquals(300, rc.byteLen());
        assertEquals(pair.qpA.qpNum(), rc.srcQp(), "srcQp is the requester");
        assertEquals(pair.qpB.qpNum(), rc.qpNum(), "qpNum is the responder");
        assertEquals(solicited, rc.isSolicited(), rc::toString);
        assertEquals(opcode.hasImm(), rc.hasImm(), rc::toString);
        if (opcode.hasImm())
        {
            assertEquals(IMM, rc.immData());
        }
        assertEquals(opcode.hasInv(), rc.hasInv(), rc::toString);
        if (opcode.hasInv())
        {
            assertEquals(target.rkey(), rc.invalidatedRkey());
        }
        assertPattern(dst.buffer(), 0, 300, 7, 0);
        assertZero(dst.buffer(), 300, 64);

        final WorkCompletion sc = pair.pollOne(pair.a.sendCq);
        assertEquals(WcStatus.SUCCESS, sc.status(), sc::toString);
        assertEquals(WcOpcode.SEND, sc.opcode());
        assertEquals(21, sc.wrId());
        assertEquals(pair.qpA.qpNum(), sc.qpNum());

        // After an invalidating send the rkey is dead at the responder; otherwise it still works.
        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(22).opcode(Opcode.RDMA_WRITE)
            .flags(SendFlags.SIGNALED).sge(src, 0, 8).remote(target.address(), target.rkey())));
        final WorkCompletion wc = pair.pollOne(pair.a.sendCq);
        assertEquals(22, wc.wrId());
        if (opcode.hasInv())
        {
            assertEquals(WcStatus.REM_ACCESS_ERR, wc.status(), wc::toString);
            assertZero(target.buffer(), 0, 8);
        }
        else
        {
            assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
            assertPattern(target.buffer(), 0, 8, 7, 0);
        }
    }

    @Test
    void rdmaWriteMovesBytesWithoutConsumingAReceive()
    {
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion dst = pair.b.alloc(4096, REMOTE_RW);
        final MemoryRegion recvBuf = pair.b.alloc(4096, Access.LOCAL_WRITE);
        fill(src.buffer(), 0, 1000, 3);
        assertEquals(0, pair.qpB.postRecv(recv(31, recvBuf, 0, 64)));

        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(41).opcode(Opcode.RDMA_WRITE)
            .flags(SendFlags.SIGNALED).sge(src, 0, 1000).remote(dst.address() + 100, dst.rkey())));
        final WorkCompletion sc = pair.pollOne(pair.a.sendCq);
        assertEquals(WcStatus.SUCCESS, sc.status(), sc::toString);
        assertEquals(WcOpcode.RDMA_WRITE, sc.opcode());
        assertEquals(41, sc.wrId());
        assertEquals(pair.qpA.qpNum(), sc.qpNum());
        assertZero(dst.buffer(), 0, 100);
        assertPattern(dst.buffer(), 100, 1000, 3, 0);
        assertZero(dst.buffer(), 1100, 100);

        // The receive posted before the WRITE is still there: a SEND consumes it.
        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(42).opcode(Opcode.SEND)
            .flags(SendFlags.SIGNALED).sge(src, 0, 16)));
        final WorkCompletion rc = pair.pollOne(pair.b.recvCq);
        assertEquals(31, rc.wrId());
        assertEquals(WcOpcode.RECV, rc.opcode());
        assertEquals(16, rc.byteLen());
        assertEquals(WcStatus.SUCCESS, pair.pollOne(pair.a.sendCq).status());
    }

    @Test
    void rdmaWriteWithImmConsumesAReceiveAtTheResponder()
    {
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion dst = pair.b.alloc(4096, REMOTE_RW);
        final MemoryRegion recvBuf = pair.b.alloc(4096, Access.LOCAL_WRITE);
        fill(src.buffer(), 0, 500, 9);
        assertEquals(0, pair.qpB.postRecv(recv(51, recvBuf, 0, 64)));

        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(61).opcode(Opcode.RDMA_WRITE_WITH_IMM)
            .flags(SendFlags.SIGNALED).sge(src, 0, 500).remote(dst.address() + 8, dst.rkey()).immData(0x1234_5678)));

        final WorkCompletion sc = pair.pollOne(pair.a.sendCq);
        assertEquals(WcStatus.SUCCESS, sc.status(), sc::toString);
        assertEquals(WcOpcode.RDMA_WRITE, sc.opcode());
        assertEquals(61, sc.wrId());

        final WorkCompletion rc = pair.pollOne(pair.b.recvCq);
        assertEquals(WcStatus.SUCCESS, rc.status(), rc::toString);
        assertEquals(WcOpcode.RECV_RDMA_WITH_IMM, rc.opcode());
        assertEquals(51, rc.wrId());
        assertEquals(500, rc.byteLen());
        assertTrue(rc.hasImm(), rc::toString);
        assertEquals(0x1234_5678, rc.immData());
        assertEquals(pair.qpA.qpNum(), rc.srcQp());
        assertEquals(pair.qpB.qpNum(), rc.qpNum());
        assertPattern(dst.buffer(), 8, 500, 9, 0);
        // The data goes to the remote address, not into the consumed receive's buffer.
        assertZero(recvBuf.buffer(), 0, 64);
    }

    @Test
    void rdmaReadFillsASinkRegisteredWithLocalWriteOnly()
    {
        final MemoryRegion remote = pair.b.alloc(4096, Access.REMOTE_READ);
        final MemoryRegion sink = pair.a.alloc(4096, Access.LOCAL_WRITE);
        fill(remote.buffer(), 0, 2000, 5);

        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(71).opcode(Opcode.RDMA_READ)
            .flags(SendFlags.SIGNALED).sge(sink, 16, 1500).remote(remote.address() + 200, remote.rkey())));
        final WorkCompletion wc = pair.pollOne(pair.a.sendCq);
        assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
        assertEquals(WcOpcode.RDMA_READ, wc.opcode());
        assertEquals(71, wc.wrId());
        assertEquals(1500, wc.byteLen());
        assertZero(sink.buffer(), 0, 16);
        assertPattern(sink.buffer(), 16, 1500, 5, 200);
        assertZero(sink.buffer(), 1516, 64);
        pair.assertEmpty(pair.b.recvCq); // a READ consumes no receive and produces nothing at the responder
    }

    @Test
    void compareAndSwapSwapsOnlyWhenTheCompareMatches()
    {
        final MemoryRegion remote = pair.b.alloc(4096, Access.LOCAL_WRITE | Access.REMOTE_ATOMIC);
        final MemoryRegion result = pair.a.alloc(64, Access.LOCAL_WRITE);
        remote.buffer().putLongVolatile(64, 42);

        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(81).opcode(Opcode.ATOMIC_CMP_AND_SWP)
            .flags(SendFlags.SIGNALED).sge(result, 0, 8).remote(remote.address() + 64, remote.rkey())
            .compareAdd(42).swap(99)));
        final WorkCompletion hit = pair.pollOne(pair.a.sendCq);
        assertEquals(WcStatus.SUCCESS, hit.status(), hit::toString);
        assertEquals(WcOpcode.COMP_SWAP, hit.opcode());
        assertEquals(81, hit.wrId());
        assertEquals(8, hit.byteLen());
        assertEquals(42, result.buffer().getLongVolatile(0), "original value returned");
        assertEquals(99, remote.buffer().getLongVolatile(64), "swapped");

        // Failed compare: still SUCCESS, returns the current value, memory unchanged.
        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(82).opcode(Opcode.ATOMIC_CMP_AND_SWP)
            .flags(SendFlags.SIGNALED).sge(result, 8, 8).remote(remote.address() + 64, remote.rkey())
            .compareAdd(42).swap(7)));
        final WorkCompletion miss = pair.pollOne(pair.a.sendCq);
        assertEquals(WcStatus.SUCCESS, miss.status(), miss::toString);
        assertEquals(WcOpcode.COMP_SWAP, miss.opcode());
        assertEquals(82, miss.wrId());
        assertEquals(99, result.buffer().getLongVolatile(8), "current value returned");
        assertEquals(99, remote.buffer().getLongVolatile(64), "not swapped");
        assertEquals(0, remote.buffer().getLongVolatile(56), "neighbour untouched");
        assertEquals(0, remote.buffer().getLongVolatile(72), "neighbour untouched");
    }

    @Test
    void fetchAndAddReturnsTheOriginalAndAdds()
    {
        final MemoryRegion remote = pair.b.alloc(4096, Access.LOCAL_WRITE | Access.REMOTE_ATOMIC);
        final MemoryRegion result = pair.a.alloc(64, Access.LOCAL_WRITE);
        remote.buffer().putLongVolatile(128, 1000);

        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(91).opcode(Opcode.ATOMIC_FETCH_AND_ADD)
            .flags(SendFlags.SIGNALED).sge(result, 0, 8).remote(remote.address() + 128, remote.rkey())
            .compareAdd(234)));
        final WorkCompletion wc = pair.pollOne(pair.a.sendCq);
        assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
        assertEquals(WcOpcode.FETCH_ADD, wc.opcode());
        assertEquals(91, wc.wrId());
        assertEquals(8, wc.byteLen());
        assertEquals(1000, result.buffer().getLongVolatile(0));
        assertEquals(1234, remote.buffer().getLongVolatile(128));

        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(92).opcode(Opcode.ATOMIC_FETCH_AND_ADD)
            .flags(SendFlags.SIGNALED).sge(result, 8, 8).remote(remote.address() + 128, remote.rkey())
            .compareAdd(-1235)));
        assertEquals(WcStatus.SUCCESS, pair.pollOne(pair.a.sendCq).status());
        assertEquals(1234, result.buffer().getLongVolatile(8));
        assertEquals(-1, remote.buffer().getLongVolatile(128), "64-bit two's complement add");
    }

    @Test
    void localInvalidateKillsTheRkeyForRemoteAccess()
    {
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion target = pair.b.alloc(4096, REMOTE_RW);
        fill(src.buffer(), 0, 64, 13);

        // Control: the rkey works before the invalidation.
        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(101).opcode(Opcode.RDMA_WRITE)
            .flags(SendFlags.SIGNALED).sge(src, 0, 8).remote(target.address(), target.rkey())));
        assertEquals(WcStatus.SUCCESS, pair.pollOne(pair.a.sendCq).status());
        assertPattern(target.buffer(), 0, 8, 13, 0);

        assertEquals(0, pair.qpB.postSend(new SendWorkRequest().wrId(102).opcode(Opcode.LOCAL_INV)
            .flags(SendFlags.SIGNALED).invalidateRkey(target.rkey())));
        final WorkCompletion inv = pair.pollOne(pair.b.sendCq);
        assertEquals(WcStatus.SUCCESS, inv.status(), inv::toString);
        assertEquals(WcOpcode.LOCAL_INV, inv.opcode());
        assertEquals(102, inv.wrId());

        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(103).opcode(Opcode.RDMA_WRITE)
            .flags(SendFlags.SIGNALED).sge(src, 0, 8).remote(target.address() + 100, target.rkey())));
        final WorkCompletion wc = pair.pollOne(pair.a.sendCq);
        assertEquals(103, wc.wrId());
        assertEquals(WcStatus.REM_ACCESS_ERR, wc.status(), wc::toString);
        assertZero(target.buffer(), 100, 8);
    }
}
