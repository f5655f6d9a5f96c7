package io.softverbs.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.softverbs.Device;
import io.softverbs.DeviceConfig;
import io.softverbs.ProgressMode;
import io.softverbs.QpAttributes;
import io.softverbs.QpState;
import io.softverbs.Verbs;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import io.softverbs.examples.MarketDataFanOut.Options;
import io.softverbs.examples.MarketDataFanOut.Result;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MarketDataFanOutTest
{
    @Test
    void everySubscriberSeesEverySequenceNumberInOrder()
    {
        final Result r = MarketDataFanOut.run(System.out, "--subscribers", "4", "--messages", "10000");

        assertEquals(4, r.subscribers());
        assertEquals(10000, r.messages());
        assertNull(r.firstProblem(), r.firstProblem());
        assertEquals(0, r.publisherErrors());
        for (int i = 0; i < 4; i++)
        {
            assertEquals(10000, r.received()[i], "subscriber " + i);
            assertEquals(0, r.errors()[i], "subscriber " + i);
        }
        assertTrue(r.ok());
        assertTrue(r.messagesPerSecond() > 0);
        // The publisher loop allocates nothing per post: the second half is 20,000 posts, and one object per post
        // would be at least 320,000 bytes. The slack covers what is allocated once, whenever it happens: code the
        // JIT has not compiled yet (a few hundred bytes, occasionally a few KB), and a channel's window of
        // outstanding WQEs growing the first time its backlog doubles (23 bytes per WQE; at most 4 channels
        // growing to the SSQ's depth, about 190,000 bytes, and in practice far less).
        final long posts = 4L * 5000;
        assertTrue(r.publisherAllocatedBytes() < 8 * posts, "publisher allocated " + r.publisherAllocatedBytes() +
            " bytes in the second half of its loop");
    }

    @Test
    void oneSubscriberAndMoreSubscribersThanTheSignalInterval()
    {
        assertTrue(MarketDataFanOut.run(null, "--subscribers", "1", "--messages", "3000").ok());
        assertTrue(MarketDataFanOut.run(null, "--subscribers=100", "--messages=50").ok());
    }

    @Test
    void resultReportsGaps()
    {
        final Result bad = new Result(2, 10, 1_000_000, new long[] {10, 9}, new long[] {0, 1}, 0, 0, "gap");
        assertTrue(!bad.ok());
        final Result good = new Result(2, 10, 1_000_000, new long[] {10, 10}, new long[] {0, 0}, 0, 0, null);
        assertTrue(good.ok());
    }

    @Test
    void parsesArguments()
    {
        assertEquals(new Options(8, 100_000), MarketDataFanOut.parse());
        assertEquals(new Options(3, 500), MarketDataFanOut.parse("--subscribers", "3", "--messages=500"));
        assertThrows(IllegalArgumentException.class, () -> MarketDataFanOut.parse("--subscribers", "0"));
        assertThrows(IllegalArgumentException.class, () -> MarketDataFanOut.parse("--messages"));
        assertThrows(IllegalArgumentException.class, () -> MarketDataFanOut.parse("--messages", "x"));
        assertThrows(IllegalArgumentException.class, () -> MarketDataFanOut.parse("--bogus", "1"));
    }

    /** The subscriber's check itself: a gap, a duplicate and a payload mismatch are each counted. */
    @Test
    void subscriberDetectsGapsDuplicatesAndMismatches()
    {
        try (Device device = Verbs.open(DeviceConfig.builder("mdfo-check-" + ProcessHandle.current().pid())
            .progress(ProgressMode.INVOKER).build()))
        {
            final MarketDataFanOut.Subscriber s = new MarketDataFanOut.Subscriber(device.open(), 10);
            s.qp.modify(QpAttributes.builder().state(QpState.INIT).accessFlags(0).build()); // receives may be posted
            final UnsafeBuffer cqe = new UnsafeBuffer(new byte[WorkCompletion.LENGTH]);
            final WorkCompletion wc = new WorkCompletion();
            wc.wrap(cqe, 0);

            deliver(s, cqe, wc, 0, 0);
            deliver(s, cqe, wc, 1, 1);
            assertEquals(0, s.errors);
            deliver(s, cqe, wc, 3, 3);
            assertEquals(1, s.errors);
            assertTrue(s.problem.startsWith("gap"), s.problem);
            deliver(s, cqe, wc, 3, 3);
            assertEquals(2, s.errors, "duplicate");
            deliver(s, cqe, wc, 4, 99);
            assertEquals(3, s.errors, "payload mismatch");
            assertEquals(5, s.received);
        }
    }

    private static void deliver(final MarketDataFanOut.Subscriber s, final UnsafeBuffer cqe, final WorkCompletion wc,
        final int imm, final long payloadSeq)
    {
        final int slot = imm % 4;
        s.view.putLong(slot * MarketDataFanOut.PAYLOAD, payloadSeq);
        cqe.putLong(WorkCompletion.WR_ID_OFFSET, slot);
        cqe.putInt(WorkCompletion.BYTE_LEN_OFFSET, MarketDataFanOut.PAYLOAD);
        cqe.putInt(WorkCompletion.IMM_DATA_OFFSET, imm);
        cqe.putByte(WorkCompletion.STATUS_OFFSET, (byte)WcStatus.SUCCESS.ordinal());
        cqe.putByte(WorkCompletion.OPCODE_OFFSET, (byte)WcOpcode.RECV.ordinal());
        cqe.putShort(WorkCompletion.FLAGS_OFFSET, (short)WorkCompletion.FLAG_WITH_IMM);
        s.onCompletion(wc);
    }
}
