package io.softverbs.benchmarks.perf.report;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

import io.softverbs.QpEndpoint;
import io.softverbs.benchmarks.perf.BandwidthResult;
import io.softverbs.benchmarks.perf.LatencyResult;
import io.softverbs.benchmarks.perf.LatencyStats;
import io.softverbs.benchmarks.perf.PerfSettings;
import io.softverbs.benchmarks.perf.PerfTest;
import io.softverbs.benchmarks.perf.SizeResult;
import io.softverbs.benchmarks.perf.oob.PeerInfo;

/**
 * Prints a run the way perftest does: a banner with the settings and both sides' addresses, then the latency or
 * bandwidth table with perftest's exact column titles, a row per size as it is measured, and, as an extra table,
 * the bytes each side's thread allocated per iteration while measuring. Silent when built without a stream.
 */
public final class PerftestReport
{
    /** perftest's dashed separator. */
    public static final String SEPARATOR = "-".repeat(87);
    /** The latency table's header, as perftest prints it. */
    public static final ColumnLayout LATENCY = new ColumnLayout(
        " #bytes #iterations    t_min[usec]    t_max[usec]  t_typical[usec]    t_avg[usec]    t_stdev[usec]" +
            "   99% percentile[usec]   99.9% percentile[usec] ",
        "#bytes", "#iterations", "t_min[usec]", "t_max[usec]", "t_typical[usec]", "t_avg[usec]", "t_stdev[usec]",
        "99% percentile[usec]", "99.9% percentile[usec]");
    /** The bandwidth table's header, as perftest prints it. */
    public static final ColumnLayout BANDWIDTH = new ColumnLayout(
        " #bytes     #iterations    BW peak[MB/sec]    BW average[MB/sec]   MsgRate[Mpps]",
        "#bytes", "#iterations", "BW peak[MB/sec]", "BW average[MB/sec]", "MsgRate[Mpps]");
    /** softverbs' extra table: allocation per iteration on each side's thread while measuring. */
    public static final ColumnLayout ALLOCATION = new ColumnLayout(
        " #bytes    client alloc[B/op]    server alloc[B/op]",
        "#bytes", "client alloc[B/op]", "server alloc[B/op]");

    private final PrintStream out;

    /** @param out where to print, or null for silence. */
    public PerftestReport(final PrintStream out)
    {
        this.out = out;
    }

    /**
     * @param settings    the run's settings.
     * @param deviceName  this side's device.
     * @param local       this side's description.
     * @param remote      the peer's description.
     * @param exchange    how the descriptions travelled.
     */
    public void banner(final PerfSettings settings, final String deviceName, final PeerInfo local,
        final PeerInfo remote, final String exchange)
    {
        if (out == null)
        {
            return;
        }
        final PerfTest test = settings.test();
        out.println(SEPARATOR);
        out.println(" ".repeat(20) + title(settings));
        pair(" Dual-port       : OFF", " Device         : " + deviceName);
        pair(" Number of qps   : " + settings.qps(), " Transport type : " + settings.transport());
        pair(" Connection type : RC", " Using SRQ      : " + onOff(settings.useSrq()));
        pair(" Progress        : " + settings.progress(), " Use events     : " + onOff(settings.events()));
        out.println(" TX depth        : " + settings.txDepth());
        if (settings.consumesReceives())
        {
            out.println(" RX depth        : " + settings.rxDepth());
        }
        out.println(" CQ Moderation   : " + settings.cqModeration());
        if (settings.postList() > 1)
        {
            out.println(" Post List       : " + settings.postList()); // perftest prints it only when used
        }
        out.println(" Mtu             : 4096[B]");
        out.println(" Link type       : " + ("mem".equals(settings.transport()) ? "in-process" : "Ethernet"));
        if (test.verb() == PerfTest.Verb.READ || test.verb() == PerfTest.Verb.ATOMIC)
        {
            out.println(" Outstand reads  : " + settings.outstanding());
        }
        else
        {
            out.println(" Max inline data : " + settings.inlineSize() + "[B]");
        }
        out.println(" Data ex. method : " + exchange);
        final int cpus = Runtime.getRuntime().availableProcessors();
        if (settings.spinningThreads() > cpus)
        {
            // Busy pollers and engine threads take turns only when the scheduler preempts one: a hop then waits
            // for a time slice, milliseconds, and the figures say nothing about softverbs.
            out.println(" Warning         : " + settings.spinningThreads() + " threads spin on " + cpus +
                " CPUs (pollers and DEDICATED engines); expect milliseconds per message: use INVOKER progress or -e");
        }
        out.println(SEPARATOR);
        address(" local address: ", local);
        address(" remote address: ", remote);
        out.println(SEPARATOR);
        out.println((test.isLatency() ? LATENCY : BANDWIDTH).header());
        out.flush();
    }

