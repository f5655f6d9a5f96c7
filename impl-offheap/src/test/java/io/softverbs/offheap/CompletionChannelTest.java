package io.softverbs.offheap;

import java.util.concurrent.TimeUnit;

import io.softverbs.Access;
import io.softverbs.CompletionQueue;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.QpAttributes;
import io.softverbs.QpState;
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

/** Completion channels: solicited-only versus any-completion arming, and that arming is one-shot. */
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
}
