package io.softverbs.benchmarks.perf.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import io.softverbs.benchmarks.perf.LatencyResult;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Draws latency percentile curves as a small hand-written SVG, the picture HdrHistogram's plotter makes: x is
 * the percentile on a "nines" axis ({@code -log10(1 - p)}, so 90%, 99%, 99.9% are equally spaced), y the latency
 * in microseconds as the table reports it, on a log scale with a line per decade, so a sub-microsecond median and
 * a millisecond scheduling tail are both readable. One curve per message size, with a legend giving each median.
 */
public final class PercentilePlot
{
    private static final int WIDTH = 860;
    private static final int HEIGHT = 500;
    private static final int LEFT = 80;
    private static final int RIGHT = 200;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final int TICKS_PER_HALF_DISTANCE = 20;
    private static final String[] COLORS = {
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

    private PercentilePlot()
    {
    }

    /**
     * @param file    where to write the SVG.
     * @param title   the chart title.
     * @param results one curve per result.
     * @throws IOException if the file cannot be written.
     */
    public static void write(final Path file, final String title, final List<LatencyResult> results) throws IOException
    {
        Files.writeString(file, render(title, results), StandardCharsets.UTF_8);
    }

    /**
     * @param title   the chart title.
     * @param results one curve per result.
     * @return the SVG document.
     */
    public static String render(final String title, final List<LatencyResult> results)
    {
        long maxCount = 1;
        double minMicros = Double.MAX_VALUE;
        double maxMicros = 0;
        for (final LatencyResult r : results)
        {
            maxCount = Math.max(maxCount, r.roundTrips().getTotalCount());
            minMicros = Math.min(minMicros, Math.max(r.roundTrips().getMinValue(), 1) / scale(r));
            maxMicros = Math.max(maxMicros, r.roundTrips().getMaxValue() / scale(r));
        }
        // The last meaningful percentile of n samples is 1 - 1/n: that many nines, at least 99.9%.
        final int maxNines = Math.max(3, (int)Math.ceil(Math.log10(maxCount)));
        final int lowDecade = (int)Math.floor(Math.log10(Math.min(minMicros, 1.0)));
        final int highDecade = Math.max(lowDecade + 1, (int)Math.ceil(Math.log10(Math.max(maxMicros, 1e-3))));
        final Frame frame = new Frame(maxNines, lowDecade, highDecade);

        final StringBuilder svg = new StringBuilder(16 * 1024);
        svg.append(String.format(Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" " +
                "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"28\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
            LEFT, escape(title)));
        axes(svg, frame);
        for (int i = 0; i < results.size(); i++)
        {
            curve(svg, frame, results.get(i), COLORS[i % COLORS.length]);
            legend(svg, i, results.get(i), COLORS[i % COLORS.length]);
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** Maps data to pixels: nines linearly, microseconds by decade. */
    private record Frame(int maxNines, int lowDecade, int highDecade)
    {
        double x(final double nines)
        {
            return LEFT + (WIDTH - LEFT - RIGHT) * Math.min(nines, maxNines) / maxNines;
        }

        double y(final double micros)
        {
            final double decades = Math.log10(Math.max(micros, Math.pow(10, lowDecade))) - lowDecade;
            return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * decades / (highDecade - lowDecade);
        }
    }

    private static void axes(final StringBuilder svg, final Frame frame)
    {
        final double x0 = frame.x(0);
        final double x1 = frame.x(frame.maxNines());
        final double y0 = frame.y(0);
        final double y1 = frame.y(Math.pow(10, frame.highDecade()));
        for (int n = 0; n <= frame.maxNines(); n++)
        {
            final double x = frame.x(n);
            svg.append(line(x, y0, x, y1, "#dddddd"));
            svg.append(text(x, y0 + 18, "middle", ninesLabel(n)));
        }
        for (int decade = frame.lowDecade(); decade <= frame.highDecade(); decade++)
        {
            final double y = frame.y(Math.pow(10, decade));
            svg.append(line(x0, y, x1, y, "#dddddd"));
            svg.append(text(x0 - 6, y + 4, "end", decadeLabel(decade)));
        }
        svg.append(line(x0, y0, x1, y0, "black"));
        svg.append(line(x0, y0, x0, y1, "black"));
        svg.append(text((x0 + x1) / 2, HEIGHT - 18, "middle", "percentile"));
        svg.append(String.format(Locale.ROOT,
            "<text x=\"18\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 18 %.1f)\">latency [us, log scale]</text>%n",
            (y0 + y1) / 2, (y0 + y1) / 2));
    }

    private static void curve(final StringBuilder svg, final Frame frame, final LatencyResult result, final String color)
    {
        final Histogram histogram = result.roundTrips();
        if (histogram.getTotalCount() == 0)
        {
            return;
        }
        final double scale = scale(result);
        final StringBuilder points = new StringBuilder();
        for (final HistogramIterationValue v : histogram.percentiles(TICKS_PER_HALF_DISTANCE))
        {
            final double percentile = v.getPercentileLevelIteratedTo();
            final double nines = percentile >= 100.0 ? frame.maxNines() : -Math.log10(1.0 - percentile / 100.0);
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ",
                frame.x(nines), frame.y(histogram.highestEquivalentValue(v.getValueIteratedTo()) / scale)));
        }
        svg.append(String.format(Locale.ROOT,
            "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n", color, points.toString().trim()));
    }

    private static void legend(final StringBuilder svg, final int index, final LatencyResult result, final String color)
    {
        final double x = WIDTH - RIGHT + 20;
        final double y = TOP + 10 + index * 20;
        svg.append(line(x, y - 4, x + 20, y - 4, color).replace("stroke-width=\"1\"", "stroke-width=\"3\""));
        svg.append(text(x + 26, y, "start", String.format(Locale.ROOT, "%d B: median %.2f us", result.size(),
            result.roundTrips().getValueAtPercentile(50.0) / scale(result))));
    }

    private static double scale(final LatencyResult result)
    {
        return 1_000.0 * result.divisor();
    }

    /** @return {@code 0.01}, {@code 1}, {@code 1000} ... for decades -2, 0, 3. */
    static String decadeLabel(final int decade)
    {
        return decade >= 0 ? "1" + "0".repeat(decade) : "0." + "0".repeat(-decade - 1) + "1";
    }

    /** @return 0%, 90%, 99%, 99.9%, ... for 0, 1, 2, 3 nines. */
    static String ninesLabel(final int nines)
    {
        if (nines == 0)
        {
            return "0%";
        }
        if (nines == 1)
        {
            return "90%";
        }
        if (nines == 2)
        {
            return "99%";
        }
        return "99." + "9".repeat(nines - 2) + "%";
    }

    private static String line(final double x1, final double y1, final double x2, final double y2, final String color)
    {
        return String.format(Locale.ROOT,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\"/>%n",
            x1, y1, x2, y2, color);
    }

    private static String text(final double x, final double y, final String anchor, final String content)
    {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>%n",
            x, y, anchor, escape(content));
    }

    private static String escape(final String s)
    {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
