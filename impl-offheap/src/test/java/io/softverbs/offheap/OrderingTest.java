package io.softverbs.offheap;

import io.softverbs.Access;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.softverbs.offheap.TestSupport.WAIT_NANOS;
import static io.softverbs.offheap.TestSupport.assertPattern;
import static io.softverbs.offheap.TestSupport.fill;
import static io.softverbs.offheap.TestSupport.recv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Data-path guarantees about when bytes are read and seen: inline copies at post time, WRITE-before-SEND order. */
@Timeout(60)
class OrderingTest
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

    @Test
    void inlineSendBufferMayBeReusedAsSoonAsPostSendReturns()
    {
        // INVOKER mode: no engine runs between postSend and the overwrite, so only a copy made by postSend itself
        // can deliver the original bytes.
        pair = Pair.open(ProgressMode.INVOKER, o -> o, true);
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion dst = pair.b.alloc(4096, Access.LOCAL_WRITE);
        assertEquals(0, pair.qpB.postRecv(recv(1, dst, 0, 4096)));
        fill(src.buffer(), 0, 200, 41);

        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(2).opcode(Opcode.SEND)
            .flags(SendFlags.SIGNALED | SendFlags.INLINE).sge(src, 0, 200)));
        fill(src.buffer(), 0, 200, 42);

        final WorkCompletion rc = pair.pollOne(pair.b.recvCq);
        assertEquals(WcStatus.SUCCESS, rc.status(), rc::toString);
        assertEquals(200, rc.byteLen());
        assertPattern(dst.buffer(), 0, 200, 41, 0);
        assertEquals(WcStatus.SUCCESS, pair.pollOne(pair.a.sendCq).status());
    }

    @Test
    void writeIsVisibleWhenTheFollowingSendIsReceived()
    {
        final int iterations = 20_000;
        final int window = 32;             // iterations in flight
        final int slots = 1024;            // > window: a slot is rewritten only after its check
        final int slotBytes = 256;
        final int recvBytes = 64;
        pair = Pair.open(ProgressMode.DEDICATED, o -> o.maxSendWr(4 * window).maxRecvWr(2 * window), true);
        final MemoryRegion src = pair.a.alloc((long)slots * slotBytes, Access.LOCAL_WRITE);
        final MemoryRegion msg = pair.a.alloc(64, Access.LOCAL_WRITE);
        final MemoryRegion target = pair.b.alloc((long)slots * slotBytes,
            Access.LOCAL_WRITE | Access.REMOTE_WRITE);
        final MemoryRegion recvBuf = pair.b.alloc(2L * window * recvBytes, Access.LOCAL_WRITE);
        final AtomicBuffer srcBuf = src.buffer();
        final AtomicBuffer targetBuf = target.buffer();
        final AtomicBuffer recvView = recvBuf.buffer();
        for (int r = 0; r < 2 * window; r++)
        {
            assertEquals(0, pair.qpB.postRecv(recv(r, recvBuf, (long)r * recvBytes, recvBytes)));
        }

        final SendWorkRequest wr = new SendWorkRequest();
        final WorkCompletion[] out = {new WorkCompletion(), new WorkCompletion(), new WorkCompletion(),
            new WorkCompletion()};
        long posted = 0;
        long received = 0;
        long sendsDone = 0;
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (received < iterations || sendsDone < 2L * iterations)
        {
            // Post only what the send queue has room for by the completions polled so far (what an RDMA
            // application does): the receiver seeing a SEND does not mean its ACK has freed the slot yet.
            while (posted < iterations && posted - received < window && 2 * posted - sendsDone + 2 <= 4L * window)
            {
                // A fresh value in the whole slot, then a WRITE of it, then (without waiting) a SEND naming it.
                final int slotOffset = (int)(posted % slots) * slotBytes;
                for (int k = 0; k < slotBytes; k += 8)
                {
                    srcBuf.putLong(slotOffset + k, posted);
                }
                assertEquals(0, pair.qpA.postSend(wr.clear().wrId(2 * posted).opcode(Opcode.RDMA_WRITE)
                    .flags(SendFlags.SIGNALED).sge(src, slotOffset, slotBytes)
                    .remote(target.address() + slotOffset, target.rkey())));
                msg.buffer().putLong(0, posted);
                assertEquals(0, pair.qpA.postSend(wr.clear().wrId(2 * posted + 1).opcode(Opcode.SEND)
                    .flags(SendFlags.SIGNALED | SendFlags.INLINE).sge(msg, 0, 8)));
                posted++;
            }
            final int recvs = pair.b.recvCq.poll(out);
            for (int i = 0; i < recvs; i++)
            {
                final WorkCompletion wc = out[i];
                assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
                final int r = (int)wc.wrId();
                final long value = recvView.getLong(r * recvBytes);
                assertEquals(received, value, "SENDs arrive in order");
                final int slotOffset = (int)(value % slots) * slotBytes;
                for (int k = 0; k < slotBytes; k += 8)
                {
                    final long seen = targetBuf.getLong(slotOffset + k);
                    if (seen != value)
                    {
                        fail("iteration " + value + ": the WRITE before the SEND is not visible at byte " + k +
                            " (saw " + seen + ")");
                    }
                }
                received++;
                assertEquals(0, pair.qpB.postRecv(recv(r, recvBuf, (long)r * recvBytes, recvBytes)));
            }
            // Drain the send CQ completely: each pass may add up to 2 * out.length send completions, and an
            // undrained CQ would overflow.
            int sends = 0;
            int taken;
            while ((taken = pair.a.sendCq.poll(out)) > 0)
            {
                for (int i = 0; i < taken; i++)
                {
                    assertEquals(WcStatus.SUCCESS, out[i].status(), out[i]::toString);
                    assertEquals(sendsDone, out[i].wrId(), "send completions in posting order");
                    sendsDone++;
                }
                sends += taken;
            }
            if (recvs + sends > 0)
            {
                deadline = System.nanoTime() + WAIT_NANOS;
            }
            else if (System.nanoTime() - deadline > 0)
            {
                fail("stalled at posted=" + posted + " received=" + received + " sendsDone=" + sendsDone);
            }
            else
            {
                Thread.yield();
            }
        }
        assertEquals(iterations, received);
    }
}
