package io.softverbs.offheap;

import java.util.concurrent.TimeUnit;

import io.softverbs.Access;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.softverbs.offheap.TestSupport.pollOne;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The retransmission timer (the local ACK timeout, {@code timeout} and {@code retry_cnt} of {@code ibv_modify_qp}):
 * a request nobody answers is sent again after the timeout and, once the retries are used up, completes with
 * RETRY_EXC_ERR; a timer never fires before its timeout, however long the engine sat idle before it was armed. All
 * nodes are INVOKER, so a peer answers only while this test runs its engine: a peer it leaves alone is a peer whose
 * answers are lost.
 */
@Timeout(60)
class RetransmitTimerTest
{
    private Node a;
    private Node b;
    private Node c;
    private MemoryRegion src;
    private final SendWorkRequest send = new SendWorkRequest();

    @BeforeEach
    void setUp()
    {
        // Retransmissions are of requests that travel: a SEND to a ready peer would be executed by A itself.
        a = TestSupport.lanesOnly(() -> Node.open("a", ProgressMode.INVOKER));
        b = TestSupport.lanesOnly(() -> Node.open("b", ProgressMode.INVOKER));
        c = TestSupport.lanesOnly(() -> Node.open("c", ProgressMode.INVOKER));
        src = a.alloc(4096, Access.LOCAL_WRITE);
    }

    @AfterEach
    void tearDown()
    {
        c.close();
        b.close();
        a.close();
    }

    /** Three timeouts of 262 us each (the first try and two retries), then RETRY_EXC_ERR. */
    @Test
    void aRequestNobodyAnswersEndsInRetryExcErrAfterItsRetries()
    {
        final QueuePair qp = connect(a, b, 6, 2);
        final long start = System.nanoTime();
        assertEquals(0, qp.postSend(signaledSend(1)));
        final WorkCompletion wc = pollOne(a.sendCq, a.ctx);
        final long elapsed = System.nanoTime() - start;
        assertEquals(WcStatus.RETRY_EXC_ERR, wc.status(), wc::toString);
        assertEquals(1, wc.wrId());
        assertTrue(elapsed >= 3 * 262_144L, () -> "failed after " + elapsed + " ns, before three timeouts");
        assertEquals(QpState.ERR, qp.state());
    }

    /**
     * After A's engine sat idle for a quarter of a second, a SEND on a QP whose timer (67 ms, no retries) ran through
     * the pause must still be given its 67 ms: polls of A alone, which run A's timer stage many times over, must not
     * fail it (the timer expired in the pause, but ACKs had made progress since it was armed), and once B answers it
     * succeeds.
     */
    @Test
    void aTimerThatExpiredDuringAnIdlePauseRestartsInsteadOfFailing()
    {
        final QueuePair qp = connect(a, b, 14, 0);
        assertEquals(0, qp.postSend(signaledSend(1)));
        assertEquals(WcStatus.SUCCESS, pollOne(a.sendCq, a.ctx, b.ctx).status());
        idle(250);
        sendWithoutEarlyTimeout(qp, 2);
    }

    /**
     * The same after the timer lapsed with nothing outstanding, so the SEND after the pause arms it anew. With
     * another QP's timer running, A's engine once took that deadline from the clock its timer stage had last read,
     * a quarter of a second old, and the SEND failed at once.
     */
    @Test
    void aTimerArmedAfterAnIdlePauseDoesNotFireEarly()
    {
        final QueuePair slow = connect(a, c, 20, 7); // C never answers; its 4.3 s timer keeps A's timer list busy
        assertEquals(0, slow.postSend(signaledSend(100)));
        final QueuePair qp = connect(a, b, 10, 0);
        assertEquals(0, qp.postSend(signaledSend(1)));
        assertEquals(WcStatus.SUCCESS, pollOne(a.sendCq, a.ctx, b.ctx).status());
        final long lapsed = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        while (System.nanoTime() - lapsed < 0)
        {
            a.ctx.progress(); // A's timer stage sees the 4.2 ms timer expire with nothing outstanding
        }
        idle(250);
        sendWithoutEarlyTimeout(qp, 2);
    }

    /** A's engine is left alone: the clock its timer stage last read goes stale. */
    private static void idle(final long millis)
    {
        final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() - until < 0)
        {
            Thread.onSpinWait();
        }
    }

    private void sendWithoutEarlyTimeout(final QueuePair qp, final long wrId)
    {
        assertEquals(0, qp.postSend(signaledSend(wrId)));
        for (int i = 0; i < 4096; i++)
        {
            a.ctx.progress(); // many timer-stage checks of A, which samples its timers every 16th look
        }
        TestSupport.assertEmpty(a.sendCq);
        final WorkCompletion wc = pollOne(a.sendCq, a.ctx, b.ctx);
        assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
        assertEquals(wrId, wc.wrId());
    }

    private SendWorkRequest signaledSend(final long wrId)
    {
        return send.clear().opcode(Opcode.SEND).flags(SendFlags.INLINE | SendFlags.SIGNALED).sge(src, 0, 16)
            .wrId(wrId);
    }

    /** A QP on {@code from} connected to one on {@code to} (which gets a receive), with the given timer settings. */
    private static QueuePair connect(final Node from, final Node to, final int timeout, final int retryCount)
    {
        final QueuePair local = from.createQp(o -> o);
        final QueuePair remote = to.createQp(o -> o);
        local.modify(TestSupport.toInit(Access.ALL_REMOTE));
        local.modify(TestSupport.toRtr(remote.localEndpoint(), 1));
        local.modify(QpAttributes.builder().state(QpState.RTS).timeout(timeout).retryCount(retryCount).rnrRetry(7)
            .maxRdAtomic(16).sqPsn(local.localEndpoint().psn()).build());
        TestSupport.connectManually(remote, local.localEndpoint(), Access.ALL_REMOTE, 1, 7);
        final MemoryRegion sink = to.alloc(4096, Access.LOCAL_WRITE);
        for (int i = 0; i < 4; i++)
        {
            assertEquals(0, remote.postRecv(TestSupport.recv(i, sink, 0, 64)));
        }
        return local;
    }
}
