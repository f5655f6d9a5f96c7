package io.softverbs.benchmarks.anchor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.softverbs.benchmarks.perf.PerfException;
import io.softverbs.benchmarks.perf.loop.LatencyMeter;
import org.HdrHistogram.Histogram;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Ping-pong over Aeron IPC ({@code aeron:ipc}, one exclusive publication per direction) with an embedded media
 * driver. The driver runs {@link ThreadingMode#SHARED}: its conductor, sender and receiver share one thread,
 * which backs off when idle (on IPC the data path does not touch it; it only moves publication limits now and
 * then), so on a 2-core machine the ping and echo threads keep a core each, as softverbs' two sides do.
 * The driver's directory is a fresh temporary directory (under /dev/shm when there is one), deleted on close.
 */
public final class AeronIpcPingPong implements RoundTripAnchor
{
    /** The driver's threading mode, named in the report. */
    public static final ThreadingMode THREADING_MODE = ThreadingMode.SHARED;
    private static final String CHANNEL = "aeron:ipc";
    private static final int PING_STREAM = 1001;
    private static final int PONG_STREAM = 1002;
    private static final int TERM_LENGTH = 16 << 20;
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final int messageLength;
    private final Path directory;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final ExclusivePublication pingPublication;
    private final ExclusivePublication pongPublication;
    private final Subscription pingSubscription;
    private final Subscription pongSubscription;
    private final UnsafeBuffer message;
    private final Histogram histogram = new Histogram(LatencyMeter.HIGHEST_NANOS, 3);
    private final FragmentHandler echo = this::echo;
    private final FragmentHandler ignore = (buffer, offset, length, header) -> { };

    /**
     * Starts the media driver and connects both streams.
     *
     * @param messageLength bytes per message.
     */
    public AeronIpcPingPong(final int messageLength)
    {
        this.messageLength = messageLength;
        message = new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(messageLength, 64), 64));
        directory = temporaryDirectory();
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(directory.resolve("driver").toString())
            .threadingMode(THREADING_MODE)
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .ipcTermBufferLength(TERM_LENGTH)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .printConfigurationOnStart(false));
        try
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            pingPublication = aeron.addExclusivePublication(CHANNEL, PING_STREAM);
            pongPublication = aeron.addExclusivePublication(CHANNEL, PONG_STREAM);
            pingSubscription = aeron.addSubscription(CHANNEL, PING_STREAM);
            pongSubscription = aeron.addSubscription(CHANNEL, PONG_STREAM);
            awaitConnected();
        }
        catch (final RuntimeException | Error ex)
        {
            close();
            throw ex;
        }
    }

    @Override
    public String name()
    {
        return "Aeron IPC ping-pong, " + messageLength + " B (embedded driver, ThreadingMode." + THREADING_MODE +
            ", BackoffIdleStrategy)";
    }

    @Override
    public Histogram measure(final int warmup, final int iterations)
    {
        final EchoThread echoThread = EchoThread.start("aeron-echo", () -> pingSubscription.poll(echo, 1));
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
        offer(pingPublication, message, 0, messageLength);
        while (pongSubscription.poll(ignore, 1) == 0)
        {
            Thread.onSpinWait();
        }
    }

    private void echo(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        offer(pongPublication, buffer, offset, length);
    }

    private static void offer(final Publication publication, final DirectBuffer buffer, final int offset,
        final int length)
    {
        long result;
        while ((result = publication.offer(buffer, offset, length)) < 0)
        {
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
            {
                throw new PerfException("Aeron publication failed: " + Publication.errorString(result));
            }
            Thread.onSpinWait(); // BACK_PRESSURED, ADMIN_ACTION: try again
        }
    }

    private void awaitConnected()
    {
        final long deadline = System.nanoTime() + CONNECT_TIMEOUT_NS;
        while (!pingPublication.isConnected() || !pongPublication.isConnected())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new PerfException("Aeron IPC publications did not connect within " +
                    TimeUnit.NANOSECONDS.toSeconds(CONNECT_TIMEOUT_NS) + " s");
            }
            Thread.yield();
        }
    }

    private static Path temporaryDirectory()
    {
        final Path shm = Path.of("/dev/shm");
        try
        {
            return Files.isDirectory(shm) && Files.isWritable(shm) ?
                Files.createTempDirectory(shm, "softverbs-aeron-") : Files.createTempDirectory("softverbs-aeron-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create the Aeron directory", ex);
        }
    }

    @Override
    public void close()
    {
        if (aeron != null)
        {
            aeron.close();
        }
        if (driver != null)
        {
            driver.close();
        }
        IoUtil.delete(directory.toFile(), true);
    }
}
