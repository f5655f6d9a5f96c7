package io.softverbs.benchmarks.anchor;

import java.util.Arrays;
import java.util.List;

/** Medians of a handful of per-round figures. */
final class Medians
{
    private Medians()
    {
    }

    /**
     * @param values at least one value.
     * @return the median (the mean of the middle two for an even count).
     */
    static double of(final List<Double> values)
    {
        if (values.isEmpty())
        {
            throw new IllegalArgumentException("no values");
        }
        final double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        final int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
