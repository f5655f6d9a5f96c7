package io.softverbs.offheap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.softverbs.Access;
import io.softverbs.AsyncEventType;
import io.softverbs.Errors;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.QpAttributes;
import io.softverbs.QpState;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import io.softverbs.offheap.resource.SoftQp;
import io.softverbs.offheap.transport.Link;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Acknowledgements on mem are published by the responder and read by the requester only when it needs them
 * (a signaled WQE, a READ or atomic, a send queue half full, a drain). These tests pin what that must never
 * break: a QP that posts only unsignaled requests never finds its send queue stuck full, a signaled WQE
 * completes all unsignaled ones before it, SQD drains a queue of unsignaled requests, and a requester that
 * re-connects gets its ACKs in its new link's cell from a responder that never reset. A request that asks for its
 * ACK (AckReq) gets it from the cycle that executed it; others may wait for the responder's next post or look.
 */
class AckTest
{
    private static final int DEPTH = 16;
    private final SendWorkRequest wr = new SendWorkRequest();
    private Pair pair;
    private MemoryRegion target;
    private MemoryRegion source;

    @AfterEach
    void close()
    {
        if (pair != null)
        {
            pair.close();
        }
    }

    /**
     * A pair whose requester QP has a send queue of {@value #DEPTH} and no retransmit timer (timeout 0), so no
     * timer expiry can rescue a missing ACK read.
     */
    private void open(final ProgressMode mode)
    {
        pair = Pair.open(mode, o -> o.maxSendWr(DEPTH).maxInlineData(64), true);
        pair.qpA.modify(QpAttributes.builder().state(QpState.RTS).timeout(0).build());
        target = pair.b.alloc(4096, Access.LOCAL_WRITE | Access.REMOTE_WRITE);
        source = pair.a.alloc(4096, Access.LOCAL_WRITE);
    }

    /** @return postSend's status for an unsignaled inline 4-byte WRITE from source to target at offset. */
    private int postUnsignaledWrite(final int offset)
    {
        return pair.qpA.postSend(wr.clear().opcode(Opcode.RDMA_WRITE).flags(SendFlags.INLINE)
            .sge(source, offset, 4).remote(target.address() + offset, target.rkey()));
    }

    @ParameterizedTest
    @EnumSource(ProgressMode.class)
    void unsignaledOnlyTrafficNeverLeavesTheSendQueueFull(final ProgressMode mode)
    {
        open(mode);
        final int writes = 50 * DEPTH;
        for (int i = 0; i < writes; i++)
        {
            source.buffer().putInt(0, i);
            final int[] rc = new int[1];
            // ENOMEM is allowed while ACKs are on their way; it must clear without any signaled WQE.
            TestSupport.awaitCondition("post " + i + " accepted", () ->
                (rc[0] = postUnsignaledWrite(0)) == 0 || rc[0] != Errors.ENOMEM, pair.driven());
            assertEquals(0, rc[0], "post " + i);
        }
        TestSupport.awaitCondition("last write placed", () -> target.buffer().getIntVolatile(0) == writes - 1,
            pair.driven());
        pair.assertEmpty(pair.a.sendCq);
    }

