package io.softverbs.offheap;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.softverbs.Access;
import io.softverbs.CompletionQueue;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.QpAttributes;
import io.softverbs.QpState;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.softverbs.offheap.TestSupport.QUIET_MILLIS;
import static io.softverbs.offheap.TestSupport.WAIT_NANOS;
import static io.softverbs.offheap.TestSupport.recv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Completion channels: solicited-only versus any-completion arming, that arming is one-shot, that a thread already
 * waiting is woken, and that waiting allocates nothing.
 */
@Timeout(30)
class CompletionChannelTest
{
    private Pair pair;
    private MemoryRegion src;
    private MemoryRegion dst;
    private CompletionQueue cq;

    @BeforeEach
    void setUp()
    {
        pair = Pair.open();
        src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        dst = pair.b.alloc(4096, Access.LOCAL_WRITE);
        cq = pair.b.recvCq; // bound to pair.b.channel
        for (int i = 0; i < 8; i++)
        {
            assertEquals(0, pair.qpB.postRecv(recv(i, dst, 256L * i, 256)));
        }
    }

    @AfterEach
    void tearDown()
    {
        if (pair != null)
        {
            pair.close();
        }
    }

    private void send(final long wrId, final boolean solicited)
    {
        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(wrId).opcode(Opcode.SEND)
            .flags(SendFlags.SIGNALED | (solicited ? SendFlags.SOLICITED : 0)).sge(src, 0, 32)));
        assertEquals(WcStatus.SUCCESS, pair.pollOne(pair.a.sendCq).status());
    }

    /** Waiting for a notification that must come. */
    private CompletionQueue awaitFired()
    {
        return pair.b.channel.await(WAIT_NANOS, TimeUnit.NANOSECONDS);
    }

    /** Waiting for a notification that must not come. */
    private CompletionQueue awaitQuiet()
    {
        return pair.b.channel.await(QUIET_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Test
    void solicitedOnlyIgnoresUnsolicitedReceivesAndFiresOnASolicitedOne()
    {
        cq.requestNotify(true);

        send(1, false);
        // The receive completion is already in the CQ, so a wrong notification would already be pending.
        final WorkCompletion unsolicited = pair.pollOne(cq);
        assertFalse(unsolicited.isSolicited(), unsolicited::toString);
        assertNull(awaitQuiet(), "an unsolicited receive must not fire a solicited-only arm");

        // The same arm is still pending and fires for the solicited one.
        send(2, true);
        assertSame(cq, awaitFired(), "a solicited receive fires the channel");
        final WorkCompletion solicited = pair.pollOne(cq);
        assertTrue(solicited.isSolicited(), solicited::toString);
        assertEquals(WcStatus.SUCCESS, solicited.status());
    }

    @Test
    void anyCompletionFiresWhenArmedForAll()
    {
        cq.requestNotify(false);
        send(1, false);
        assertSame(cq, awaitFired());
        final WorkCompletion wc = pair.pollOne(cq);
        assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
        assertFalse(wc.isSolicited());
    }

    @Test
    void armingIsOneShot()
    {
        cq.requestNotify(false);
        send(1, false);
        assertSame(cq, awaitFired());
        pair.pollOne(cq);

        // Not re-armed: the next completion is silent.
        send(2, true);
        pair.pollOne(cq);
        assertNull(awaitQuiet(), "arming is one-shot");

        // Re-armed: it fires again.
        cq.requestNotify(false);
        send(3, false);
        assertSame(cq, awaitFired());
        pair.pollOne(cq);
    }

    @Test
    void solicitedOnlyFiresOnAnErrorCompletion()
    {
        cq.requestNotify(true);
        // Flushing B's posted receives produces error completions, which count as solicited events.
        pair.qpB.modify(QpAttributes.builder().state(QpState.ERR).build());
        assertSame(cq, awaitFired());
        final WorkCompletion wc = pair.pollOne(cq);
        assertEquals(WcStatus.WR_FLUSH_ERR, wc.status(), wc::toString);
    }

    /** Starts a thread that waits on B's channel, and returns once it is parked in the wait. */
    private Thread startWaiter(final AtomicReference<CompletionQueue> result)
    {
        final Thread waiter = new Thread(() -> result.set(awaitFired()), "channel-waiter");
        waiter.start();
        final long deadline = System.nanoTime() + WAIT_NANOS;
        while (waiter.getState() != Thread.State.TIMED_WAITING)
        {
            assertTrue(System.nanoTime() < deadline, "the waiter never parked");
            Thread.onSpinWait();
        }
        return waiter;
    }

    @Test
    void aThreadAlreadyWaitingIsWokenByTheEvent() throws InterruptedException
    {
        final AtomicReference<CompletionQueue> result = new AtomicReference<>();
        cq.requestNotify(false);
        final Thread waiter = startWaiter(result);
        send(1, false);
        waiter.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
        assertFalse(waiter.isAlive(), "the waiter was not woken");
        assertSame(cq, result.get());
    }

    @Test
    void twoWaitersTakeOneEventEach() throws InterruptedException
    {
        final AtomicReference<CompletionQueue> first = new AtomicReference<>();
        final AtomicReference<CompletionQueue> second = new AtomicReference<>();
        final Thread one = startWaiter(first);
        final Thread two = startWaiter(second);
        cq.requestNotify(false);
        send(1, false);
        // Exactly one waiter has the event; the other is still waiting.
        final long deadline = System.nanoTime() + WAIT_NANOS;
        while (one.isAlive() && two.isAlive())
        {
            assertTrue(System.nanoTime() < deadline, "neither waiter was woken");
            Thread.onSpinWait();
        }
        assertTrue(one.isAlive() || two.isAlive(), "one event woke both waiters");
        cq.requestNotify(false);
        send(2, false);
        one.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
        two.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
        assertSame(cq, first.get());
        assertSame(cq, second.get());
    }

    @Test
    void waitingForAnEventAllocatesNothing() throws InterruptedException
    {
        final int warmUp = 3_000;
        final int measured = 3_000;
        final int total = warmUp + measured;
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long self = Thread.currentThread().getId();
        final WorkCompletion[] taken = {new WorkCompletion()};
        final RecvWorkRequest receive = recv(0, dst, 0, 256);
        final AtomicInteger armed = new AtomicInteger();
        // The sender sends one message each time this thread has armed: this thread is then (almost always) already
        // parked in the wait when the event comes.
        final Thread sender = new Thread(() ->
        {
            final SendWorkRequest wr = new SendWorkRequest().opcode(Opcode.SEND).sge(src, 0, 32);
            final WorkCompletion[] sent = {new WorkCompletion()};
            for (int i = 1; i <= total; i++)
            {
                while (armed.get() < i)
                {
                    Thread.onSpinWait();
                }
                final boolean signaled = i % 16 == 0;
                if (pair.qpA.postSend(wr.flags(signaled ? SendFlags.SIGNALED : 0)) != 0)
                {
                    return; // this thread's await then times out and the test fails
                }
                while (signaled && pair.a.sendCq.poll(sent) == 0)
                {
                    Thread.onSpinWait();
                }
            }
        }, "channel-sender");
        sender.start();
        long allocatedBefore = 0;
        for (int i = 1; i <= total; i++)
        {
            if (i == warmUp + 1)
            {
                allocatedBefore = threads.getThreadAllocatedBytes(self);
            }
            cq.requestNotify(false);
            armed.set(i);
            if (pair.b.channel.await(WAIT_NANOS, TimeUnit.NANOSECONDS) != cq)
            {
                break;
            }
            while (cq.poll(taken) == 0)
            {
                Thread.onSpinWait();
            }
            if (pair.qpB.postRecv(receive) != 0)
            {
                break;
            }
        }
        final long allocated = threads.getThreadAllocatedBytes(self) - allocatedBefore;
        sender.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
        assertEquals(total, armed.get(), "every round trip completed");
        // A wait node per blocking wait would be at least 16 bytes x 3,000; the slack is for a late JIT compile.
        assertTrue(allocated < 1024, "the waiting thread allocated " + allocated + " bytes in " + measured + " waits");
    }
}
