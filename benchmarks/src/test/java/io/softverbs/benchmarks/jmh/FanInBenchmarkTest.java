package io.softverbs.benchmarks.jmh;

import java.util.HashMap;
import java.util.Map;

import io.softverbs.WcOpcode;
import io.softverbs.WorkCompletion;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link FanInBenchmark}'s methods called directly with the fixture set up and torn down as JMH would, for each
 * {@code qps} it is run with: every message arrives once, on the QP pair round robin implies, with the bytes that
 * were posted, and nothing else arrives. 16 rounds over 256 QPs signal every QP's send queue and wrap B's SRQ many
 * times over.
 */
@Timeout(60)
class FanInBenchmarkTest
{
    private static final int CALLS = 4096;

    @ParameterizedTest
    @ValueSource(ints = {1, 16, 256})
    void everyQpDeliversItsShareInRoundRobinOrder(final int qps)
    {
        final FanInBenchmark b = open(qps);
        try
        {
            final Map<Integer, Integer> receiverIndex = new HashMap<>();
            for (int i = 0; i < qps; i++)
            {
                receiverIndex.put(b.receivers[i].qpNum(), i);
            }
            final int[] delivered = new int[qps];
            for (int call = 0; call < CALLS; call++)
            {
                final int expected = call % qps;
                stamp(b, call);
                assertEquals(b.senders[expected].qpNum(), b.fanIn(), "source QP of call " + call);
                final WorkCompletion wc = b.completions[0];
                assertEquals(b.receivers[expected].qpNum(), wc.qpNum(), "receiving QP of call " + call);
                assertEquals(WcOpcode.RECV, wc.opcode());
                assertEquals(FanInBenchmark.SIZE, wc.byteLen());
                assertStamped(b, call);
                delivered[receiverIndex.get(wc.qpNum())]++;
            }
            for (int i = 0; i < qps; i++)
            {
                assertEquals(CALLS / qps, delivered[i], "messages delivered by QP " + i);
            }
            assertNothingMoreArrives(b);
        }
        finally
        {
            b.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 16, 256})
    void aBatchDeliversOneMessageFromEachQpItWasPostedOn(final int qps)
    {
        final FanInBenchmark b = open(qps);
        try
        {
            for (int call = 0; call < CALLS / FanInBenchmark.BATCH; call++)
            {
                int expectedSum = 0;
                for (int k = 0; k < FanInBenchmark.BATCH; k++)
                {
                    expectedSum += b.senders[(call * FanInBenchmark.BATCH + k) % qps].qpNum();
                }
                stamp(b, call);
                assertEquals(expectedSum, b.fanInBatch(), "source QPs of batch " + call);
                assertStamped(b, call);
            }
            assertNothingMoreArrives(b);
        }
        finally
        {
            b.close();
        }
    }

    private static FanInBenchmark open(final int qps)
    {
        final FanInBenchmark b = new FanInBenchmark();
        b.qps = qps;
        b.open();
        return b;
    }

    /** Writes a payload unique to this call where the next SENDs take theirs from (inline: copied at post). */
    private static void stamp(final FanInBenchmark b, final int call)
    {
        final AtomicBuffer payload = b.regionA.buffer();
        for (int i = 0; i < FanInBenchmark.SIZE; i += 8)
        {
            payload.putLong(i, ((long)call << 8) | i);
        }
    }

    private static void assertStamped(final FanInBenchmark b, final int call)
    {
        final AtomicBuffer landed = b.regionB.buffer();
        for (int i = 0; i < FanInBenchmark.SIZE; i += 8)
        {
            assertEquals(((long)call << 8) | i, landed.getLong(FanInBenchmark.RECV_OFFSET + i), "payload of " + call);
        }
    }

    /** Runs both engines a while: no receive is duplicated and no send completes that was not reaped. */
    private static void assertNothingMoreArrives(final FanInBenchmark b)
    {
        final WorkCompletion[] wc = LoopbackBenchmark.newCompletions(1);
        for (int i = 0; i < 1000; i++)
        {
            b.a.progress();
            b.b.progress();
            assertEquals(0, b.cqB.poll(wc), "receive completions after the last call");
            assertEquals(0, b.cqA.poll(wc), "send completions after the last call");
        }
    }
}
