package io.softverbs.benchmarks.perf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import io.softverbs.benchmarks.perf.loop.TestLoops;
import io.softverbs.benchmarks.perf.oob.OutOfBand;
import io.softverbs.benchmarks.perf.oob.PeerInfo;
import io.softverbs.benchmarks.perf.report.PerftestReport;
import io.softverbs.benchmarks.perf.verbs.PerfNode;

/**
 * One side's whole run on an open device, in the lock step both sides keep over the out-of-band channel: exchange
 * and connect, then per size prepare, barrier, and phases: warm-up slices then the measurement (client), each
 * served until stopped (server) and answered by the server's allocation report for it (see {@link Warmup}); a last
 * barrier so neither side closes its device while the other still uses it. The server's figure in the table is
 * that of the measurement phase only, as the client's is.
 */
public final class PerfSession
{
    private static final int STOP_CHECK_MASK = 0xFF;

    private PerfSession()
    {
    }

    /**
     * @param settings the run's settings.
     * @param node     this side, opened by the caller (who closes it).
     * @param oob      the channel to the server.
     * @param report   where the table goes.
     * @return one result per size.
     * @throws IOException if the out-of-band channel fails.
     */
    public static List<SizeResult> client(final PerfSettings settings, final PerfNode node, final OutOfBand oob,
        final PerftestReport report) throws IOException
    {
        final PeerInfo local = node.describe(settings.fingerprint());
        final PeerInfo peer = connect(settings, node, local, oob);
        final ClientLoop loop = TestLoops.client(settings, node, peer);
        oob.barrier(); // both connected, both sides' receives posted
        report.banner(settings, node.deviceName(), local, peer, oob.description());
        final List<SizeResult> results = new ArrayList<>(settings.sizes().length);
        final List<Warmup.Outcome> warmups = new ArrayList<>(settings.sizes().length);
        for (final int size : settings.sizes())
        {
            loop.prepare(size);
            oob.barrier();
            warmups.add(Warmup.client(settings, loop, oob, size));
            final SizeResult measured = loop.measure(size);
            oob.requestStop(true);
            final SizeResult result = measured.withServerAllocation(oob.receiveReport());
            report.row(result);
            results.add(result);
        }
        oob.barrier(); // the server stops using this side's memory before either closes its device
        report.footer(results);
        for (final Warmup.Outcome warmup : warmups)
        {
            report.note(warmup.describe());
        }
        return results;
    }

    /**
     * @param settings the run's settings.
     * @param node     this side, opened by the caller (who closes it).
     * @param oob      the channel to the client.
     * @param report   where the banner goes (the client prints the table).
     * @throws IOException if the out-of-band channel fails.
     */
    public static void server(final PerfSettings settings, final PerfNode node, final OutOfBand oob,
        final PerftestReport report) throws IOException
    {
        final PeerInfo local = node.describe(settings.fingerprint());
        final PeerInfo peer = connect(settings, node, local, oob);
        final ServerLoop loop = TestLoops.server(settings, node, peer);
        oob.barrier();
        report.banner(settings, node.deviceName(), local, peer, oob.description());
        final StopSignal stop = throttled(oob);
        for (final int size : settings.sizes())
        {
            loop.prepare(size);
            oob.barrier();
            Warmup.server(loop, oob, stop); // each warm-up slice, then the measurement, each with its report
        }
        oob.barrier();
        report.note(" served " + settings.sizes().length + " size(s); the client prints the results");
    }

    private static PeerInfo connect(final PerfSettings settings, final PerfNode node, final PeerInfo local,
        final OutOfBand oob) throws IOException
    {
        final PeerInfo peer = oob.exchange(local);
        if (!peer.fingerprint().equals(local.fingerprint()))
        {
            throw new PerfException("the peer runs different settings: '" + peer.fingerprint() + "', here '" +
                local.fingerprint() + "' (give both sides the same test and options)");
        }
        if (peer.endpoints().size() != node.qpCount())
        {
            throw new PerfException("the peer has " + peer.endpoints().size() + " QPs, here " + node.qpCount());
        }
        node.connect(peer, settings.outstanding());
        return peer;
    }

    /** Built here, not in the serving loop's class: see {@link PerfException}. */
    private static UncheckedIOException serveFailure(final IOException ex)
    {
        return new UncheckedIOException("out-of-band channel failed while serving", ex);
    }

    /** Asks the channel only every few hundred spins: over TCP each ask is a system call. */
    private static StopSignal throttled(final OutOfBand oob)
    {
        return new StopSignal()
        {
            private int spins;

            @Override
            public boolean stopRequested()
            {
                if ((++spins & STOP_CHECK_MASK) != 0)
                {
                    return false;
                }
                try
                {
                    return oob.stopRequested();
                }
                catch (final IOException ex)
                {
                    throw serveFailure(ex);
                }
            }
        };
    }
}