    /** @param result one measured size. */
    public void row(final SizeResult result)
    {
        if (out == null)
        {
            return;
        }
        if (result instanceof LatencyResult latency)
        {
            final LatencyStats s = latency.stats();
            out.println(LATENCY.row(Integer.toString(latency.size()), Long.toString(latency.iterations()),
                usec(s.min()), usec(s.max()), usec(s.typical()), usec(s.avg()), usec(s.stdev()), usec(s.p99()),
                usec(s.p999())));
        }
        else
        {
            final BandwidthResult bw = (BandwidthResult)result;
            out.println(BANDWIDTH.row(Integer.toString(bw.size()), Long.toString(bw.iterations()),
                fixed(2, bw.peakMegabytesPerSecond()), fixed(2, bw.averageMegabytesPerSecond()),
                fixed(6, bw.messageRateMpps())));
        }
        out.flush();
    }

    /** @param results every size, for the allocation table. */
    public void footer(final List<SizeResult> results)
    {
        if (out == null)
        {
            return;
        }
        out.println(SEPARATOR);
        out.println(ALLOCATION.header());
        for (final SizeResult r : results)
        {
            out.println(ALLOCATION.row(Integer.toString(r.size()), perOp(r.clientAllocatedBytes(), r.iterations()),
                perOp(r.serverAllocatedBytes(), r.iterations())));
        }
        out.println(SEPARATOR);
        out.flush();
    }

    /** @param line a line to print as is (e.g. a saved file). */
    public void note(final String line)
    {
        if (out != null)
        {
            out.println(line);
            out.flush();
        }
    }

    /** @param settings the run's settings. @return the banner title. */
    static String title(final PerfSettings settings)
    {
        final PerfTest test = settings.test();
        if (test.verb() == PerfTest.Verb.ATOMIC)
        {
            final String kind = settings.atomic().name().replace("ATOMIC_", "");
            return test.isLatency() ? "Atomic " + kind + " Latency Test" : "Atomic " + kind + " BW Test";
        }
        return test.title();
    }

    private void pair(final String left, final String right)
    {
        out.println(String.format(Locale.ROOT, "%-32s%s", left, right));
    }

    private void address(final String label, final PeerInfo info)
    {
        for (final QpEndpoint ep : info.endpoints())
        {
            out.println(String.format(Locale.ROOT, "%sQPN 0x%04x PSN 0x%06x RKey 0x%08x VAddr 0x%014x %s", label,
                ep.qpNum(), ep.psn(), info.rkey(), info.address(), ep.address()));
        }
    }

    private static String onOff(final boolean on)
    {
        return on ? "ON" : "OFF";
    }

    private static String usec(final double value)
    {
        return fixed(2, value);
    }

    private static String fixed(final int decimals, final double value)
    {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static String perOp(final long bytes, final long ops)
    {
        return bytes < 0 || ops <= 0 ? "n/a" : fixed(3, (double)bytes / ops);
    }
}
