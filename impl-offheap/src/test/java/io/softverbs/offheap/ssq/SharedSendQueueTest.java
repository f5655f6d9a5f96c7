package io.softverbs.offheap.ssq;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.softverbs.Access;
import io.softverbs.AsyncEvent;
import io.softverbs.AsyncEventType;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.Errors;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpAttributes;
import io.softverbs.QpState;
import io.softverbs.QueuePair;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.SharedSendQueue;
import io.softverbs.SsqInit;
import io.softverbs.VerbsException;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.agrona.BufferUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.softverbs.offheap.FixtureSupport.await;
import static io.softverbs.offheap.FixtureSupport.connect;
import static io.softverbs.offheap.FixtureSupport.poll;
import static io.softverbs.offheap.FixtureSupport.tryPoll;
import static io.softverbs.offheap.ssq.SsqFixture.assertQuiet;
import static io.softverbs.offheap.ssq.SsqFixture.channel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared send queue (issue 4, DESIGN.md section 5.3): completions in SSQ posting order even when a later channel is
 * acknowledged first, a slow channel does not hold back other channels' transmissions, and a failing channel errors
 * and flushes only its own requests, each in its place in the order.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedSendQueueTest
{
    private static final int LEN = 256;

    private Device devA;
    private Device devB;
    private Context ctxA;
    private Context ctxB;
    private ProtectionDomain pdA;
    private ProtectionDomain pdB;
    private CompletionQueue ssqCq;
    private CompletionQueue chRecvCq;
    private SharedSendQueue ssq;
    private MemoryRegion src;
    private MemoryRegion sink;
    private final LinkedBlockingQueue<AsyncEvent> eventsB = new LinkedBlockingQueue<>();
    private final SendWorkRequest wr = new SendWorkRequest();
    private final RecvWorkRequest recv = new RecvWorkRequest();

    @BeforeEach
    void open()
    {
        devA = SsqFixture.openDevice("pub");
        devB = SsqFixture.openDevice("peer");
        ctxA = devA.open();
        ctxB = devB.open();
        ctxB.onAsyncEvent(eventsB::add);
        pdA = ctxA.allocPd();
        pdB = ctxB.allocPd();
        ssqCq = ctxA.createCq(1024);
        chRecvCq = ctxA.createCq(64);
        ssq = pdA.createSharedSendQueue(SsqInit.builder().sendCq(ssqCq).maxWr(256).build());
        src = pdA.allocateMemory(16 * LEN, Access.LOCAL_WRITE);
        for (int i = 0; i < 16; i++)
        {
            src.buffer().setMemory(i * LEN, LEN, (byte)(i + 1));
        }
        sink = pdB.allocateMemory(64 * LEN, Access.LOCAL_WRITE | Access.REMOTE_WRITE);
    }

    @AfterEach
    void close()
    {
        if (devA != null)
        {
            devA.close();
        }
        if (devB != null)
        {
            devB.close();
        }
    }

    private SendWorkRequest send(final long wrId, final int slot)
    {
        return wr.clear().wrId(wrId).opcode(Opcode.SEND).flags(SendFlags.SIGNALED).sge(src, (long)slot * LEN, LEN);
    }

    private SendWorkRequest write(final long wrId, final int slot, final int sinkSlot, final int rkey)
    {
        return wr.clear().wrId(wrId).opcode(Opcode.RDMA_WRITE).flags(SendFlags.SIGNALED).sge(src, (long)slot * LEN, LEN)
            .remote(sink.address() + (long)sinkSlot * LEN, rkey);
    }

    private void postRecv(final QueuePair qp, final long wrId, final int sinkSlot)
    {
        assertEquals(0, qp.postRecv(recv.clear().wrId(wrId).sge(sink, (long)sinkSlot * LEN, LEN)));
    }

    private void assertSinkSlot(final int sinkSlot, final int srcSlot)
    {
        for (int i = 0; i < LEN; i++)
        {
            assertEquals((byte)(srcSlot + 1), sink.buffer().getByte(sinkSlot * LEN + i), "sink slot " + sinkSlot);
        }
    }

    /**
     * Channel 1's peer has no receive posted (RNR, retried forever), channel 2's peer has: channel 2's SENDs are
     * transmitted and received, but no SSQ completion is delivered until channel 1's SEND completes; then all come
     * in posting order.
     */
    @Test
    void completionOrderEqualsPostingOrderWhenSecondChannelCompletesFirst()
    {
        final CompletionQueue peerCq1 = ctxB.createCq(64);
        final CompletionQueue peerCq2 = ctxB.createCq(64);
        final QueuePair ch1 = channel(pdA, ssq, chRecvCq);
        final QueuePair ch2 = channel(pdA, ssq, chRecvCq);
        final QueuePair p1 = SsqFixture.qp(pdB, peerCq1);
        final QueuePair p2 = SsqFixture.qp(pdB, peerCq2);
        connect(ch1, p1);
        connect(ch2, p2);
        for (int i = 0; i < 3; i++)
        {
            postRecv(p2, 200 + i, 1 + i);
        }

        assertEquals(0, ssq.postSend(ch1, send(1, 0)));
        assertEquals(0, ssq.postSend(ch2, send(2, 1)));
        assertEquals(0, ssq.postSend(ch2, send(3, 2)));
        assertEquals(0, ssq.postSend(ch2, send(4, 3)));

        // Channel 2's transmissions are not held back by channel 1 ...
        final List<WorkCompletion> received2 = poll(peerCq2, 3);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(200 + i, received2.get(i).wrId());
            assertEquals(WcStatus.SUCCESS, received2.get(i).status());
            assertEquals(ch2.qpNum(), received2.get(i).srcQp());
            assertSinkSlot(1 + i, 1 + i);
        }
        // ... but their completions wait for channel 1's, which cannot complete before its peer posts a receive.
        assertQuiet(ssqCq, 200, "an SSQ completion was delivered while the first request was still RNR-retrying");
        assertNull(tryPoll(peerCq1));
        assertEquals(QpState.RTS, ch1.state());

        postRecv(p1, 100, 0);
        final List<WorkCompletion> done = poll(ssqCq, 4);
        for (int i = 0; i < 4; i++)
        {
            final WorkCompletion wc = done.get(i);
            assertEquals(i + 1, wc.wrId(), "completion " + i + " out of posting order: " + done);
            assertEquals(WcStatus.SUCCESS, wc.status(), wc.toString());
            assertEquals(WcOpcode.SEND, wc.opcode());
            assertEquals(i == 0 ? ch1.qpNum() : ch2.qpNum(), wc.qpNum(), "qpNum must name the channel");
        }
        final WorkCompletion received1 = poll(peerCq1, 1).get(0);
        assertEquals(100, received1.wrId());
        assertEquals(LEN, received1.byteLen());
        assertSinkSlot(0, 0);
        assertNull(tryPoll(ssqCq));
    }

    /**
     * One channel hits REM_ACCESS_ERR (bad rkey): that request fails, its later requests flush, each in its place in
     * the SSQ order; the other channel's requests all succeed and it stays RTS.
     */
    @Test
    void failingChannelErrorsOnlyItsOwnRequests()
    {
        final CompletionQueue peerCq = ctxB.createCq(64);
        final QueuePair good = channel(pdA, ssq, chRecvCq);
        final QueuePair bad = channel(pdA, ssq, chRecvCq);
        final QueuePair pGood = SsqFixture.qp(pdB, peerCq);
        final QueuePair pBad = SsqFixture.qp(pdB, peerCq);
        connect(good, pGood);
        connect(bad, pBad);
        for (int i = 0; i < 5; i++)
        {
            postRecv(pGood, 300 + i, 10 + i);
        }
        final int badRkey = sink.rkey() + 1; // same index, another key byte: no such key

        assertEquals(0, ssq.postSend(good, send(0, 0)));                 // -> sink 10
        assertEquals(0, ssq.postSend(bad, write(1, 1, 1, sink.rkey())));  // -> sink 1
        assertEquals(0, ssq.postSend(good, write(2, 2, 2, sink.rkey()))); // -> sink 2
        assertEquals(0, ssq.postSend(bad, write(3, 3, 3, badRkey)));      // REM_ACCESS_ERR
        assertEquals(0, ssq.postSend(good, send(4, 4)));                  // -> sink 11
        assertEquals(0, ssq.postSend(bad, send(5, 5)));                   // flushed
        assertEquals(0, ssq.postSend(good, write(6, 6, 6, sink.rkey()))); // -> sink 6
        assertEquals(0, ssq.postSend(bad, write(7, 7, 7, sink.rkey())));  // flushed
        assertEquals(0, ssq.postSend(good, send(8, 8)));                  // -> sink 12

        final List<WorkCompletion> done = poll(ssqCq, 9);
        final WcStatus[] expected = {
            WcStatus.SUCCESS, WcStatus.SUCCESS, WcStatus.SUCCESS, WcStatus.REM_ACCESS_ERR, WcStatus.SUCCESS,
            WcStatus.WR_FLUSH_ERR, WcStatus.SUCCESS, WcStatus.WR_FLUSH_ERR, WcStatus.SUCCESS};
        for (int i = 0; i < 9; i++)
        {
            final WorkCompletion wc = done.get(i);
            assertEquals(i, wc.wrId(), "out of posting order: " + done);
            assertEquals(expected[i], wc.status(), "request " + i + ": " + done);
            assertEquals(i % 2 == 0 ? good.qpNum() : bad.qpNum(), wc.qpNum(), wc.toString());
        }
        await(() -> bad.state() == QpState.ERR, "failed channel in ERR");
        assertEquals(QpState.RTS, good.state());
        assertSinkSlot(10, 0);
        assertSinkSlot(1, 1);
        assertSinkSlot(2, 2);
        assertSinkSlot(11, 4);
        assertSinkSlot(6, 6);
        assertSinkSlot(12, 8);
        for (int i = 0; i < LEN; i++)
        {
            assertEquals(0, sink.buffer().getByte(7 * LEN + i), "a flushed WRITE reached the peer");
        }

        // Later: the failed channel's new requests flush in their place, the good channel keeps going.
        assertEquals(0, ssq.postSend(good, send(9, 9)));
        final int rc = ssq.postSend(bad, send(10, 10));
        assertEquals(0, ssq.postSend(good, send(11, 11)));
        final List<WorkCompletion> later = poll(ssqCq, rc == 0 ? 3 : 2);
        assertEquals(9, later.get(0).wrId());
        assertEquals(WcStatus.SUCCESS, later.get(0).status());
        if (rc == 0)
        {
            assertEquals(10, later.get(1).wrId());
            assertEquals(WcStatus.WR_FLUSH_ERR, later.get(1).status());
        }
        else
        {
            assertEquals(Errors.EPERM, rc, "posting to a channel in ERR: 0 (then flushed) or EPERM");
        }
        final WorkCompletion last = later.get(later.size() - 1);
        assertEquals(11, last.wrId());
        assertEquals(WcStatus.SUCCESS, last.status());
        assertEquals(QpState.RTS, good.state());
        assertNull(tryPoll(ssqCq));

        final List<WorkCompletion> received = poll(peerCq, 5);
        for (final WorkCompletion wc : received)
        {
            assertEquals(WcStatus.SUCCESS, wc.status(), wc.toString());
            assertEquals(pGood.qpNum(), wc.qpNum());
        }
        assertTrue(eventsB.stream()
                .anyMatch(e -> e.type() == AsyncEventType.QP_ACCESS_ERR && e.qpNum() == pBad.qpNum()),
            "responder of the failing channel reports QP_ACCESS_ERR: " + eventsB);
    }

    /** Unsignaled successful requests produce no completion; signaled ones and errors keep the posting order. */
    @Test
    void unsignaledRequestsAreSkippedButOrderHolds()
    {
        final CompletionQueue peerCq = ctxB.createCq(64);
        final QueuePair ch1 = channel(pdA, ssq, chRecvCq);
        final QueuePair ch2 = channel(pdA, ssq, chRecvCq);
        final QueuePair p1 = SsqFixture.qp(pdB, peerCq);
        final QueuePair p2 = SsqFixture.qp(pdB, peerCq);
        connect(ch1, p1);
        connect(ch2, p2);
        for (int i = 0; i < 6; i++)
        {
            assertEquals(0, ssq.postSend(i % 2 == 0 ? ch1 : ch2,
                write(i, i, i, sink.rkey()).flags(i % 3 == 2 ? SendFlags.SIGNALED : 0)));
        }
        final List<WorkCompletion> done = poll(ssqCq, 2);
        assertEquals(2, done.get(0).wrId());
        assertEquals(5, done.get(1).wrId());
        assertEquals(ch1.qpNum(), done.get(0).qpNum());
        assertEquals(ch2.qpNum(), done.get(1).qpNum());
        for (int i = 0; i < 6; i++)
        {
            assertSinkSlot(i, i);
        }
        assertQuiet(ssqCq, 50, "unsignaled request completed");
    }

    /** The SSQ's own return codes and the channel rules of SEMANTICS.md. */
    @Test
    void postingRules()
    {
        final CompletionQueue peerCq = ctxB.createCq(64);
        final QueuePair ch = channel(pdA, ssq, chRecvCq);
        final QueuePair p = SsqFixture.qp(pdB, peerCq);

        assertEquals(Errors.EPERM, ssq.postSend(ch, send(1, 0)), "channel in RESET");
        connect(ch, p);
        assertEquals(Errors.EINVAL, ch.postSend(send(1, 0)), "a channel has no send queue of its own");

        final CompletionQueue otherCq = ctxA.createCq(16);
        final QueuePair notAChannel = SsqFixture.qp(pdA, otherCq);
        assertEquals(Errors.EINVAL, ssq.postSend(notAChannel, send(1, 0)));
        final SharedSendQueue other = pdA.createSharedSendQueue(SsqInit.builder().sendCq(otherCq).maxWr(4).build());
        assertEquals(Errors.EINVAL, other.postSend(ch, send(1, 0)), "channel of another SSQ");

        // A channel must live in the SSQ's context.
        final CompletionQueue cqB = ctxB.createCq(16);
        final VerbsException ex = assertThrows(VerbsException.class,
            () -> channel(pdB, ssq, cqB));
        assertEquals(Errors.EINVAL, ex.errno());

        // Full: the peer never posts a receive, so nothing completes and the ring fills up.
        final QueuePair ch2 = channel(pdA, other, chRecvCq);
        final QueuePair p2 = SsqFixture.qp(pdB, peerCq);
        connect(ch2, p2);
        int posted = 0;
        int rc;
        while ((rc = other.postSend(ch2, send(posted, 0))) == 0)
        {
            posted++;
            assertTrue(posted <= 64, "SSQ of maxWr 4 took " + posted + " requests");
        }
        assertEquals(Errors.ENOMEM, rc);
        assertTrue(posted >= 4, "SSQ of maxWr 4 took only " + posted);
        for (int i = 0; i < posted; i++)
        {
            postRecv(p2, i, i);
        }
        final List<WorkCompletion> done = poll(otherCq, posted);
        for (int i = 0; i < posted; i++)
        {
            assertEquals(i, done.get(i).wrId());
            assertEquals(WcStatus.SUCCESS, done.get(i).status());
        }
        assertEquals(0, other.postSend(ch2, send(99, 0)), "room again after completions");
        postRecv(p2, 99, 40);
        assertEquals(99, poll(otherCq, 1).get(0).wrId());
    }

    /**
     * Many requests outstanding on one slow channel (more than its initial window) interleaved with another channel's:
     * the order still holds and every request completes once the slow peer receives.
     */
    @Test
    void manyOutstandingRequestsOnOneSlowChannel()
    {
        final CompletionQueue peerCq1 = ctxB.createCq(64);
        final CompletionQueue peerCq2 = ctxB.createCq(64);
        final QueuePair slow = channel(pdA, ssq, chRecvCq);
        final QueuePair fast = channel(pdA, ssq, chRecvCq);
        final QueuePair p1 = SsqFixture.qp(pdB, peerCq1);
        final QueuePair p2 = SsqFixture.qp(pdB, peerCq2);
        connect(slow, p1);
        connect(fast, p2);
        final int n = 24;
        for (int i = 0; i < n; i++)
        {
            postRecv(p2, 1000 + i, 32 + i);
        }
        for (int i = 0; i < 2 * n; i++)
        {
            assertEquals(0, ssq.postSend(i % 2 == 0 ? slow : fast, send(i, i % 16)), "post " + i);
        }
        poll(peerCq2, n);
        assertQuiet(ssqCq, 100, "completion delivered while the first (slow) request was pending");
        for (int i = 0; i < n; i++)
        {
            postRecv(p1, 2000 + i, i);
        }
        final List<WorkCompletion> done = poll(ssqCq, 2 * n);
        for (int i = 0; i < 2 * n; i++)
        {
            assertEquals(i, done.get(i).wrId(), "out of posting order: " + done);
            assertEquals(WcStatus.SUCCESS, done.get(i).status(), done.get(i).toString());
            assertEquals(i % 2 == 0 ? slow.qpNum() : fast.qpNum(), done.get(i).qpNum());
        }
        final List<WorkCompletion> received = poll(peerCq1, n);
        for (int i = 0; i < n; i++)
        {
            assertEquals(2000 + i, received.get(i).wrId());
            assertSinkSlot(i, (2 * i) % 16);
        }
    }

    /** A channel whose peer never receives, with rnrRetry 1: RNR_RETRY_EXC_ERR for it, flushes after, others fine. */
    @Test
    void rnrExhaustedOnOneChannelLeavesTheOthersRunning()
    {
        final CompletionQueue peerCq = ctxB.createCq(64);
        final QueuePair dead = channel(pdA, ssq, chRecvCq);
        final QueuePair live = channel(pdA, ssq, chRecvCq);
        final QueuePair pDead = SsqFixture.qp(pdB, peerCq);
        final QueuePair pLive = SsqFixture.qp(pdB, peerCq);
        dead.modify(QpAttributes.builder().state(QpState.INIT).accessFlags(0).build());
        dead.modify(QpAttributes.builder().state(QpState.RTR).remote(pDead.localEndpoint()).pathMtu(4096)
            .minRnrTimer(1).maxDestRdAtomic(1).build());
        dead.modify(QpAttributes.builder().state(QpState.RTS).timeout(14).retryCount(7).rnrRetry(1)
            .maxRdAtomic(1).build());
        pDead.connect(dead.localEndpoint());
        connect(live, pLive);
        for (int i = 0; i < 3; i++)
        {
            postRecv(pLive, 500 + i, 20 + i);
        }
        assertEquals(0, ssq.postSend(live, send(0, 0)));
        assertEquals(0, ssq.postSend(dead, send(1, 1)));
        assertEquals(0, ssq.postSend(live, send(2, 2)));
        assertEquals(0, ssq.postSend(dead, send(3, 3)));
        assertEquals(0, ssq.postSend(live, send(4, 4)));
        final List<WorkCompletion> done = poll(ssqCq, 5);
        final WcStatus[] expected = {
            WcStatus.SUCCESS, WcStatus.RNR_RETRY_EXC_ERR, WcStatus.SUCCESS, WcStatus.WR_FLUSH_ERR, WcStatus.SUCCESS};
        for (int i = 0; i < 5; i++)
        {
            assertEquals(i, done.get(i).wrId(), "out of posting order: " + done);
            assertEquals(expected[i], done.get(i).status(), "request " + i + ": " + done);
        }
        await(() -> dead.state() == QpState.ERR, "dead channel in ERR");
        assertEquals(QpState.RTS, live.state());
        assertEquals(3, poll(peerCq, 3).size());
    }

    /** Destroying a channel with requests outstanding flushes them in their places; the others complete. */
    @Test
    void destroyingAChannelFlushesItsRequestsInPlace()
    {
        final CompletionQueue peerCq = ctxB.createCq(64);
        final QueuePair doomed = channel(pdA, ssq, chRecvCq);
        final QueuePair other = channel(pdA, ssq, chRecvCq);
        final QueuePair pDoomed = SsqFixture.qp(pdB, peerCq);
        final QueuePair pOther = SsqFixture.qp(pdB, peerCq);
        connect(doomed, pDoomed);
        connect(other, pOther);
        postRecv(pOther, 600, 20);
        postRecv(pOther, 601, 21);
        assertEquals(0, ssq.postSend(doomed, send(0, 0))); // RNR forever: pDoomed has no receive
        assertEquals(0, ssq.postSend(other, send(1, 1)));
        assertEquals(0, ssq.postSend(doomed, send(2, 2)));
        assertEquals(0, ssq.postSend(other, send(3, 3)));
        assertEquals(2, poll(peerCq, 2).size());
        assertQuiet(ssqCq, 50, "completion delivered while the first request was pending");
        doomed.close();
        final List<WorkCompletion> done = poll(ssqCq, 4);
        final WcStatus[] expected = {WcStatus.WR_FLUSH_ERR, WcStatus.SUCCESS, WcStatus.WR_FLUSH_ERR, WcStatus.SUCCESS};
        for (int i = 0; i < 4; i++)
        {
            assertEquals(i, done.get(i).wrId(), "out of posting order: " + done);
            assertEquals(expected[i], done.get(i).status(), "request " + i + ": " + done);
        }
        postRecv(pOther, 602, 22);
        assertEquals(0, ssq.postSend(other, send(4, 4)));
        assertEquals(WcStatus.SUCCESS, poll(ssqCq, 1).get(0).status());
    }

    /**
     * Both issue-4 features together: a channel stalled on a pending (pipelined) registration holds back only its own
     * transmissions; the other channel's SEND is received meanwhile; completions still come in posting order.
     */
    @Test
    void channelStalledOnPendingRegistrationDoesNotHoldBackOtherChannels() throws Exception
    {
        final CompletionQueue peerCq1 = ctxB.createCq(64);
        final CompletionQueue peerCq2 = ctxB.createCq(64);
        final QueuePair ch1 = channel(pdA, ssq, chRecvCq);
        final QueuePair ch2 = channel(pdA, ssq, chRecvCq);
        final QueuePair p1 = SsqFixture.qp(pdB, peerCq1);
        final QueuePair p2 = SsqFixture.qp(pdB, peerCq2);
        connect(ch1, p1);
        connect(ch2, p2);
        postRecv(p1, 700, 0);
        postRecv(p2, 701, 1);
        final long length = 256L << 20;
        final File dir = Files.createTempDirectory("softverbs-issue4-ssq-").toFile();
        final File file = new File(dir, "region.map");
        final MappedByteBuffer mapped = IoUtil.mapNewFile(file, length, false);
        try
        {
            final long address = BufferUtil.address(mapped);
            new UnsafeBuffer(address + length - LEN, LEN).setMemory(0, LEN, (byte)0x5A);
            final MemoryRegion pending = pdA.registerMemoryAsync(address, length, Access.LOCAL_WRITE);
            assertEquals(0, ssq.postSend(ch1, wr.clear().wrId(0).opcode(Opcode.SEND).flags(SendFlags.SIGNALED)
                .sge(pending, length - LEN, LEN)));
            assertEquals(0, ssq.postSend(ch2, send(1, 1)));
            final WorkCompletion received2 = poll(peerCq2, 1).get(0);
            final boolean stillPending = pending.isPending();
            assertEquals(WcStatus.SUCCESS, received2.status());
            assertTrue(stillPending, "the other channel's SEND must be received while the registration is pending");
            assertNull(tryPoll(ssqCq), "a completion was delivered before the stalled first request's");
            assertNull(tryPoll(peerCq1));

            final List<WorkCompletion> done = poll(ssqCq, 2);
            assertEquals(0, done.get(0).wrId());
            assertEquals(1, done.get(1).wrId());
            assertEquals(WcStatus.SUCCESS, done.get(0).status(), done.toString());
            assertEquals(WcStatus.SUCCESS, done.get(1).status(), done.toString());
            final WorkCompletion received1 = poll(peerCq1, 1).get(0);
            assertEquals(LEN, received1.byteLen());
            assertEquals((byte)0x5A, sink.buffer().getByte(0));
            assertEquals((byte)0x5A, sink.buffer().getByte(LEN - 1));
            assertSinkSlot(1, 1);
        }
        finally
        {
            devA.close(); // deregisters (fenced) before the mapping goes away
            devA = null;
            IoUtil.unmap(mapped);
            assertTrue(file.delete() && dir.delete(), "temp file not deleted");
        }
    }
}
