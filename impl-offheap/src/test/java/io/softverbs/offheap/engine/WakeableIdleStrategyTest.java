package io.softverbs.offheap.engine;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The DEDICATED engine thread's idle strategy: a thread parked for ten minutes runs again as soon as a producer that
 * published work calls {@link WakeableIdleStrategy#wake}, and no wake-up is lost when producers race the thread's
 * way into its park, and a park ends when the engine's earliest timer is due. Parks here last ten minutes, so a
 * lost wake-up fails the test on its timeout.
 */
@Timeout(60)
class WakeableIdleStrategyTest
{
    private static final long PARK_NS = TimeUnit.MINUTES.toNanos(10);
    private static final LongSupplier NO_TIMER = () -> Long.MAX_VALUE;

    @Test
    void aParkedThreadRunsAsSoonAsWorkIsAnnounced() throws InterruptedException
    {
        final AtomicInteger work = new AtomicInteger();
        final WakeableIdleStrategy idle = new WakeableIdleStrategy(() -> work.get() > 0, NO_TIMER, 100, 10, PARK_NS, PARK_NS);
        final Thread idler = new Thread(() ->
        {
            while (work.get() == 0)
            {
                idle.idle(0);
            }
        });
        idler.setDaemon(true);
        idler.start();
        awaitParked(idler, idle);

        work.set(1);
        idle.wake();
        idler.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(idler.isAlive(), "still parked after the wake");
    }

    @Test
    void aParkEndsWhenTheEarliestTimerIsDue() throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        final WakeableIdleStrategy idle =
            new WakeableIdleStrategy(() -> false, () -> deadline - System.nanoTime(), 0, 0, PARK_NS, PARK_NS);
        final Thread idler = new Thread(() ->
        {
            while (System.nanoTime() - deadline < 0) // nothing ever wakes it: only the timer ends the park
            {
                idle.idle(0);
            }
        });
        idler.setDaemon(true);
        idler.start();
        idler.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(idler.isAlive(), "parked past its timer");
    }

    @Test
    void aWakeWithoutAParkedThreadIsHarmless()
    {
        final WakeableIdleStrategy idle = new WakeableIdleStrategy(() -> true, NO_TIMER, 0, 0, PARK_NS, PARK_NS);
        idle.wake(); // nobody idles yet
        idle.idle(0); // work is there at the last look: returns without parking
        assertFalse(idle.isParking());
        idle.idle(1);
        assertFalse(idle.isParking());
    }

    /**
     * 20,000 hand-offs, each a consumer that finds nothing, backs off and parks for ten minutes, and a producer that
     * publishes the next item after a seeded random delay (0-20 us, landing before, during or after the park) and
     * wakes it.
     */
    @Test
    void noWakeUpIsLostWhenProducersRaceThePark() throws InterruptedException
    {
        final int rounds = 20_000;
        final AtomicInteger published = new AtomicInteger();
        final AtomicInteger consumed = new AtomicInteger();
        final WakeableIdleStrategy idle =
            new WakeableIdleStrategy(() -> published.get() > consumed.get(), NO_TIMER, 20, 2, PARK_NS, PARK_NS);
        final Thread consumer = new Thread(() ->
        {
            while (consumed.get() < rounds)
            {
                if (published.get() > consumed.get())
                {
                    consumed.incrementAndGet();
                    idle.idle(1);
                }
                else
                {
                    idle.idle(0);
                }
            }
        });
        consumer.setDaemon(true);
        consumer.start();
        final SplittableRandom random = new SplittableRandom(20261124L);
        for (int i = 1; i <= rounds; i++)
        {
            final long delayUntil = System.nanoTime() + random.nextInt(20_000);
            while (System.nanoTime() - delayUntil < 0)
            {
                Thread.onSpinWait();
            }
            published.set(i);
            idle.wake();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (consumed.get() < i)
            {
                // A lost wake-up leaves the consumer parked for ten minutes.
                assertTrue(System.nanoTime() - deadline < 0, "item " + i + " never consumed: a wake-up was lost");
                Thread.onSpinWait();
            }
        }
        consumer.join(TimeUnit.SECONDS.toMillis(10));
        assertEquals(rounds, consumed.get());
    }

    private static void awaitParked(final Thread thread, final WakeableIdleStrategy idle)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(idle.isParking() && thread.getState() == Thread.State.TIMED_WAITING))
        {
            assertTrue(System.nanoTime() - deadline < 0, "the idle thread never parked");
            Thread.onSpinWait();
        }
    }
}
