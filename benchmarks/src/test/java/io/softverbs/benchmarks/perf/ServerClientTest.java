package io.softverbs.benchmarks.perf;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.softverbs.benchmarks.perf.oob.OutOfBand;
import io.softverbs.benchmarks.perf.oob.TcpOutOfBand;
import io.softverbs.benchmarks.perf.report.PerftestReport;
import io.softverbs.benchmarks.perf.verbs.PerfNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server/client form over its real TCP out-of-band channel on the loopback interface. Both sides live in
 * this JVM, so the mem transport can carry the verbs; with the udp transport they would be two processes.
 */
@Timeout(60)
class ServerClientTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final ExecutorService server = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopServer() throws InterruptedException
    {
        server.shutdownNow();
        assertTrue(server.awaitTermination(20, TimeUnit.SECONDS));
    }

    @Test
    void clientMeasuresAgainstAServerOverTcp() throws Exception
    {
        final PerfSettings settings = PerfOptions.parse("-n", "300", "--warmup", "30", "-s", "64")
            .toSettings(PerfTest.SEND_LAT);
        try (TcpOutOfBand.Listener listener = TcpOutOfBand.listen(0))
        {
            final Future<?> served = server.submit(() ->
            {
                try (PerfNode node = PerfNode.open("tcp-test-server", settings);
                    OutOfBand oob = listener.accept(WAIT, WAIT))
                {
                    PerfSession.server(settings, node, oob, new PerftestReport(null));
                }
                return null;
            });
            final List<SizeResult> results;
            try (PerfNode node = PerfNode.open("tcp-test-client", settings);
                OutOfBand oob = TcpOutOfBand.connect("127.0.0.1", listener.port(), WAIT, WAIT))
            {
                assertTrue(oob.description().startsWith("Ethernet (TCP"), oob.description());
                results = PerfSession.client(settings, node, oob, new PerftestReport(null));
            }
            served.get(20, TimeUnit.SECONDS);
            assertEquals(1, results.size());
            final LatencyResult result = (LatencyResult)results.get(0);
            assertEquals(64, result.size());
            assertEquals(300, result.iterations());
            assertTrue(result.stats().typical() > 0);
        }
    }

    @Test
    void sidesWithDifferentSettingsRefuseEachOther() throws Exception
    {
        final PerfSettings client = PerfOptions.parse("-n", "10", "-s", "64").toSettings(PerfTest.WRITE_LAT);
        final PerfSettings other = PerfOptions.parse("-n", "10", "-s", "128").toSettings(PerfTest.WRITE_LAT);
        try (TcpOutOfBand.Listener listener = TcpOutOfBand.listen(0))
        {
            final Future<?> served = server.submit(() ->
            {
                try (PerfNode node = PerfNode.open("tcp-mismatch-server", other);
                    OutOfBand oob = listener.accept(WAIT, WAIT))
                {
                    PerfSession.server(other, node, oob, new PerftestReport(null));
                }
                return null;
            });
            try (PerfNode node = PerfNode.open("tcp-mismatch-client", client);
                OutOfBand oob = TcpOutOfBand.connect("127.0.0.1", listener.port(), WAIT, WAIT))
            {
                final PerfException ex = assertThrows(PerfException.class,
                    () -> PerfSession.client(client, node, oob, new PerftestReport(null)));
                assertTrue(ex.getMessage().contains("different settings"), ex.getMessage());
            }
            final Exception serverFailure = assertThrows(Exception.class, () -> served.get(20, TimeUnit.SECONDS));
            assertTrue(serverFailure.getCause() instanceof PerfException, serverFailure.toString());
        }
    }
}
