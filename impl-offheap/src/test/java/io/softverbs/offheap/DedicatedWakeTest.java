package io.softverbs.offheap;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.softverbs.Access;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.QueuePair;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import io.softverbs.offheap.engine.WakeableIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.softverbs.offheap.TestSupport.connectManually;
import static io.softverbs.offheap.TestSupport.pollOne;
import static io.softverbs.offheap.TestSupport.recv;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DEDICATED engine threads that park for ten minutes when idle still answer at once: a post's doorbell, a peer's
 * request, its ACK and a control command each wake the engine they are for, and a due RNR timer ends a park by
 * itself. Without those every step here would wait out a park and fail on {@link TestSupport#WAIT_NANOS}.
 */
@Timeout(60)
class DedicatedWakeTest
{
    private static final String TEN_MINUTES = Long.toString(TimeUnit.MINUTES.toNanos(10));

    private Pair pair;
    private MemoryRegion region;

    @BeforeEach
    void setUp()
    {
        System.setProperty(SoftContext.MIN_PARK_PROPERTY, TEN_MINUTES);
        System.setProperty(SoftContext.MAX_PARK_PROPERTY, TEN_MINUTES);
        try
        {
            pair = Pair.open(); // DEDICATED; connecting already takes control commands while the engines park
            region = pair.a.alloc(4096, Access.LOCAL_WRITE);
        }
        finally
        {
            System.clearProperty(SoftContext.MIN_PARK_PROPERTY);
            System.clearProperty(SoftContext.MAX_PARK_PROPERTY);
        }
    }

    @AfterEach
    void tearDown()
    {
        pair.close();
    }

    @Test
    void parkedEnginesDeliverEverySendItsReplyAndItsCompletion()
    {
        final MemoryRegion srcA = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion dstA = pair.a.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion srcB = pair.b.alloc(4096, Access.LOCAL_WRITE);
        final MemoryRegion dstB = pair.b.alloc(4096, Access.LOCAL_WRITE);
        final SendWorkRequest send = new SendWorkRequest();
        for (int round = 0; round < 10; round++)
        {
            assertEquals(0, pair.qpB.postRecv(recv(round, dstB, 0, 64)));
            assertEquals(0, pair.qpA.postRecv(recv(round, dstA, 0, 64)));
            srcA.buffer().putInt(0, round);
            awaitEnginesParked();
            // A's doorbell wakes A's engine; its request wakes B's; B's ACK wakes A's again for the completion.
            post(pair.qpA, send, srcA, round);
            final WorkCompletion request = pollOne(pair.b.recvCq);
            assertEquals(WcStatus.SUCCESS, request.status());
            assertEquals(round, dstB.buffer().getInt(0));
            final WorkCompletion sent = pollOne(pair.a.sendCq);
            assertEquals(WcOpcode.SEND, sent.opcode());
            assertEquals(round, sent.wrId());

            srcB.buffer().putInt(0, -round);
            awaitEnginesParked();
            post(pair.qpB, send, srcB, round);
            final WorkCompletion reply = pollOne(pair.a.recvCq);
            assertEquals(WcOpcode.RECV, reply.opcode());
            assertEquals(-round, dstA.buffer().getInt(0));
            assertEquals(WcStatus.SUCCESS, pollOne(pair.b.sendCq).status());
        }
    }

    @Test
    void aControlCommandWakesAParkedEngine()
    {
        for (int i = 0; i < 5; i++)
        {
            awaitEnginesParked();
            // Only the engine thread completes an asynchronous registration: nobody here drives the engine.
            final MemoryRegion mr = pair.a.pd.registerMemoryAsync(region.address(), region.length(), Access.LOCAL_WRITE);
            TestSupport.awaitCondition("the registration to complete", () -> !mr.isPending());
            mr.close();
        }
    }

    /**
     * An RNR retry is due 2.56 ms after the NAK (B's RNR timer code 16), and nothing rings for it: A's engine thread
     * must not park past it. One retry is allowed and B never posts a receive, so A's SEND ends in
     * RNR_RETRY_EXC_ERR, which needs the retry to go out.
     */
    @Test
    void aParkedEngineRetriesWhenItsRnrTimerIsDue()
    {
        pair.close();
        System.setProperty(SoftContext.MIN_PARK_PROPERTY, TEN_MINUTES);
        System.setProperty(SoftContext.MAX_PARK_PROPERTY, TEN_MINUTES);
        try
        {
            pair = Pair.open(ProgressMode.DEDICATED, o -> o, false);
        }
        finally
        {
            System.clearProperty(SoftContext.MIN_PARK_PROPERTY);
            System.clearProperty(SoftContext.MAX_PARK_PROPERTY);
        }
        connectManually(pair.qpA, pair.qpB.localEndpoint(), Access.ALL_REMOTE, 16, 1);
        connectManually(pair.qpB, pair.qpA.localEndpoint(), Access.ALL_REMOTE, 16, 1);
        final MemoryRegion src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        awaitEnginesParked();
        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().opcode(Opcode.SEND).flags(SendFlags.SIGNALED)
            .sge(src, 0, 32).wrId(5)));
        final WorkCompletion wc = pollOne(pair.a.sendCq);
        assertEquals(WcStatus.RNR_RETRY_EXC_ERR, wc.status(), wc::toString);
    }

    private static void post(final QueuePair qp, final SendWorkRequest send, final MemoryRegion src, final int round)
    {
        send.clear().opcode(Opcode.SEND).flags(SendFlags.INLINE | SendFlags.SIGNALED).sge(src, 0, 4).wrId(round);
        assertEquals(0, qp.postSend(send));
    }

    /** Both engine threads idle in a park of their idle strategy (ten minutes long here). */
    private void awaitEnginesParked()
    {
        final Thread a = engineThread(pair.a);
        final Thread b = engineThread(pair.b);
        TestSupport.awaitCondition("both engine threads parked", () -> isParked(a) && isParked(b));
    }

    private static boolean isParked(final Thread thread)
    {
        return thread.getState() == Thread.State.TIMED_WAITING &&
            LockSupport.getBlocker(thread) instanceof WakeableIdleStrategy;
    }

    private static Thread engineThread(final Node node)
    {
        final String name = "softverbs-" + node.device.name() + "-f0";
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().equals(name))
            {
                return thread;
            }
        }
        throw new AssertionError("no engine thread " + name);
    }
}
