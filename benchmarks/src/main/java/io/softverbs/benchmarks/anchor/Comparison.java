package io.softverbs.benchmarks.anchor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One target: a softverbs figure against an anchor figure measured in the same round, over several rounds. The
 * verdict uses the median of the per-round ratios: both figures of a ratio were taken back to back, under the
 * same placement of the VM's vCPUs, which a ratio of two medians would not guarantee.
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

    private final String metric;
    private final String unit;
    private final Goal goal;
    private final double target;
    private final List<Double> softverbs = new ArrayList<>();
    private final List<Double> anchor = new ArrayList<>();
    private final List<Double> ratios = new ArrayList<>();

    /**
     * @param metric what is compared, for the table.
     * @param unit   unit of both figures.
     * @param goal   which way the ratio must go.
     * @param target the ratio to reach.
     */
    Comparison(final String metric, final String unit, final Goal goal, final double target)
    {
        this.metric = metric;
        this.unit = unit;
        this.goal = goal;
        this.target = target;
    }

    /** @param softverbsValue softverbs' figure this round. @param anchorValue the anchor's figure this round. */
    void add(final double softverbsValue, final double anchorValue)
    {
        softverbs.add(softverbsValue);
        anchor.add(anchorValue);
        ratios.add(softverbsValue / anchorValue);
    }

    String metric()
    {
        return metric;
    }

    String unit()
    {
        return unit;
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
        return goal == Goal.AT_MOST ? ratio() <= target : ratio() >= target;
    }

    /** @return PASS, or MISS with how far the ratio is from the target, relative to it. */
    String verdict()
    {
        if (passed())
        {
            return "PASS";
        }
        final double off = goal == Goal.AT_MOST ? ratio() / target - 1 : 1 - ratio() / target;
        return String.format(Locale.ROOT, "MISS by %.0f%%", off * 100);
    }
}
