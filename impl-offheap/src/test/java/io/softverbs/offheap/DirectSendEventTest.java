package io.softverbs.offheap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.softverbs.Access;
import io.softverbs.AsyncEventType;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.DeviceConfig;
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
import io.softverbs.Verbs;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A SEND executed by its sender raises the peer's async events (here SRQ_LIMIT_REACHED) on the sender's thread. The
 * handler runs with none of the peer's locks held, so it may post a SEND that is itself executed directly into the
 * same SRQ and CQ (through a third device, whose engine is free) instead of spinning on a lock its own thread holds.
 */
@Timeout(30)
class DirectSendEventTest
{
    private static final AtomicInteger NAMES = new AtomicInteger();

    private Device a;
    private Device b;
    private Device c;
    private boolean stuck;

    @AfterEach
    void tearDown()
    {
        if (stuck)
        {
            return;
        }
        for (final Device device : new Device[] {c, b, a})
        {
            if (device != null)
            {
                device.close();
            }
        }
    }

    @Test
    void aHandlerOfAnEventRaisedByADirectSendMayPostIntoTheSameReceiveSide() throws Exception
    {
        TestSupport.assumeDirectPath();
        final String suffix = "-event-" + NAMES.incrementAndGet();
        a = Verbs.open(DeviceConfig.builder("a" + suffix).progress(ProgressMode.INVOKER).build());
        b = Verbs.open(DeviceConfig.builder("b" + suffix).progress(ProgressMode.INVOKER).build());
        c = Verbs.open(DeviceConfig.builder("c" + suffix).progress(ProgressMode.INVOKER).build());
        final Context ca = a.open();
        final Context cb = b.open();
        final Context cc = c.open();
        final ProtectionDomain pa = ca.allocPd();
        final ProtectionDomain pb = cb.allocPd();
        final ProtectionDomain pc = cc.allocPd();
        final CompletionQueue cqa = ca.createCq(16);
        final CompletionQueue cqb = cb.createCq(16);
        final CompletionQueue cqc = cc.createCq(16);
        final SharedReceiveQueue srq = pb.createSrq(SrqInit.builder().maxWr(8).maxSge(1).build());
        final QueuePair qa = pa.createQueuePair(QpInit.builder().sendCq(cqa).recvCq(cqa).maxInlineData(64).build());
        final QueuePair qc = pc.createQueuePair(QpInit.builder().sendCq(cqc).recvCq(cqc).maxInlineData(64).build());
        final QueuePair qb1 = pb.createQueuePair(QpInit.builder().sendCq(cqb).recvCq(cqb).srq(srq).build());
        final QueuePair qb2 = pb.createQueuePair(QpInit.builder().sendCq(cqb).recvCq(cqb).srq(srq).build());
        TestSupport.connect(qa, qb1);
        TestSupport.connect(qc, qb2);
        final MemoryRegion sink = pb.allocateMemory(8 * 64, Access.LOCAL_WRITE);
        final MemoryRegion fromA = pa.allocateMemory(64, Access.LOCAL_WRITE);
        final MemoryRegion fromC = pc.allocateMemory(64, Access.LOCAL_WRITE);
        final RecvWorkRequest recv = new RecvWorkRequest();
        for (int slot = 0; slot < 5; slot++)
        {
            assertEquals(0, srq.postRecv(recv.clear().wrId(slot).sge(sink, 64L * slot, 64)));
        }
        srq.armLimit(4); // crossed by the second receive consumed: 3 left

        final SendWorkRequest handlerSend = new SendWorkRequest().opcode(Opcode.SEND)
            .flags(SendFlags.INLINE | SendFlags.SIGNALED).sge(fromC, 0, 8).wrId(99);
        final AtomicInteger handlerPost = new AtomicInteger(1);
        cb.onAsyncEvent(event ->
        {
            if (event.type() == AsyncEventType.SRQ_LIMIT_REACHED)
            {
                handlerPost.set(qc.postSend(handlerSend)); // executed at once, into the SRQ and CQ just used
            }
        });
        final SendWorkRequest send = new SendWorkRequest().opcode(Opcode.SEND)
            .flags(SendFlags.INLINE | SendFlags.SIGNALED).sge(fromA, 0, 8);
        // On a daemon thread with a bounded wait: a handler run under the lock would spin on it for ever.
        final FutureTask<Integer> posts = new FutureTask<>(() ->
        {
            assertEquals(0, qa.postSend(send.wrId(1)));
            return qa.postSend(send.wrId(2)); // raises the event on this thread
        });
        final Thread poster = new Thread(posts, "direct-send-event-poster");
        poster.setDaemon(true);
        poster.start();
        final int second;
        try
        {
            second = posts.get(10, TimeUnit.SECONDS);
        }
        catch (final TimeoutException ex)
        {
            stuck = true; // its thread holds A's engine cycle: closing the devices would wait for it
            throw new AssertionError("the post that raised the event never returned: its handler is spinning", ex);
        }
        assertEquals(0, second, "the second post");
        assertEquals(0, handlerPost.get(), "the handler's post");

        final WorkCompletion[] wc = TestSupport.freshCompletions(8);
        int received = 0;
        final long deadline = System.nanoTime() + TestSupport.WAIT_NANOS;
        while (received < 3 && System.nanoTime() < deadline)
        {
            final int n = cqb.poll(wc);
            for (int i = 0; i < n; i++)
            {
                assertEquals(WcStatus.SUCCESS, wc[i].status(), wc[i]::toString);
                assertEquals(WcOpcode.RECV, wc[i].opcode());
            }
            received += n;
            ca.progress();
            cc.progress();
        }
        assertEquals(3, received, "receives: A's two SENDs and the handler's");
        assertEquals(99, TestSupport.pollOne(cqc, cc).wrId());
    }
}
