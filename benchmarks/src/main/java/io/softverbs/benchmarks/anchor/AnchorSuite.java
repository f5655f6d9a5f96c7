package io.softverbs.benchmarks.anchor;

import java.util.ArrayList;
import java.util.List;

import org.HdrHistogram.Histogram;

/**
 * The anchors run: for each round, every anchor (A) and the softverbs figure it is compared with (B), back to
 * back, because this VM's cache-line round trip flips between about 100 and 500 ns with the placement of its
 * vCPUs, and only figures taken together compare. The anchors of the round trips and of the message rate are
 * measured again after softverbs, so that a round in which the placement changed is seen and left out
 * ({@link Comparison}). Each round starts with a {@link VcpuCheck}, which shows whether one vCPU was running slow
 * meanwhile. Medians over the rounds go to {@link AnchorReport}.
 */
public final class AnchorSuite
{
    private static final int SIZE = AnchorSettings.LATENCY_SIZE;
    /** Name suffix of an anchor's second figure in a round, taken after softverbs'. */
    private static final String AFTER = ", again after softverbs";

    private final AnchorSettings settings;
    private final AnchorReport report;
    private final SoftverbsFigures softverbs = new SoftverbsFigures();
    private final VcpuCheck vcpuCheck = new VcpuCheck();
    private final List<VcpuCheck.Result> vcpuChecks = new ArrayList<>();
    private final List<Series> series = new ArrayList<>();
    private final List<Comparison> comparisons = new ArrayList<>();

    /**
     * @param settings what to measure.
     * @param report   where the figures go.
     */
    public AnchorSuite(final AnchorSettings settings, final AnchorReport report)
    {
        this.settings = settings;
        this.report = report;
    }

    /** Runs every round and prints the medians and the target table. */
    public void run()
    {
        try (AgronaRingPingPong agrona = new AgronaRingPingPong(SIZE);
            SpscQueuePingPong jctools = new SpscQueuePingPong();
            AeronIpcPingPong aeron = settings.aeron() ? new AeronIpcPingPong(SIZE) : null)
        {
            final RoundTrips roundTrips = new RoundTrips(agrona, jctools, aeron);
            final MessageRate rate = new MessageRate();
            final List<CopyPair> copies = new ArrayList<>();
            for (final int blockSize : AnchorSettings.COPY_SIZES)
            {
                copies.add(new CopyPair(blockSize));
            }
            for (int round = 1; round <= settings.rounds(); round++)
            {
                report.roundStart(round, settings.rounds());
                final VcpuCheck.Result check = vcpuCheck.measure();
                vcpuChecks.add(check);
                report.vcpuCheck(check);
                softverbs.startRound();
                roundTrips.run(round);
                rate.run(round);
                for (final CopyPair pair : copies)
                {
                    pair.run();
                }
            }
            report.medians(series, settings.rounds());
            report.targets(comparisons, softverbs.worstAllocationPerOp(), softverbs.worstAllocationPerOpThisRound(),
                softverbs.worstRun());
            report.vcpuSummary(vcpuChecks);
        }
    }

    /** The ping-pongs: Agrona ring, softverbs send_lat and write_lat, Aeron IPC, JCTools queue. */
    private final class RoundTrips
    {
        private final AgronaRingPingPong agrona;
        private final SpscQueuePingPong jctools;
        private final AeronIpcPingPong aeron;
        private final Series agronaRtt;
        private final Series agronaRttAfter;
        private final Series sendRtt;
        private final Series writeRtt;
        private final Series aeronRtt;
        private final Series aeronRttAfter;
        private final Series jctoolsRtt;
        private final Comparison sendVsAgrona;
        private final Comparison sendVsAeron;
        private final Comparison writeVsAgrona;

        RoundTrips(final AgronaRingPingPong agrona, final SpscQueuePingPong jctools, final AeronIpcPingPong aeron)
        {
            this.agrona = agrona;
            this.jctools = jctools;
            this.aeron = aeron;
            agronaRtt = series(agrona.name(), false, Series.Kind.ROUND_TRIP_NANOS);
            aeronRtt = aeron != null ? series(aeron.name(), false, Series.Kind.ROUND_TRIP_NANOS) : null;
            sendRtt = series("softverbs send_lat " + SIZE + " B inline (2 x t_typical)", true, Series.Kind.ROUND_TRIP_NANOS);
            writeRtt = series("softverbs write_lat " + SIZE + " B (2 x t_typical)", true, Series.Kind.ROUND_TRIP_NANOS);
            agronaRttAfter = series(agrona.name() + AFTER, false, Series.Kind.ROUND_TRIP_NANOS);
            aeronRttAfter = aeron != null ? series(aeron.name() + AFTER, false, Series.Kind.ROUND_TRIP_NANOS) : null;
            jctoolsRtt = series(jctools.name(), false, Series.Kind.ROUND_TRIP_NANOS);
            sendVsAgrona = comparison("send_lat 32 B inline RTT vs Agrona ring RTT", "us", Comparison.Goal.AT_MOST, 1.5);
            sendVsAeron = aeron != null ?
                comparison("send_lat 32 B inline RTT vs Aeron IPC RTT", "us", Comparison.Goal.AT_MOST, 1.0) : null;
            writeVsAgrona = comparison("write_lat 32 B RTT vs Agrona ring RTT", "us", Comparison.Goal.AT_MOST, 1.3);
        }

