package io.softverbs.benchmarks.anchor;

import io.softverbs.benchmarks.perf.loop.LatencyMeter;
import org.HdrHistogram.Histogram;
import org.jctools.queues.SpscArrayQueue;

/**
 * Ping-pong over two JCTools {@link SpscArrayQueue}s: a reference to one preallocated message goes back and forth,
 * so nothing is copied. The cost of the cache-line hand-over alone, for reference.
 */
public final class SpscQueuePingPong implements RoundTripAnchor
{
    private static final int CAPACITY = 1024;

    private final SpscArrayQueue<Object> ping = new SpscArrayQueue<>(CAPACITY);
    private final SpscArrayQueue<Object> pong = new SpscArrayQueue<>(CAPACITY);
    private final Object message = new Object();
    private final Histogram histogram = new Histogram(LatencyMeter.HIGHEST_NANOS, 3);

    @Override
    public String name()
    {
        return "JCTools SpscArrayQueue ping-pong (a reference, no copy)";
    }

    @Override
    public Histogram measure(final int warmup, final int iterations)
    {
        final EchoThread echoThread = EchoThread.start("jctools-echo", this::echo);
        try
        {
            for (int i = 0; i < warmup; i++)
            {
                roundTrip();
            }
            histogram.reset();
            for (int i = 0; i < iterations; i++)
            {
                final long start = System.nanoTime();
                roundTrip();
                histogram.recordValue(Math.min(System.nanoTime() - start, LatencyMeter.HIGHEST_NANOS));
            }
        }
        finally
        {
            echoThread.close();
        }
        return histogram.copy();
    }

    private void roundTrip()
    {
        while (!ping.offer(message))
        {
            Thread.onSpinWait();
        }
        while (pong.poll() == null)
        {
            Thread.onSpinWait();
        }
    }

    private int echo()
    {
        final Object received = ping.poll();
        if (received == null)
        {
            return 0;
        }
        while (!pong.offer(received))
        {
            Thread.onSpinWait();
        }
        return 1;
    }

    @Override
    public void close()
    {
    }
}
