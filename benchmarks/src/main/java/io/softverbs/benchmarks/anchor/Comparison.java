package io.softverbs.benchmarks.anchor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One target: a softverbs figure against an anchor figure measured in the same round, over several rounds. The
 * verdict uses the median of the per-round ratios: both figures of a ratio were taken back to back, under the
 * same placement of the VM's vCPUs, which a ratio of two medians would not guarantee. Where the anchor is measured
 * both before and after softverbs ({@link #add(int, double, double, double)}), a round in which the placement
 * changed shows as two anchor figures far apart, and is left out.
 */
final class Comparison
{
    /** Which way the ratio must go. */
    enum Goal
    {
        /** softverbs / anchor must not exceed the target (latencies). */
        AT_MOST("<="),
        /** softverbs / anchor must reach the target (rates, bandwidths). */
        AT_LEAST(">=");

        private final String symbol;

        Goal(final String symbol)
        {
            this.symbol = symbol;
        }
    }

    /**
     * How far apart a round trip anchor's figures before and after softverbs may be in a round that counts: within
     * one placement the Agrona ring's round trip stays within about 1.2x, across the two it moves 2.5x or more.
     */
    static final double ROUND_TRIP_MOVED = 1.5;
    /** The same for a message rate anchor, whose own spread within one placement reaches about 1.6x. */
    static final double RATE_MOVED = 2.0;
    /** The verdict when every round was left out. */
    static final String NOT_JUDGED = "NOT JUDGED";

    private final String metric;
    private final String unit;
    private final Goal goal;
    private final double target;
    private final double moved;
    private final List<Double> softverbs = new ArrayList<>();
    private final List<Double> anchor = new ArrayList<>();
    private final List<Double> ratios = new ArrayList<>();
    private final List<String> leftOut = new ArrayList<>();
    /** Every round's ratio, in order, or "-" for a round left out: the report shows the two placements apart. */
    private final StringBuilder byRound = new StringBuilder();

    /**
     * @param metric what is compared, for the table.
     * @param unit   unit of both figures.
     * @param goal   which way the ratio must go.
     * @param target the ratio to reach.
     */
    Comparison(final String metric, final String unit, final Goal goal, final double target)
    {
        this(metric, unit, goal, target, ROUND_TRIP_MOVED);
    }

    /**
     * @param metric what is compared, for the table.
     * @param unit   unit of both figures.
     * @param goal   which way the ratio must go.
     * @param target the ratio to reach.
     * @param moved  how far apart the anchor's two figures of a round may be
     *               ({@link #add(int, double, double, double)}).
     */
    Comparison(final String metric, final String unit, final Goal goal, final double target, final double moved)
    {
        this.metric = metric;
        this.unit = unit;
        this.goal = goal;
        this.target = target;
        this.moved = moved;
    }

    /**
     * A round whose anchor was measured before and after softverbs. If its two figures are more than the
     * comparison's {@code moved} times apart, the vCPUs' placement changed within the round (this VM's cache-line
     * round trip flips between about 100 and 500 ns with it), softverbs' figure has no anchor to stand beside, and
     * the round is left out of this comparison; otherwise the anchor's figure is the mean of the two.
     *
     * @param round          the round, for the report.
     * @param softverbsValue softverbs' figure.
     * @param anchorBefore   the anchor's figure just before it.
     * @param anchorAfter    the anchor's figure just after it.
     */
    void add(final int round, final double softverbsValue, final double anchorBefore, final double anchorAfter)
    {
        if (Math.max(anchorBefore, anchorAfter) > moved * Math.min(anchorBefore, anchorAfter))
        {
            leftOut.add(String.format(Locale.ROOT, "round %d (anchor %.3f %s before softverbs, %.3f after)", round,
                anchorBefore, unit, anchorAfter));
            noteRound("-");
            return;
        }
        add(softverbsValue, (anchorBefore + anchorAfter) / 2);
    }

    /** @param softverbsValue softverbs' figure this round. @param anchorValue the anchor's figure this round. */
    void add(final double softverbsValue, final double anchorValue)
    {
        softverbs.add(softverbsValue);
        anchor.add(anchorValue);
        ratios.add(softverbsValue / anchorValue);
        noteRound(String.format(Locale.ROOT, "%.2f", softverbsValue / anchorValue));
    }

    String metric()
    {
        return metric;
    }

    String unit()
    {
        return unit;
    }

    private void noteRound(final String text)
    {
        byRound.append(byRound.length() == 0 ? "" : " ").append(text);
    }

    /** @return true if at least one round counts. */
    boolean judged()
    {
        return !ratios.isEmpty();
    }

    /** @return every round's ratio in order, "-" where a round was left out. */
    String ratiosByRound()
    {
        return byRound.toString();
    }

    /** @return the rounds left out, each with its two anchor figures; empty if none. */
    List<String> leftOut()
    {
        return leftOut;
    }

    double softverbsMedian()
    {
        return Medians.of(softverbs);
    }

    double anchorMedian()
    {
        return Medians.of(anchor);
    }

    /** @return the median of the per-round ratios softverbs / anchor. */
    double ratio()
    {
        return Medians.of(ratios);
    }

    /** @return e.g. {@code <= 1.5x}. */
    String targetText()
    {
        return String.format(Locale.ROOT, "%s %.1fx", goal.symbol, target);
    }

    boolean passed()
    {
        if (!judged())
        {
            return false;
        }
        return goal == Goal.AT_MOST ? ratio() <= target : ratio() >= target;
    }

    /** @return PASS, or MISS with how far the ratio is from the target, relative to it. */
    String verdict()
    {
        if (!judged())
        {
            return NOT_JUDGED;
        }
        if (passed())
        {
            return "PASS";
        }
        final double off = goal == Goal.AT_MOST ? ratio() / target - 1 : 1 - ratio() / target;
        return String.format(Locale.ROOT, "MISS by %.0f%%", off * 100);
    }
}
