package io.softverbs.benchmarks.anchor;

import java.util.ArrayList;
import java.util.List;

/** One measured figure over the rounds: a round trip (nanoseconds), a message rate or a bandwidth. */
final class Series
{
    /** What the values are. */
    enum Kind
    {
        /** Median round trip in nanoseconds. */
        ROUND_TRIP_NANOS,
        /** Messages per second. */
        MESSAGES_PER_SECOND,
        /** MB (2^20 bytes) per second. */
        MEGABYTES_PER_SECOND
    }

    private final String name;
    private final boolean softverbs;
    private final Kind kind;
    private final List<Double> values = new ArrayList<>();

    /**
     * @param name      what is measured.
     * @param softverbs true for softverbs' own figures (B), false for an anchor (A).
     * @param kind      what the values are.
     */
    Series(final String name, final boolean softverbs, final Kind kind)
    {
        this.name = name;
        this.softverbs = softverbs;
        this.kind = kind;
    }

    /** @param value this round's figure. @return the value. */
    double add(final double value)
    {
        values.add(value);
        return value;
    }

    String name()
    {
        return name;
    }

    boolean isSoftverbs()
    {
        return softverbs;
    }

    Kind kind()
    {
        return kind;
    }

    /** @return the last value added. */
    double last()
    {
        return values.get(values.size() - 1);
    }

    double median()
    {
        return Medians.of(values);
    }
}