    @ParameterizedTest
    @EnumSource(ProgressMode.class)
    void signaledRequestCompletesAfterTheUnsignaledOnesBeforeIt(final ProgressMode mode)
    {
        open(mode);
        for (int round = 0; round < 200; round++)
        {
            for (int i = 0; i < DEPTH / 2 - 1; i++)
            {
                source.buffer().putInt(4 * i, round);
                assertEquals(0, postUnsignaledWrite(4 * i));
            }
            assertEquals(0, pair.qpA.postSend(wr.clear().wrId(round).opcode(Opcode.RDMA_WRITE)
                .flags(SendFlags.SIGNALED).sge(source, 0, 4).remote(target.address() + 1024, target.rkey())));
            final WorkCompletion wc = pair.pollOne(pair.a.sendCq);
            assertEquals(WcStatus.SUCCESS, wc.status());
            assertEquals(round, wc.wrId());
            for (int i = 0; i < DEPTH / 2 - 1; i++)
            {
                assertEquals(round, target.buffer().getIntVolatile(4 * i), "write " + i + " of round " + round);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ProgressMode.class)
    void drainCompletesWithOnlyUnsignaledRequestsOutstanding(final ProgressMode mode)
    {
        open(mode);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(0, postUnsignaledWrite(0));
        }
        pair.qpA.modify(QpAttributes.builder().state(QpState.SQD).build());
        pair.awaitEvent(pair.a.events, AsyncEventType.SQ_DRAINED);
        pair.assertEmpty(pair.a.sendCq);
    }

    @ParameterizedTest
    @EnumSource(ProgressMode.class)
    void requesterThatReconnectsGetsAcksFromAResponderThatDidNot(final ProgressMode mode)
    {
        open(mode);
        postSignaledWrite(1);
        // The responder now publishes to the requester link it has cached. The requester resets and comes back
        // with a new link, at the PSN the responder expects next; only the new link's cell is read from now on.
        final int nextPsn = (pair.qpA.localEndpoint().psn() + 1) & 0xFF_FFFF;
        pair.qpA.modify(QpAttributes.builder().state(QpState.RESET).build());
        pair.qpA.modify(TestSupport.toInit(Access.ALL_REMOTE));
        pair.qpA.modify(TestSupport.toRtr(pair.qpB.localEndpoint(), 1));
        pair.qpA.modify(TestSupport.toRts(nextPsn, 7));
        pair.qpA.modify(QpAttributes.builder().state(QpState.RTS).timeout(0).build()); // no timer to rescue it
        for (int round = 2; round < 10; round++)
        {
            postSignaledWrite(round);
        }
    }

    /**
     * A request that asks for its ACK (AckReq: here a signaled SEND) gets it in the responder's cycle that executed
     * it: A's completion needs nothing more of B, whose application may never call it again.
     */
    @Test
    void aSignaledSendIsAcknowledgedInTheCycleThatReceivedIt()
    {
        openInvoker();
        for (int round = 0; round < 5; round++)
        {
            assertEquals(0, pair.qpB.postRecv(TestSupport.recv(round, target, 0, 64)));
            assertEquals(0, pair.qpA.postSend(send(round, SendFlags.SIGNALED)));
            TestSupport.awaitCondition("B received it", () -> FixtureSupport.tryPoll(pair.b.recvCq) != null,
                pair.a.ctx, pair.b.ctx);
            final WorkCompletion wc = TestSupport.pollOne(pair.a.sendCq, pair.a.ctx); // B is not run again
            assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
            assertEquals(round, wc.wrId());
        }
    }

    /**
     * A request that does not ask (an unsignaled SEND, the send queue far from full) may have its ACK kept by the
     * responder's cycle; the responder's next post sends it, or else its next look at the device.
     */
    @Test
    void anAckNobodyAskedForLeavesWithTheResponderNextPostOrLook()
    {
        openInvoker();
        final Link linkA = ((SoftQp)pair.qpA).link();
        final WorkCompletion[] out = {new WorkCompletion()};
        for (int round = 0; round < 2; round++)
        {
            assertEquals(0, pair.qpB.postRecv(TestSupport.recv(round, target, 0, 64)));
            assertEquals(0, pair.qpA.postSend(send(round, 0)));
            TestSupport.awaitCondition("B received it", () -> pair.b.recvCq.poll(out) > 0, pair.a.ctx);
            assertFalse(linkA.ackChanged(), "the ACK was kept off the path to B's application");
            if (round == 0)
            {
                assertEquals(0, pair.qpB.postSend(new SendWorkRequest().opcode(Opcode.RDMA_WRITE)
                    .flags(SendFlags.INLINE).sge(target, 512, 4).remote(source.address() + 512, source.rkey())));
            }
            else
            {
                pair.b.ctx.progress(); // B's next look at the device
            }
            assertTrue(linkA.ackChanged(), "then it left");
            assertEquals(round, linkA.pollAck() - pair.qpA.localEndpoint().psn() & 0xFF_FFFF);
        }
    }

    private void openInvoker()
    {
        // ACKs are for requests that travel: a SEND to a ready peer would be executed by A itself.
        pair = TestSupport.lanesOnly(() -> Pair.open(ProgressMode.INVOKER, o -> o.maxSendWr(DEPTH).maxInlineData(64),
            true));
        target = pair.b.alloc(4096, Access.LOCAL_WRITE | Access.REMOTE_WRITE);
        source = pair.a.alloc(4096, Access.LOCAL_WRITE | Access.REMOTE_WRITE);
    }

    private SendWorkRequest send(final long wrId, final int flags)
    {
        return wr.clear().wrId(wrId).opcode(Opcode.SEND).flags(SendFlags.INLINE | flags).sge(source, 0, 4);
    }

    /** Posts a signaled WRITE of {@code value} to the target's first word and waits for its completion. */
    private void postSignaledWrite(final int value)
    {
        source.buffer().putInt(0, value);
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(value).opcode(Opcode.RDMA_WRITE).flags(SendFlags.SIGNALED)
            .sge(source, 0, 4).remote(target.address(), target.rkey())));
        final WorkCompletion wc = pair.pollOne(pair.a.sendCq);
        assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
        assertEquals(value, wc.wrId());
        assertEquals(value, target.buffer().getIntVolatile(0));
    }
}
