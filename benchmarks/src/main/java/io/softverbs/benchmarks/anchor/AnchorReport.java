package io.softverbs.benchmarks.anchor;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

import io.softverbs.benchmarks.perf.report.Machine;
import io.softverbs.benchmarks.perf.report.PerftestReport;

/**
 * Prints the anchors run: each figure as it is measured (A = anchor, B = softverbs), the medians over the rounds
 * with round trips and half round trips side by side, and the final target table with ratios and verdicts.
 */
public final class AnchorReport
{
    /** Header of the final table. */
    public static final String TARGET_HEADER = String.format(Locale.ROOT, " %-48s %14s %14s %8s %9s  %s",
        "metric", "softverbs", "anchor", "ratio", "target", "result");
    /** Title of the row that checks the zero-garbage target. */
    public static final String ALLOCATION_METRIC = "allocation per op, every softverbs run above";

    private final PrintStream out;

    /** @param out where to print. */
    public AnchorReport(final PrintStream out)
    {
        this.out = out;
    }

    /** @param settings what the run measures. */
    public void start(final AnchorSettings settings)
    {
        out.println(PerftestReport.SEPARATOR);
        out.println(" softverbs-perf anchors: softverbs beside what a user would pick instead, measured in this run");
        out.println(" machine: " + Machine.describe());
        out.println(String.format(Locale.ROOT, " %d rounds; each: A (anchor) then B (softverbs) back to back, " +
            "Agrona and Aeron again after B; %d round trips (+%d warm-up), %d messages, %d MB per bandwidth figure",
            settings.rounds(), settings.iterations(), settings.warmup(), settings.messages(),
            settings.copyMegabytes()));
        out.println(PerftestReport.SEPARATOR);
        out.flush();
    }

    /** @param round this round. @param rounds all rounds. */
    void roundStart(final int round, final int rounds)
    {
        out.println(" round " + round + "/" + rounds);
        out.flush();
    }

    /** @param check the vCPU check that starts the round. */
    void vcpuCheck(final VcpuCheck.Result check)
    {
        out.println(String.format(Locale.ROOT,
            "   vCPU check: one loop on two threads at once, %.1f / %.1f ms: %.2fx%s",
            check.fasterNanos() / 1e6, check.slowerNanos() / 1e6, check.skew(),
            check.skewed() ? "  (one vCPU slow in this round)" : ""));
        out.flush();
    }

    /** @param checks every round's vCPU check, in order. */
    void vcpuSummary(final List<VcpuCheck.Result> checks)
    {
        final StringBuilder rounds = new StringBuilder();
        int skewed = 0;
        for (int i = 0; i < checks.size(); i++)
        {
            if (checks.get(i).skewed())
            {
                rounds.append(skewed++ == 0 ? " (round " : ", ").append(i + 1);
            }
        }
        out.println(String.format(Locale.ROOT, " vCPU check: one vCPU %.2fx slower or more in %d of %d round(s)%s; " +
            "softverbs, more software than hand-off, slows there more than the anchors do.", VcpuCheck.SKEWED, skewed,
            checks.size(), skewed == 0 ? "" : rounds.append(')')));
        out.flush();
    }

    /** @param s the series whose last value was just measured. */
    void measured(final Series s)
    {
        out.println(String.format(Locale.ROOT, "   %s  %-72s %s", s.isSoftverbs() ? "B" : "A", s.name(),
            figure(s.kind(), s.last())));
        out.flush();
    }

    /** @param series every series. @param rounds how many rounds the medians are over. */
    void medians(final List<Series> series, final int rounds)
    {
        out.println(PerftestReport.SEPARATOR);
        out.println(" medians of " + rounds + " round(s)");
        out.println(String.format(Locale.ROOT, " %-74s %10s %15s", "round trips", "RTT[usec]", "half-RTT[usec]"));
        for (final Series s : series)
        {
            if (s.kind() == Series.Kind.ROUND_TRIP_NANOS)
            {
                out.println(String.format(Locale.ROOT, " %-74s %10.3f %15.3f", s.name(), s.median() / 1e3,
                    s.median() / 2e3));
            }
        }
        out.println(String.format(Locale.ROOT, " %-74s %26s", "throughput", "median"));
        for (final Series s : series)
        {
            if (s.kind() != Series.Kind.ROUND_TRIP_NANOS)
            {
                out.println(String.format(Locale.ROOT, " %-74s %26s", s.name(), figure(s.kind(), s.median())));
            }
        }
        out.flush();
    }

