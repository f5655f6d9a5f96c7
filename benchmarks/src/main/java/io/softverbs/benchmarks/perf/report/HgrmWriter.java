package io.softverbs.benchmarks.perf.report;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.softverbs.benchmarks.perf.LatencyResult;

/**
 * Saves latency histograms in HdrHistogram's percentile-distribution text format ({@code .hgrm}), in the
 * microseconds the table reports (half round trips for send_lat and write_lat), so HdrHistogram's plotter and
 * other tools read them as they are. One file per size: the given name for a single size, otherwise the name
 * with {@code -<size>B} before its extension.
 */
public final class HgrmWriter
{
    private static final int TICKS_PER_HALF_DISTANCE = 5;

    private HgrmWriter()
    {
    }

    /**
     * @param file    the file name given with {@code --hgrm}.
     * @param results the latency results, one per size.
     * @return the files written.
     * @throws IOException if a file cannot be written.
     */
    public static List<Path> write(final Path file, final List<LatencyResult> results) throws IOException
    {
        final List<Path> written = new ArrayList<>(results.size());
        for (final LatencyResult result : results)
        {
            final Path target = results.size() == 1 ? file : withSize(file, result.size());
            try (OutputStream stream = Files.newOutputStream(target);
                PrintStream out = new PrintStream(stream, false, StandardCharsets.UTF_8))
            {
                result.roundTrips().outputPercentileDistribution(out, TICKS_PER_HALF_DISTANCE,
                    1_000.0 * result.divisor());
            }
            written.add(target);
        }
        return written;
    }

    /** @return {@code name-<size>B.ext} beside {@code file}. */
    static Path withSize(final Path file, final int size)
    {
        final String name = file.getFileName().toString();
        final int dot = name.lastIndexOf('.');
        final String sized = dot > 0 ? name.substring(0, dot) + "-" + size + "B" + name.substring(dot) :
            name + "-" + size + "B";
        return file.resolveSibling(sized);
    }
}
