package io.softverbs.benchmarks.perf.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.softverbs.benchmarks.perf.LatencyResult;
import io.softverbs.benchmarks.perf.PerfSettings;
import io.softverbs.benchmarks.perf.SizeResult;

/** Writes what {@code --hgrm} and {@code --plot} ask for once a run is over. */
public final class ResultFiles
{
    private ResultFiles()
    {
    }

    /**
     * @param settings the run's settings.
     * @param results  the run's rows.
     * @param report   where to say what was written.
     * @throws IOException if a file cannot be written.
     */
    public static void write(final PerfSettings settings, final List<SizeResult> results, final PerftestReport report)
        throws IOException
    {
        final List<LatencyResult> latencies = new ArrayList<>(results.size());
        for (final SizeResult r : results)
        {
            if (r instanceof LatencyResult latency)
            {
                latencies.add(latency);
            }
        }
        if (latencies.isEmpty())
        {
            return;
        }
        if (settings.hgrm() != null)
        {
            for (final Path file : HgrmWriter.write(settings.hgrm(), latencies))
            {
                report.note(" histogram saved to " + file);
            }
        }
        if (settings.plot() != null)
        {
            PercentilePlot.write(settings.plot(), plotTitle(settings), latencies);
            report.note(" percentile plot saved to " + settings.plot());
        }
    }

    static String plotTitle(final PerfSettings settings)
    {
        final String what = settings.test().reportDivisor() == 2 ? "half round trip" : "round trip";
        return "softverbs " + settings.test().command() + " (" + settings.transport() + ", " + settings.progress() +
            "): " + what + " by percentile";
    }
}
