package io.softverbs.benchmarks.jmh;

import io.softverbs.ProgressMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Every JMH benchmark method, called directly a few hundred times with its fixtures set up and torn down as JMH
 * would: the benchmarks do what they claim and cannot rot between JMH runs (which stay out of mvn verify).
 */
@Timeout(60)
class BenchmarkFixturesTest
{
    private static final int CALLS = 500;

    @Test
    void postSendKeepsTheQueueFromFilling()
    {
        final PostSendBenchmark b = new PostSendBenchmark();
        b.open();
        try
        {
            for (int i = 0; i < 20 * WqeEncodeBenchmark.BATCH; i++)
            {
                assertEquals(0, b.inlineSend64());
            }
            b.check();
        }
        finally
        {
            b.close();
        }
    }

    @Test
    void postSendListsKeepTheQueueFromFilling()
    {
        final PostSendBenchmark b = new PostSendBenchmark();
        b.open();
        try
        {
            for (int i = 0; i < 100; i++)
            {
                assertEquals(PostSendBenchmark.DRAIN_EVERY, b.inlineSend64List());
            }
            b.check();
        }
        finally
        {
            b.close();
        }
    }

    @Test
    void wqeEncodeFindsAnEmptyQueueEveryInvocation()
    {
        final WqeEncodeBenchmark b = new WqeEncodeBenchmark();
        b.open();
        try
        {
            for (int i = 0; i < 5; i++)
            {
                b.emptyQueues();
                assertEquals(0, b.inlineSend64());
                b.emptyQueues();
                b.loopback.regionA.buffer().putLong(0, 1000 + i);
                b.loopback.regionB.buffer().putLong(0, 0);
                assertEquals(0, b.rdmaWriteOneSge());
                assertEquals(0, b.loopback.regionB.buffer().getLongVolatile(0), "a WRITE executed in its post");
                b.emptyQueues();
                assertEquals(1000 + i, b.loopback.regionB.buffer().getLongVolatile(0), "the WRITEs never ran");
            }
            b.check();
        }
        finally
        {
            b.close();
        }
    }

    @Test
    void pollFindsEmptyAndFullQueues()
    {
        final PollBenchmark b = new PollBenchmark();
        for (final ProgressMode mode : ProgressMode.values())
        {
            final PollBenchmark.EmptyCq empty = new PollBenchmark.EmptyCq();
            empty.mode = mode;
            empty.open();
            try
            {
                for (int i = 0; i < CALLS; i++)
                {
                    assertEquals(0, b.emptyCq(empty));
                }
            }
            finally
            {
                empty.close();
            }
        }
        final PollBenchmark.FullCq full = new PollBenchmark.FullCq();
        full.open();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                full.fill();
                assertEquals(PollBenchmark.FULL, b.fullCqIntoArray(full));
                full.fill();
                assertEquals(PollBenchmark.FULL, b.fullCqHandler(full));
            }
            full.check();
        }
        finally
        {
            full.close();
        }
    }

    @Test
    void keyLookupHitsLiveKeysAndMissesStaleOnes()
    {
        final KeyLookupBenchmark b = new KeyLookupBenchmark();
        b.open();
        try
        {
            assertNotNull(b.keyTableHit());
            assertNull(b.keyTableMiss());
            for (int i = 0; i < CALLS; i++)
            {
                assertEquals(8, b.rdmaWrite8EndToEnd());
            }
        }
        finally
        {
            b.close();
        }
    }

    @Test
    void pingPongEchoesEveryMessageWithItsOwnReceiveQueueOrAnSrq()
    {
        for (final String receiveQueue : new String[] {"qp", "srq"})
        {
            final PingPongBenchmark b = new PingPongBenchmark();
            b.receiveQueue = receiveQueue;
            b.open();
            try
            {
                for (int i = 0; i < CALLS; i++) // 500 round trips: B's 64 receives are replaced many times over
                {
                    assertEquals(32, b.sendRoundTrip(), receiveQueue);
                }
            }
            finally
            {
                b.close();
            }
        }
    }

    @Test
    void idleWakeEchoesEveryRoundTripWithAndWithoutPauses() throws InterruptedException
    {
        for (final int pauseMicros : new int[] {0, 200})
        {
            final IdleWakeBenchmark b = new IdleWakeBenchmark();
            b.pauseMicros = pauseMicros;
            b.open();
            try
            {
                for (int i = 0; i < 200; i++) // more than the 64 receives and send slots each side has
                {
                    b.pause();
                    assertEquals(32, b.roundTrip(), "pause " + pauseMicros + " us, round trip " + i);
                }
            }
            finally
            {
                b.close();
            }
        }
    }

    @Test
    void atomicsMoveTheRemoteCounterOnceEach()
    {
        final AtomicBenchmark b = new AtomicBenchmark();
        b.open();
        try
        {
            for (int i = 0; i < CALLS; i++)
            {
                assertEquals(i, b.fetchAdd8EndToEnd(), "fetch-and-add returns the value before it");
            }
            assertEquals(CALLS, b.counter());
            // The first swap expects 0, finds CALLS, and swaps nothing; from then on each one expects what it finds.
            assertEquals(CALLS, b.compareSwap8EndToEnd());
            assertEquals(CALLS, b.counter());
            for (int i = 0; i < CALLS; i++)
            {
                assertEquals(CALLS + i, b.compareSwap8EndToEnd(), "compare-and-swap finds the value it expected");
            }
            assertEquals(2L * CALLS, b.counter());
        }
        finally
        {
            b.close();
        }
    }
}
