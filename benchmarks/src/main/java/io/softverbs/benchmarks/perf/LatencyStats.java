package io.softverbs.benchmarks.perf;

import org.HdrHistogram.Histogram;

/**
 * perftest's latency columns, in microseconds: t_min, t_max, t_typical (the median), t_avg, t_stdev and the
 * 99% and 99.9% percentiles. Values come from an HdrHistogram of nanoseconds with three significant digits.
 *
 * @param min     t_min.
 * @param max     t_max.
 * @param typical t_typical, the median.
 * @param avg     t_avg.
 * @param stdev   t_stdev.
 * @param p99     99% percentile.
 * @param p999    99.9% percentile.
 */
public record LatencyStats(double min, double max, double typical, double avg, double stdev, double p99, double p999)
{
    private static final double NANOS_PER_MICRO = 1_000.0;

    /**
     * @param nanos   round trips in nanoseconds.
     * @param divisor what each value is divided by for the report (2 = half round trip).
     * @return the columns.
     */
    public static LatencyStats of(final Histogram nanos, final int divisor)
    {
        final double scale = NANOS_PER_MICRO * divisor;
        if (nanos.getTotalCount() == 0)
        {
            return new LatencyStats(0, 0, 0, 0, 0, 0, 0);
        }
        return new LatencyStats(
            nanos.getMinValue() / scale,
            nanos.getMaxValue() / scale,
            nanos.getValueAtPercentile(50.0) / scale,
            nanos.getMean() / scale,
            nanos.getStdDeviation() / scale,
            nanos.getValueAtPercentile(99.0) / scale,
            nanos.getValueAtPercentile(99.9) / scale);
    }
}