    /**
     * @param comparisons        the targets.
     * @param allocationPerOp    the most bytes per operation any softverbs run allocated on either thread.
     * @param lastRoundPerOp     the same over the last round only.
     * @param worstRun           the run that allocated the most per operation, empty if none allocated.
     */
    void targets(final List<Comparison> comparisons, final double allocationPerOp, final double lastRoundPerOp,
        final String worstRun)
    {
        out.println(PerftestReport.SEPARATOR);
        out.println(TARGET_HEADER);
        for (final Comparison c : comparisons)
        {
            final boolean judged = c.judged(); // a comparison with every round left out has no figures
            out.println(String.format(Locale.ROOT, " %-48s %14s %14s %8s %9s  %s", c.metric(),
                judged ? value(c.softverbsMedian(), c.unit()) : "-", judged ? value(c.anchorMedian(), c.unit()) : "-",
                judged ? String.format(Locale.ROOT, "%.2fx", c.ratio()) : "-", c.targetText(), c.verdict()));
        }
        out.println(String.format(Locale.ROOT, " %-48s %14s %14s %8s %9s  %s", ALLOCATION_METRIC,
            String.format(Locale.ROOT, "%.3f B/op", allocationPerOp), "-", "-", "0 B/op",
            allocationPerOp == 0 ? "PASS" : "MISS"));
        out.println(String.format(Locale.ROOT, " %-48s %14s", "  the same, last round only",
            String.format(Locale.ROOT, "%.3f B/op", lastRoundPerOp)));
        if (!worstRun.isEmpty())
        {
            out.println("   most per operation: " + worstRun);
        }
        out.println(PerftestReport.SEPARATOR);
        out.println(" softverbs and anchor: medians over the rounds; ratio: median of the per-round ratios " +
            "softverbs/anchor.");
        out.println(String.format(Locale.ROOT, " The Agrona and Aeron anchors are measured before and after softverbs " +
            "in each round; their mean is the anchor, and a round where the two are far apart (round trips more than " +
            "%.1fx, rates more than %.1fx: the vCPUs moved) is left out of the ratio.", Comparison.ROUND_TRIP_MOVED,
            Comparison.RATE_MOVED));
        for (final Comparison c : comparisons)
        {
            for (final String round : c.leftOut())
            {
                out.println("   left out of " + c.metric() + ": " + round);
            }
        }
        out.println(" Ratios round by round (on this VM the two vCPU placements show as two levels):");
        for (final Comparison c : comparisons)
        {
            out.println(String.format(Locale.ROOT, "   %-48s %s", c.metric(), c.ratiosByRound()));
        }
        out.flush();
    }

    /** @param size bytes. @return e.g. {@code 64 KiB}. */
    static String bytes(final int size)
    {
        if (size >= 1 << 20 && size % (1 << 20) == 0)
        {
            return (size >> 20) + " MiB";
        }
        if (size >= 1 << 10 && size % (1 << 10) == 0)
        {
            return (size >> 10) + " KiB";
        }
        return size + " B";
    }

    private static String figure(final Series.Kind kind, final double value)
    {
        switch (kind)
        {
            case ROUND_TRIP_NANOS:
                return String.format(Locale.ROOT, "RTT %10.3f us", value / 1e3);
            case MESSAGES_PER_SECOND:
                return String.format(Locale.ROOT, "%10.2f Mmsg/s", value / 1e6);
            default:
                return String.format(Locale.ROOT, "%10.0f MB/s", value);
        }
    }

    private static String value(final double value, final String unit)
    {
        return String.format(Locale.ROOT, "MB/s".equals(unit) ? "%.0f %s" : "%.3f %s", value, unit);
    }
}
