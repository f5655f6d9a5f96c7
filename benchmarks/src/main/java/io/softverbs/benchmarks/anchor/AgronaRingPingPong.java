package io.softverbs.benchmarks.anchor;

import io.softverbs.benchmarks.perf.loop.LatencyMeter;
import org.HdrHistogram.Histogram;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Ping-pong over two Agrona {@link OneToOneRingBuffer}s, one per direction: the message is copied into the ring
 * and out again, as softverbs' inline SEND is copied into the WQE and into the receive buffer. The lower bound of
 * an in-process message hop in Java, and the anchor of the send_lat and write_lat targets.
 */
public final class AgronaRingPingPong implements RoundTripAnchor
{
    private static final int RING_BYTES = 64 * 1024;
    private static final int MESSAGE_TYPE = 1;

    private final int messageLength;
    private final OneToOneRingBuffer ping = newRing();
    private final OneToOneRingBuffer pong = newRing();
    private final UnsafeBuffer message;
    private final Histogram histogram = new Histogram(LatencyMeter.HIGHEST_NANOS, 3);
    private final MessageHandler echo = this::echo;
    private final MessageHandler ignore = (type, buffer, index, length) -> { };

    /** @param messageLength bytes per message. */
    public AgronaRingPingPong(final int messageLength)
    {
        this.messageLength = messageLength;
        message = new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(messageLength, 64), 64));
    }

    private static OneToOneRingBuffer newRing()
    {
        return new OneToOneRingBuffer(new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH, 64)));
    }

    @Override
    public String name()
    {
        return "Agrona OneToOneRingBuffer ping-pong, " + messageLength + " B";
    }

    @Override
    public Histogram measure(final int warmup, final int iterations)
    {
        final EchoThread echoThread = EchoThread.start("agrona-echo", () -> ping.read(echo, 1));
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
        while (!ping.write(MESSAGE_TYPE, message, 0, messageLength))
        {
            Thread.onSpinWait();
        }
        while (pong.read(ignore, 1) == 0)
        {
            Thread.onSpinWait();
        }
    }

    private void echo(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        while (!pong.write(type, buffer, index, length))
        {
            Thread.onSpinWait();
        }
    }

    @Override
    public void close()
    {
    }
}
