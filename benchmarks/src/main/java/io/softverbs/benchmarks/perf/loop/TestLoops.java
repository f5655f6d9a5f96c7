package io.softverbs.benchmarks.perf.loop;

import io.softverbs.benchmarks.perf.ClientLoop;
import io.softverbs.benchmarks.perf.PerfSettings;
import io.softverbs.benchmarks.perf.ServerLoop;
import io.softverbs.benchmarks.perf.oob.PeerInfo;
import io.softverbs.benchmarks.perf.verbs.PerfNode;

/** Which loops each side of each test runs. */
public final class TestLoops
{
    private TestLoops()
    {
    }

    /**
     * @param settings the run's settings.
     * @param node     the measuring side.
     * @param peer     the server's description.
     * @return the client's loop.
     */
    public static ClientLoop client(final PerfSettings settings, final PerfNode node, final PeerInfo peer)
    {
        switch (settings.test())
        {
            case SEND_LAT:
                return new LatencyMeter(new SendPingPong(node, settings, peer), settings);
            case WRITE_LAT:
                return new LatencyMeter(new WritePingPong(node, settings, peer), settings);
            case READ_LAT:
            case ATOMIC_LAT:
                return new LatencyMeter(new OneSidedRoundTrip(node, settings, peer), settings);
            default:
                return new BandwidthClient(node, settings, peer);
        }
    }

    /**
     * @param settings the run's settings.
     * @param node     the serving side.
     * @param peer     the client's description.
     * @return the server's loop.
     */
    public static ServerLoop server(final PerfSettings settings, final PerfNode node, final PeerInfo peer)
    {
        switch (settings.test())
        {
            case SEND_LAT:
                return new SendPingPong(node, settings, peer);
            case WRITE_LAT:
                return new WritePingPong(node, settings, peer);
            default:
                return settings.consumesReceives() ? new ReceivingServer(node, settings) : new PassiveServer(node);
        }
    }
}