        /**
         * Agrona and Aeron, both softverbs round trips, then Agrona and Aeron again, so that a change of placement
         * within the round shows: send_lat and write_lat sit between their anchors.
         */
        void run(final int round)
        {
            final int warmup = settings.warmup();
            final int iterations = settings.iterations();
            final double a = measure(agronaRtt, median(agrona.measure(warmup, iterations)));
            final double ae = aeron != null ? measure(aeronRtt, median(aeron.measure(warmup, iterations))) : 0;
            // The median round trip is 2 x t_typical: send_lat and write_lat report half of it.
            final double s = measure(sendRtt, softverbs.sendLatency(SIZE, warmup, iterations).medianRoundTripNanos());
            final double w = measure(writeRtt, softverbs.writeLatency(SIZE, warmup, iterations).medianRoundTripNanos());
            final double a2 = measure(agronaRttAfter, median(agrona.measure(warmup, iterations)));
            sendVsAgrona.add(round, s / 1e3, a / 1e3, a2 / 1e3);
            writeVsAgrona.add(round, w / 1e3, a / 1e3, a2 / 1e3);
            if (aeron != null)
            {
                final double ae2 = measure(aeronRttAfter, median(aeron.measure(warmup, iterations)));
                sendVsAeron.add(round, s / 1e3, ae / 1e3, ae2 / 1e3);
            }
            measure(jctoolsRtt, median(jctools.measure(warmup, iterations)));
        }
    }

    /**
     * Agrona's single-producer message rate, then softverbs send_bw of the same message size, one request per post
     * and then a list per post ({@code -l}), then Agrona again. The ring has no list form: its producer writes one
     * message per call either way.
     */
    private final class MessageRate
    {
        private final AgronaRingRate ring = new AgronaRingRate(AnchorSettings.RATE_SIZE);
        private final Series agronaRate = series(ring.name(), false, Series.Kind.MESSAGES_PER_SECOND);
        private final Series sendRate = series("softverbs send_bw " + AnchorSettings.RATE_SIZE + " B, 1 QP, -Q " +
            AnchorSettings.RATE_CQ_MODERATION + ", inline", true, Series.Kind.MESSAGES_PER_SECOND);
        private final Series listRate = series("softverbs send_bw " + AnchorSettings.RATE_SIZE + " B, 1 QP, -l " +
            AnchorSettings.RATE_POST_LIST + " (-Q " + AnchorSettings.RATE_POST_LIST + "), inline", true,
            Series.Kind.MESSAGES_PER_SECOND);
        private final Series agronaRateAfter = series(ring.name() + AFTER, false, Series.Kind.MESSAGES_PER_SECOND);
        private final Comparison comparison = comparison(new Comparison("send_bw 64 B msg rate vs Agrona ring SP rate",
            "Mmsg/s", Comparison.Goal.AT_LEAST, 0.5, Comparison.RATE_MOVED));
        private final Comparison listComparison = comparison(new Comparison(
            "send_bw 64 B -l " + AnchorSettings.RATE_POST_LIST + " msg rate vs Agrona ring SP rate", "Mmsg/s",
            Comparison.Goal.AT_LEAST, 0.5, Comparison.RATE_MOVED));

        void run(final int round)
        {
            ring.messagesPerSecond(settings.messages() / 10); // warm-up
            final double r = measure(agronaRate, ring.messagesPerSecond(settings.messages()));
            final double s = measure(sendRate, softverbs.sendBandwidth(AnchorSettings.RATE_SIZE,
                AnchorSettings.RATE_CQ_MODERATION, 1, settings.messages()).messagesPerSecond());
            final double l = measure(listRate, softverbs.sendBandwidth(AnchorSettings.RATE_SIZE,
                AnchorSettings.RATE_POST_LIST, AnchorSettings.RATE_POST_LIST, settings.messages()).messagesPerSecond());
            final double r2 = measure(agronaRateAfter, ring.messagesPerSecond(settings.messages()));
            comparison.add(round, s / 1e6, r / 1e6, r2 / 1e6);
            listComparison.add(round, l / 1e6, r / 1e6, r2 / 1e6);
        }
    }

    /** A one-core copy and write_bw of the same block size. */
    private final class CopyPair
    {
        private final int blockSize;
        private final CopyBandwidth copy;
        private final Series copySeries;
        private final Series writeSeries;
        private final Comparison comparison;

        CopyPair(final int blockSize)
        {
            this.blockSize = blockSize;
            copy = new CopyBandwidth(blockSize);
            final String label = AnchorReport.bytes(blockSize);
            copySeries = series(copy.name(), false, Series.Kind.MEGABYTES_PER_SECOND);
            writeSeries = series("softverbs write_bw " + label + ", 1 QP", true, Series.Kind.MEGABYTES_PER_SECOND);
            comparison = comparison("write_bw " + label + " vs one-core copy " + label, "MB/s",
                Comparison.Goal.AT_LEAST, 0.8);
        }

        void run()
        {
            final long blocks = Math.max(1, (settings.copyMegabytes() << 20) / blockSize);
            copy.megabytesPerSecond(Math.max(1, blocks / 10)); // warm-up
            final double c = measure(copySeries, copy.megabytesPerSecond(blocks));
            final double w = measure(writeSeries, softverbs.writeBandwidth(blockSize, blocks).averageMegabytesPerSecond());
            comparison.add(w, c);
        }
    }

    private Series series(final String name, final boolean isSoftverbs, final Series.Kind kind)
    {
        final Series s = new Series(name, isSoftverbs, kind);
        series.add(s);
        return s;
    }

    private Comparison comparison(final String metric, final String unit, final Comparison.Goal goal,
        final double target)
    {
        return comparison(new Comparison(metric, unit, goal, target));
    }

    private Comparison comparison(final Comparison c)
    {
        comparisons.add(c);
        return c;
    }

    private double measure(final Series s, final double value)
    {
        s.add(value);
        report.measured(s);
        return value;
    }

    /** @return the median round trip in nanoseconds. */
    private static double median(final Histogram roundTrips)
    {
        return roundTrips.getValueAtPercentile(50.0);
    }
}
