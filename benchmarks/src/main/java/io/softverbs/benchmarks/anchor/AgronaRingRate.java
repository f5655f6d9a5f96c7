package io.softverbs.benchmarks.anchor;

import io.softverbs.benchmarks.perf.PerfException;
import io.softverbs.benchmarks.perf.verbs.StallGuard;
import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Single-producer message rate over an Agrona {@link OneToOneRingBuffer}: a producer thread writes fixed-size
 * messages as fast as the ring takes them, the calling thread reads them; the rate is messages per second from
 * the producer's go to the last message read. The anchor of the send_bw message-rate target.
 */
public final class AgronaRingRate
{
    private static final int RING_BYTES = 1 << 20;
    private static final int MESSAGE_TYPE = 1;
    private static final int READ_LIMIT = 256;

    private final int messageLength;
    private final OneToOneRingBuffer ring = new OneToOneRingBuffer(new UnsafeBuffer(
        BufferUtil.allocateDirectAligned(RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH, 64)));
    private final UnsafeBuffer message;
    private final MessageHandler count = this::count;
    private long received;
    private volatile boolean go;

    /** @param messageLength bytes per message. */
    public AgronaRingRate(final int messageLength)
    {
        this.messageLength = messageLength;
        message = new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(messageLength, 64), 64));
    }

    /** @return what is measured, for the report. */
    public String name()
    {
        return "Agrona OneToOneRingBuffer single-producer rate, " + messageLength + " B";
    }

    /**
     * @param messages how many messages to pass.
     * @return messages per second.
     */
    public double messagesPerSecond(final long messages)
    {
        go = false;
        received = 0;
        final Thread producer = new Thread(() -> produce(messages), "agrona-producer");
        producer.setDaemon(true);
        producer.start();
        final StallGuard guard = new StallGuard("Agrona ring consumer");
        final long start = System.nanoTime();
        go = true;
        while (received < messages)
        {
            if (ring.read(count, READ_LIMIT) == 0)
            {
                guard.idle();
            }
            else
            {
                guard.reset();
            }
        }
        final long elapsed = System.nanoTime() - start;
        join(producer);
        return messages * 1e9 / elapsed;
    }

    private void count(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        received++;
    }

    private void produce(final long messages)
    {
        while (!go)
        {
            Thread.onSpinWait();
        }
        for (long i = 0; i < messages; i++)
        {
            while (!ring.write(MESSAGE_TYPE, message, 0, messageLength))
            {
                Thread.onSpinWait();
            }
        }
    }

    private static void join(final Thread thread)
    {
        try
        {
            thread.join(StallGuard.STALL_NANOS / 1_000_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new PerfException("interrupted while joining the producer", ex);
        }
    }
}
