package io.softverbs.offheap;

import java.nio.ByteBuffer;
import java.util.List;

import io.softverbs.Access;
import io.softverbs.Errors;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.QpInit;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.softverbs.offheap.TestSupport.assertPattern;
import static io.softverbs.offheap.TestSupport.assertVerbsError;
import static io.softverbs.offheap.TestSupport.fill;
import static io.softverbs.offheap.TestSupport.recv;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Bad input is refused with the right errno and leaves no trace: nothing rejected completes, nothing accepted is lost. */
@Timeout(30)
class BadInputTest
{
    private Pair pair;

    @AfterEach
    void tearDown()
    {
        if (pair != null)
        {
            pair.close();
        }
    }

    /** Posts a signaled SEND (B has a receive) and asserts it is the very next completion on both sides. */
    private void assertNextCompletionIs(final long wrId, final MemoryRegion src, final MemoryRegion dst)
    {
        assertEquals(0, pair.qpB.postRecv(recv(wrId, dst, 0, 4096)));
        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(wrId).opcode(Opcode.SEND)
            .flags(SendFlags.SIGNALED).sge(src, 0, 8)));
        final WorkCompletion sc = pair.pollOne(pair.a.sendCq);
        assertEquals(wrId, sc.wrId(), () -> "a rejected request left a completion: " + sc);
        assertEquals(WcStatus.SUCCESS, sc.status(), sc::toString);
        final WorkCompletion rc = pair.pollOne(pair.b.recvCq);
        assertEquals(wrId, rc.wrId(), rc::toString);
        assertEquals(WcStatus.SUCCESS, rc.status(), rc::toString);
        pair.assertEmpty(pair.a.sendCq);
        pair.assertEmpty(pair.b.recvCq);
    }

    @Test
    void heapMemoryRegistrationIsEinval()
    {
        pair = Pair.open();
        assertVerbsError(Errors.EINVAL, () -> pair.a.pd.registerMemory(ByteBuffer.allocate(4096), Access.LOCAL_WRITE));
        assertVerbsError(Errors.EINVAL,
            () -> pair.a.pd.registerMemory(new UnsafeBuffer(new byte[4096]), Access.LOCAL_WRITE));
    }

    @Test
    void remoteWriteOrAtomicWithoutLocalWriteIsEinval()
    {
        pair = Pair.open();
        assertVerbsError(Errors.EINVAL, () -> pair.a.pd.allocateMemory(4096, Access.REMOTE_WRITE));
        assertVerbsError(Errors.EINVAL, () -> pair.a.pd.allocateMemory(4096, Access.REMOTE_ATOMIC));
        final ByteBuffer direct = ByteBuffer.allocateDirect(4096);
        assertVerbsError(Errors.EINVAL, () -> pair.a.pd.registerMemory(direct, Access.REMOTE_WRITE | Access.REMOTE_READ));
        assertVerbsError(Errors.EINVAL, () -> pair.a.pd.allocateMemory(0, Access.LOCAL_WRITE));
        // Control: with LOCAL_WRITE the same rights are fine, and REMOTE_READ alone needs nothing more.
        pair.a.pd.allocateMemory(4096, Access.LOCAL_WRITE | Access.REMOTE_WRITE | Access.REMOTE_ATOMIC).close();
        pair.a.pd.allocateMemory(4096, Access.REMOTE_READ).close();
    }

    @Test
    void invalidQpCreationIsEinval()
    {
        pair = Pair.open();
        final int maxQpWr = pair.a.device.attributes().maxQpWr();
        final int maxInline = pair.a.device.attributes().maxInlineData();
        assertVerbsError(Errors.EINVAL, () -> pair.a.pd.createQueuePair(QpInit.builder().recvCq(pair.a.recvCq).build()));
        assertVerbsError(Errors.EINVAL, () -> pair.a.createQp(o -> o.maxSendWr(maxQpWr + 1)));
        assertVerbsError(Errors.EINVAL, () -> pair.a.createQp(o -> o.maxRecvWr(maxQpWr + 1)));
        assertVerbsError(Errors.EINVAL, () -> pair.a.createQp(o -> o.maxSendSge(17)));
        assertVerbsError(Errors.EINVAL, () -> pair.a.createQp(o -> o.maxInlineData(maxInline + 1)));
        // CQs must belong to the QP's context.
        assertVerbsError(Errors.EINVAL, () -> pair.a.createQp(o -> o.sendCq(pair.b.sendCq)));
    }

    @Test
    void tooManySgesIsEinval()
    {
        pair = Pair.open(); // maxSendSge = maxRecvSge = 4 (QpInit defaults)
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion dst = pair.b.alloc(4096, Access.LOCAL_WRITE);

        final SendWorkRequest five = new SendWorkRequest().wrId(1).opcode(Opcode.SEND).flags(SendFlags.SIGNALED);
        final SendWorkRequest seventeen = new SendWorkRequest().wrId(2).opcode(Opcode.SEND).flags(SendFlags.SIGNALED);
        final RecvWorkRequest fiveRecv = new RecvWorkRequest().wrId(3);
        for (int i = 0; i < 17; i++)
        {
            if (i < 5)
            {
                five.sge(src, 8L * i, 8);
                fiveRecv.sge(dst, 8L * i, 8);
            }
            seventeen.sge(src, 8L * i, 8); // the 17th does not fit: sgeOverflow
        }
        assertEquals(Errors.EINVAL, pair.qpA.postSend(five));
        assertEquals(Errors.EINVAL, pair.qpA.postSend(seventeen));
        assertEquals(Errors.EINVAL, pair.qpB.postRecv(fiveRecv));
        assertNextCompletionIs(4, src, dst);
    }

    @Test
    void inlinePayloadLargerThanMaxInlineDataIsEinval()
    {
        pair = Pair.open(ProgressMode.DEDICATED, o -> o.maxInlineData(256), true);
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion dst = pair.b.alloc(4096, Access.LOCAL_WRITE);
        fill(src.buffer(), 0, 4096, 51);

        assertEquals(Errors.EINVAL, pair.qpA.postSend(new SendWorkRequest().wrId(1).opcode(Opcode.SEND)
            .flags(SendFlags.SIGNALED | SendFlags.INLINE).sge(src, 0, 257)));
        // Exactly the limit is fine, also split over two SGEs.
        assertEquals(0, pair.qpB.postRecv(recv(2, dst, 0, 4096)));
        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(2).opcode(Opcode.SEND)
            .flags(SendFlags.SIGNALED | SendFlags.INLINE).sge(src, 0, 200).sge(src, 200, 56)));
        final WorkCompletion rc = pair.pollOne(pair.b.recvCq);
        assertEquals(WcStatus.SUCCESS, rc.status(), rc::toString);
        assertEquals(256, rc.byteLen());
        assertPattern(dst.buffer(), 0, 256, 51, 0);
        final WorkCompletion sc = pair.pollOne(pair.a.sendCq);
        assertEquals(2, sc.wrId(), sc::toString);
        assertEquals(WcStatus.SUCCESS, sc.status(), sc::toString);
    }

    @Test
    void malformedRequestsAreEinval()
    {
        pair = Pair.open();
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion dst = pair.b.alloc(4096, Access.LOCAL_WRITE | Access.REMOTE_ATOMIC);
        final SendWorkRequest wr = new SendWorkRequest();

        assertEquals(Errors.EINVAL, pair.qpA.postSend(wr.clear().wrId(1).opcode(null).sge(src, 0, 8)));
        assertEquals(Errors.EINVAL, pair.qpA.postSend(wr.clear().wrId(2).opcode(Opcode.SEND).flags(1 << 7)
            .sge(src, 0, 8)));
        // Atomics need exactly one 8-byte SGE.
        assertEquals(Errors.EINVAL, pair.qpA.postSend(wr.clear().wrId(3).opcode(Opcode.ATOMIC_FETCH_AND_ADD)
            .flags(SendFlags.SIGNALED).sge(src, 0, 4).remote(dst.address(), dst.rkey()).compareAdd(1)));
        assertEquals(Errors.EINVAL, pair.qpA.postSend(wr.clear().wrId(4).opcode(Opcode.ATOMIC_CMP_AND_SWP)
            .flags(SendFlags.SIGNALED).sge(src, 0, 8).sge(src, 8, 8).remote(dst.address(), dst.rkey())));
        assertEquals(Errors.EINVAL, pair.qpA.postSend(wr.clear().wrId(5).opcode(Opcode.ATOMIC_FETCH_AND_ADD)
            .flags(SendFlags.SIGNALED).remote(dst.address(), dst.rkey()).compareAdd(1)));
        assertEquals(0, dst.buffer().getLongVolatile(0), "no atomic ran");
        assertNextCompletionIs(6, src, dst);
    }

    @Test
    void fullSendQueueIsEnomemAndNothingPostedIsLost()
    {
        // INVOKER mode: nothing drains the queue until the test runs the engines, so "full" is deterministic.
        final int depth = 4;
        pair = Pair.open(ProgressMode.INVOKER, o -> o.maxSendWr(depth), true);
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion dst = pair.b.alloc(4096, Access.LOCAL_WRITE);
        for (int r = 0; r < 2 * depth; r++)
        {
            assertEquals(0, pair.qpB.postRecv(recv(100 + r, dst, 256L * r, 256)));
        }
        final SendWorkRequest wr = new SendWorkRequest();
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < depth; i++)
            {
                final long wrId = (long)round * depth + i;
                assertEquals(0, pair.qpA.postSend(wr.clear().wrId(wrId).opcode(Opcode.SEND)
                    .flags(SendFlags.SIGNALED).sge(src, 0, 16)), "post " + wrId);
            }
            assertEquals(Errors.ENOMEM, pair.qpA.postSend(wr.clear().wrId(999).opcode(Opcode.SEND)
                .flags(SendFlags.SIGNALED).sge(src, 0, 16)));

            final List<WorkCompletion> sends = pair.poll(pair.a.sendCq, depth);
            final List<WorkCompletion> recvs = pair.poll(pair.b.recvCq, depth);
            for (int i = 0; i < depth; i++)
            {
                assertEquals((long)round * depth + i, sends.get(i).wrId(), sends::toString);
                assertEquals(WcStatus.SUCCESS, sends.get(i).status(), sends::toString);
                assertEquals(WcOpcode.SEND, sends.get(i).opcode());
                assertEquals(100L + round * depth + i, recvs.get(i).wrId(), recvs::toString);
                assertEquals(WcStatus.SUCCESS, recvs.get(i).status(), recvs::toString);
                assertEquals(16, recvs.get(i).byteLen());
            }
        }
        // 8 accepted, 8 completed on each side; the 2 refused ones left nothing behind.
        pair.assertEmpty(pair.a.sendCq);
        pair.assertEmpty(pair.b.recvCq);
    }
}
