package io.softverbs.offheap;

import static io.softverbs.offheap.TestSupport.assertPattern;
import static io.softverbs.offheap.TestSupport.fill;
import static io.softverbs.offheap.TestSupport.recv;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.List;

import io.softverbs.Access;
import io.softverbs.Errors;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.QpState;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Inline SENDs in INVOKER mode, where a post that follows a visit to the device transmits at once (one that fits a
 * lane slot even before its WQE is written) and posts in a burst wait for the next cycle. Only the side a test
 * drives runs. What must hold: an RNR retry sends the bytes that were posted (from the WQE, not from the caller's
 * buffer, which is the caller's again once the post returns), a SEND never overtakes one rung before it that has
 * not gone out yet, nor one waiting out an RNR NAK, every size and form of inline payload (compact in a lane
 * slot, or read in place from the WQE) arrives whole, and each SEND opcode sent at post carries its immediate,
 * invalidated key and solicited flag.
 */
@Timeout(60)
class InlineSendTest
{
    /** Cycles of both engines while the receiver has no receive: many RNR NAKs and retries. */
    private static final int RNR_CYCLES = 200;

    private final SendWorkRequest wr = new SendWorkRequest();
    private Pair pair;
    private MemoryRegion source;
    private MemoryRegion sink;

    @AfterEach
    void close()
    {
        if (pair != null)
        {
            pair.close();
        }
    }

    private void open()
    {
        pair = Pair.open(ProgressMode.INVOKER, o -> o.maxInlineData(128), true);
        source = pair.a.alloc(4096, Access.LOCAL_WRITE);
        sink = pair.b.alloc(4096, Access.LOCAL_WRITE);
    }

    /**
     * The post remembers the region its last inline source resolved to; that must never let a post read memory the
     * key table would refuse: a range outside the region, or a region deregistered since, whose key is then dead
     * even for the same address, while a new region over the same memory is accepted at once.
     */
    @Test
    void everyInlinePostChecksItsSourceAsTheKeyTableWould()
    {
        open();
        final ByteBuffer memory = ByteBuffer.allocateDirect(4096);
        final MemoryRegion first = pair.a.pd.registerMemory(memory, Access.LOCAL_WRITE);
        assertEquals(0, pair.qpB.postRecv(recv(1, sink, 0, 64)));
        assertEquals(0, postInline(1, first.address(), first.lkey()));
        assertEquals(Errors.EINVAL, postInline(2, first.address() + 4096 - 16, first.lkey()), "past its end");
        assertEquals(Errors.EINVAL, postInline(3, first.address() - 32, first.lkey()), "before its start");

        first.close();
        assertEquals(Errors.EINVAL, postInline(4, first.address(), first.lkey()), "deregistered");

        final MemoryRegion second = pair.a.pd.registerMemory(memory, Access.LOCAL_WRITE);
        assertEquals(0, pair.qpB.postRecv(recv(5, sink, 64, 64)));
        assertEquals(0, postInline(5, second.address(), second.lkey()));
        assertEquals(Errors.EINVAL, postInline(6, first.address(), first.lkey()), "still deregistered");

        final List<WorkCompletion> received = pair.poll(pair.b.recvCq, 2);
        assertEquals(List.of(WcStatus.SUCCESS, WcStatus.SUCCESS),
            received.stream().map(WorkCompletion::status).toList(), received::toString);
        assertEquals(List.of(1L, 5L), received.stream().map(WorkCompletion::wrId).toList());
        second.close();
    }

    private int postInline(final long wrId, final long address, final int lkey)
    {
        pair.a.ctx.progress();
        return pair.qpA.postSend(wr.clear().wrId(wrId).opcode(Opcode.SEND).flags(SendFlags.INLINE)
            .sge(address, 32, lkey));
    }

    @Test
    void anRnrRetryCarriesThePostedBytes()
    {
        open();
        fill(source.buffer(), 0, 32, 3);
        pair.a.ctx.progress(); // the post follows a visit to the device: it sends at once
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(1).opcode(Opcode.SEND)
            .flags(SendFlags.INLINE | SendFlags.SIGNALED).sge(source, 0, 32)));
        fill(source.buffer(), 0, 32, 4); // inline: the buffer is the caller's again once the post returns

        for (int i = 0; i < RNR_CYCLES; i++) // no receive at B: RNR NAK, retry from the WQE, again and again
        {
            pair.a.ctx.progress();
            pair.b.ctx.progress();
        }
        pair.assertEmpty(pair.a.sendCq);
        pair.assertEmpty(pair.b.recvCq);
        assertEquals(QpState.RTS, pair.qpA.state());

        // Posted after a visit, during the RNR wait: it must neither be sent with the refused SEND's PSN nor go first.
        fill(source.buffer(), 64, 32, 5);
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(2).opcode(Opcode.SEND)
            .flags(SendFlags.INLINE | SendFlags.SIGNALED).sge(source, 64, 32)));
        fill(source.buffer(), 64, 32, 6);

        assertEquals(0, pair.qpB.postRecv(recv(7, sink, 0, 64)));
        assertEquals(0, pair.qpB.postRecv(recv(8, sink, 64, 64)));
        final List<WorkCompletion> received = pair.poll(pair.b.recvCq, 2);
        for (int i = 0; i < 2; i++)
        {
            assertEquals(WcStatus.SUCCESS, received.get(i).status(), received.get(i)::toString);
            assertEquals(7 + i, received.get(i).wrId());
            assertEquals(32, received.get(i).byteLen());
        }
        assertPattern(sink.buffer(), 0, 32, 3, 0);
        assertPattern(sink.buffer(), 64, 32, 5, 0);
        final List<WorkCompletion> sent = pair.poll(pair.a.sendCq, 2);
        for (int i = 0; i < 2; i++)
        {
            assertEquals(WcStatus.SUCCESS, sent.get(i).status(), sent.get(i)::toString);
            assertEquals(1 + i, sent.get(i).wrId());
        }
    }

    @Test
    void aSendNeverOvertakesOneRungBeforeItThatHasNotGoneOut()
    {
        open();
        for (int i = 0; i < 4; i++)
        {
            assertEquals(0, pair.qpB.postRecv(recv(i, sink, 64L * i, 64)));
        }
        // A has a receive completion waiting, so a poll of A's receive CQ is a visit that runs no cycle.
        final MemoryRegion backSink = pair.a.alloc(64, Access.LOCAL_WRITE);
        assertEquals(0, pair.qpA.postRecv(recv(100, backSink, 0, 64)));
        assertEquals(0, pair.qpB.postSend(new SendWorkRequest().wrId(100).opcode(Opcode.SEND)
            .flags(SendFlags.INLINE).sge(sink, 1024, 8)));
        pair.b.ctx.progress();
        pair.a.ctx.progress(); // delivers it: A's receive CQ now holds one completion

        postInline(1); // follows a cycle: sent in the post
        postInline(2); // a burst: rung and left for the next cycle
        assertEquals(1, pair.a.recvCq.poll(TestSupport.freshCompletions(1))); // a visit, but no cycle
        postInline(3); // follows a visit, but 2 has not gone out: 3 must not go first
        postInline(4);

        final List<WorkCompletion> received = pair.poll(pair.b.recvCq, 4);
        for (int i = 0; i < 4; i++)
        {
            assertEquals(WcStatus.SUCCESS, received.get(i).status(), received.get(i)::toString);
            assertEquals(i, received.get(i).wrId());
            assertEquals(i + 1, sink.buffer().getInt(64 * i), "receive " + i + " got SEND " +
                sink.buffer().getInt(64 * i));
        }
    }

    @Test
    void everyFormOfAnInlineSendArrivesWhole()
    {
        open();
        final int[] sizes = {0, 1, 8, 32, 95, 96, 97, 128};
        for (int i = 0; i < sizes.length; i++)
        {
            assertEquals(0, pair.qpB.postRecv(recv(i, sink, 256L * i, 256)));
        }
        for (int i = 0; i < sizes.length; i++)
        {
            fill(source.buffer(), 256 * i, sizes[i], 10 + i);
            pair.a.ctx.progress();
            // two SGEs where there are bytes for two: the payload is gathered from both
            final int first = sizes[i] / 2;
            wr.clear().wrId(i).opcode(i % 2 == 0 ? Opcode.SEND : Opcode.SEND_WITH_IMM).immData(1000 + i)
                .flags(SendFlags.INLINE | SendFlags.SIGNALED);
            if (sizes[i] > 1)
            {
                wr.sge(source, 256L * i, first).sge(source, 256L * i + first, sizes[i] - first);
            }
            else if (sizes[i] == 1)
            {
                wr.sge(source, 256L * i, 1);
            }
            assertEquals(0, pair.qpA.postSend(wr), "post of " + sizes[i] + " bytes");
            fill(source.buffer(), 256 * i, sizes[i], 50 + i); // the caller's again
        }
        final List<WorkCompletion> received = pair.poll(pair.b.recvCq, sizes.length);
        for (int i = 0; i < sizes.length; i++)
        {
            final WorkCompletion wc = received.get(i);
            assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
            assertEquals(i, wc.wrId());
            assertEquals(sizes[i], wc.byteLen());
            assertEquals(i % 2 == 1, wc.hasImm(), wc::toString);
            if (wc.hasImm())
            {
                assertEquals(1000 + i, wc.immData());
            }
            assertPattern(sink.buffer(), 256 * i, sizes[i], 10 + i, 0);
        }
        final List<WorkCompletion> sent = pair.poll(pair.a.sendCq, sizes.length);
        for (int i = 0; i < sizes.length; i++)
        {
            assertEquals(WcStatus.SUCCESS, sent.get(i).status(), sent.get(i)::toString);
            assertEquals(WcOpcode.SEND, sent.get(i).opcode());
            assertEquals(i, sent.get(i).wrId());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Opcode.class, names = {"SEND", "SEND_WITH_IMM", "SEND_WITH_INV", "SEND_WITH_INV_AND_IMM"})
    void everySendOpcodeSentAtPostCarriesItsFields(final Opcode opcode)
    {
        open();
        final MemoryRegion invalidated = pair.b.alloc(4096, Access.LOCAL_WRITE | Access.REMOTE_INVALIDATE);
        assertEquals(0, pair.qpB.postRecv(recv(5, sink, 0, 64)));
        fill(source.buffer(), 0, 32, 8);
        pair.a.ctx.progress(); // the post follows a visit: it goes out from the work request itself
        assertEquals(0, pair.qpA.postSend(wr.clear().wrId(9).opcode(opcode).immData(0x5EED).invalidateRkey(
            invalidated.rkey()).flags(SendFlags.INLINE | SendFlags.SIGNALED | SendFlags.SOLICITED).sge(source, 0, 32)));
        fill(source.buffer(), 0, 32, 9);

        final WorkCompletion received = pair.pollOne(pair.b.recvCq);
        assertEquals(WcStatus.SUCCESS, received.status(), received::toString);
        assertEquals(32, received.byteLen());
        assertPattern(sink.buffer(), 0, 32, 8, 0);
        assertEquals(true, received.isSolicited(), received::toString);
        assertEquals(opcode.hasImm(), received.hasImm(), received::toString);
        assertEquals(opcode.hasImm() ? 0x5EED : 0, received.hasImm() ? received.immData() : 0);
        assertEquals(opcode.hasInv(), received.hasInv(), received::toString);
        assertEquals(opcode.hasInv() ? invalidated.rkey() : 0, received.hasInv() ? received.invalidatedRkey() : 0);
        assertEquals(WcStatus.SUCCESS, pair.pollOne(pair.a.sendCq).status());
    }

    private void postInline(final int value)
    {
        source.buffer().putInt(512, value);
        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(value).opcode(Opcode.SEND)
            .flags(SendFlags.INLINE).sge(source, 512, 4)));
    }
}
