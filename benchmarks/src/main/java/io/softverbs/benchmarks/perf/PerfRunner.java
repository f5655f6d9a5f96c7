package io.softverbs.benchmarks.perf;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.softverbs.benchmarks.perf.oob.InProcessOutOfBand;
import io.softverbs.benchmarks.perf.oob.OutOfBand;
import io.softverbs.benchmarks.perf.oob.TcpOutOfBand;
import io.softverbs.benchmarks.perf.report.PerftestReport;
import io.softverbs.benchmarks.perf.report.ResultFiles;
import io.softverbs.benchmarks.perf.verbs.PerfNode;

/**
 * Runs a test in its {@link Deployment}: both sides in this JVM (the server on a thread of its own), or this
 * process as the TCP server or client of another.
 */
public final class PerfRunner
{
    /** Longest wait for the peer at any step of the out-of-band protocol. */
    public static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger RUNS = new AtomicInteger();

    private PerfRunner()
    {
    }

    /**
     * @param settings what to run.
     * @param out      where the report goes, or null for silence.
     * @return the client's results, one per size (empty for the server role).
     * @throws IOException if the out-of-band channel or an output file fails.
     */
    public static List<SizeResult> run(final PerfSettings settings, final PrintStream out) throws IOException
    {
        final PerftestReport report = new PerftestReport(out);
        final List<SizeResult> results;
        switch (settings.deployment())
        {
            case IN_PROCESS:
                results = inProcess(settings, report);
                break;
            case CLIENT:
                try (PerfNode node = PerfNode.open(deviceName("client"), settings);
                    OutOfBand oob = TcpOutOfBand.connect(settings.host(), settings.port(), PEER_TIMEOUT, PEER_TIMEOUT))
                {
                    results = PerfSession.client(settings, node, oob, report);
                }
                break;
            default:
                // The device first, as perftest opens its device before it listens: a bad transport fails at once.
                try (PerfNode node = PerfNode.open(deviceName("server"), settings);
                    TcpOutOfBand.Listener listener = TcpOutOfBand.listen(settings.port()))
                {
                    report.note(" waiting for a client on TCP port " + listener.port());
                    try (OutOfBand oob = listener.accept(Duration.ZERO, PEER_TIMEOUT))
                    {
                        PerfSession.server(settings, node, oob, report);
                    }
                }
                return List.of();
        }
        ResultFiles.write(settings, results, report);
        return results;
    }

    private static List<SizeResult> inProcess(final PerfSettings settings, final PerftestReport report)
        throws IOException
    {
        final InProcessOutOfBand[] ends = InProcessOutOfBand.pair(PEER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        final AtomicReference<Throwable> serverFailure = new AtomicReference<>();
        final Thread server = new Thread(() ->
        {
            try (PerfNode node = PerfNode.open(deviceName("server"), settings))
            {
                PerfSession.server(settings, node, ends[1], new PerftestReport(null));
            }
            catch (final Throwable ex)
            {
                serverFailure.set(ex);
            }
            finally
            {
                ends[1].close();
            }
        }, "softverbs-perf-server");
        server.setDaemon(true);
        server.start();
        List<SizeResult> results = null;
        Exception clientFailure = null;
        try (PerfNode node = PerfNode.open(deviceName("client"), settings))
        {
            results = PerfSession.client(settings, node, ends[0], report);
        }
        catch (final IOException | RuntimeException ex)
        {
            clientFailure = ex;
        }
        ends[0].close();
        join(server);
        final Throwable failure = serverFailure.get();
        if (failure != null)
        {
            // The server's failure is the cause; the client then only saw the channel close.
            final PerfException ex = new PerfException("server side failed: " + failure, failure);
            if (clientFailure != null)
            {
                ex.addSuppressed(clientFailure);
            }
            throw ex;
        }
        if (clientFailure instanceof IOException io)
        {
            throw io;
        }
        if (clientFailure != null)
        {
            throw (RuntimeException)clientFailure;
        }
        return results;
    }

    private static void join(final Thread thread)
    {
        try
        {
            thread.join(PEER_TIMEOUT.toMillis());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static String deviceName(final String role)
    {
        return "softverbs-perf-" + role + "-" + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet();
    }
}
