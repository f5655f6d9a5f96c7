package io.softverbs.offheap.transport.mem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The lane's protocol: one message per slot, stamps instead of zeroing, back-pressure when full, laps. */
class MemLaneTest
{
    @Test
    void emptyLaneHasNothingAndFullLaneRefuses()
    {
        final MemLane lane = new MemLane(4);
        assertEquals(-1, lane.peek());
        for (int i = 0; i < 4; i++)
        {
            final int slot = lane.claim();
            assertTrue(slot >= 0, "slot " + i);
            lane.buffer().putInt(slot + 8, i);
            lane.publish(slot);
        }
        assertEquals(-1, lane.claim(), "four slots, four messages: full");
        for (int i = 0; i < 4; i++)
        {
            final int slot = lane.peek();
            assertEquals(i, lane.buffer().getInt(slot + 8));
            lane.consume();
        }
        assertEquals(-1, lane.peek(), "a consumed slot's old stamp is not taken for a new message");
        assertEquals(-1, lane.claim(), "consumed but not released: still the consumer's");
        lane.release();
        assertTrue(lane.claim() >= 0);
    }

    @Test
    void stampFromThePreviousLapIsNotANewMessage()
    {
        final MemLane lane = new MemLane(2);
        for (int lap = 0; lap < 5; lap++)
        {
            final int slot = lane.claim();
            lane.publish(slot);
            assertEquals(slot, lane.peek());
            lane.consume();
            lane.release();
            assertEquals(-1, lane.peek(), "lap " + lap);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void twoThreadsPassEveryMessageOnceInOrder() throws InterruptedException
    {
        final MemLane lane = new MemLane(64);
        final int messages = 2_000_000;
        final Thread producer = new Thread(() ->
        {
            for (int i = 0; i < messages; i++)
            {
                int slot;
                while ((slot = lane.claim()) < 0)
                {
                    Thread.onSpinWait();
                }
                lane.buffer().putInt(slot + 8, i);
                lane.buffer().putLong(slot + 56, ~(long)i);
                lane.publish(slot);
            }
        });
        producer.start();
        for (int i = 0; i < messages; i++)
        {
            int slot;
            while ((slot = lane.peek()) < 0)
            {
                Thread.onSpinWait();
            }
            assertEquals(i, lane.buffer().getInt(slot + 8));
            assertEquals(~(long)i, lane.buffer().getLong(slot + 56));
            lane.consume();
            if ((i & 7) == 7)
            {
                lane.release();
            }
        }
        lane.release();
        producer.join();
        assertEquals(-1, lane.peek());
    }
}
