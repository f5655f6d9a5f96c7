package io.softverbs.benchmarks.perf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.softverbs.benchmarks.perf.report.PerftestReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every test of the tool, end to end with tiny counts: it exits 0 and prints perftest's table with the right
 * columns and positive figures, plus the allocation table. Keeps the tool from rotting; says nothing about speed.
 */
@Timeout(60)
class PerfToolSmokeTest
{
    @ParameterizedTest
    @EnumSource(PerfTest.class)
    void everyTestPrintsItsTable(final PerfTest test)
    {
        final CommandOutput output = CommandOutput.run(test.command(), "-n", "200", "--warmup", "50");
        assertEquals(0, output.exitCode(), output::toString);
        assertTable(test, output, 1);
        assertTrue(output.out().contains(test.isFixedSize() ? "Atomic FETCH_AND_ADD" : test.title()), output::toString);
    }

    static Stream<Arguments> optionCombinations()
    {
        return Stream.of(
            Arguments.of(PerfTest.SEND_LAT, List.of("-s", "4096")),
            Arguments.of(PerfTest.SEND_LAT, List.of("--use-srq", "--send_with_imm", "-e")),
            // One receive posted per side: the run ends only if each consumed receive is replaced.
            Arguments.of(PerfTest.SEND_LAT, List.of("-r", "1")),
            Arguments.of(PerfTest.WRITE_LAT, List.of("--write_with_imm", "-s", "64")),
            Arguments.of(PerfTest.WRITE_LAT, List.of("--progress", "DEDICATED", "-I", "0")),
            Arguments.of(PerfTest.ATOMIC_LAT, List.of("-A", "CMP_AND_SWAP")),
            Arguments.of(PerfTest.SEND_BW, List.of("-q", "2", "-Q", "8", "-t", "32", "--use-srq", "-I", "64")),
            // Post lists: 200 requests make a short last list, which must still end signaled.
            Arguments.of(PerfTest.SEND_BW, List.of("-l", "16", "-q", "2", "-I", "64")),
            Arguments.of(PerfTest.WRITE_BW, List.of("-l", "7", "-t", "16")),
            Arguments.of(PerfTest.WRITE_BW, List.of("-q", "3", "--write_with_imm", "-e")),
            Arguments.of(PerfTest.READ_BW, List.of("-o", "4", "-s", "1024")),
            Arguments.of(PerfTest.ATOMIC_BW, List.of("-A", "CMP_AND_SWAP", "-q", "2")));
    }

    @Test
    void busyPollersAndEngineThreadsOnTooFewCpusAreCalledOut()
    {
        final CommandOutput output =
            CommandOutput.run("write_lat", "-n", "20", "--warmup", "5", "--progress", "DEDICATED");
        assertEquals(0, output.exitCode(), output::toString);
        assertEquals(Runtime.getRuntime().availableProcessors() < 4,
            output.out().contains(" Warning         : 4 threads spin on "), output::toString);
    }

    @ParameterizedTest
    @MethodSource("optionCombinations")
    void perftestOptionsRun(final PerfTest test, final List<String> options)
    {
        final String[] args = Stream.concat(Stream.of(test.command(), "-n", "200", "--warmup", "50"),
            options.stream()).toArray(String[]::new);
        final CommandOutput output = CommandOutput.run(args);
        assertEquals(0, output.exitCode(), output::toString);
        assertTable(test, output, 1);
    }

    @Test
    void allSizesRunEveryPowerOfTwoUpTo8MiB()
    {
        final CommandOutput output = CommandOutput.run("read_lat", "-a", "-n", "10", "--warmup", "2");
        assertEquals(0, output.exitCode(), output::toString);
        final List<String> rows = assertTable(PerfTest.READ_LAT, output, PerfSettings.allSizes().length);
        assertEquals("2", rows.get(0).trim().split("\\s+")[0]);
        assertEquals(Integer.toString(8 << 20), rows.get(rows.size() - 1).trim().split("\\s+")[0]);
    }

    @Test
    void durationRunsForTheGivenSeconds()
    {
        final long start = System.nanoTime();
        final CommandOutput output = CommandOutput.run("write_bw", "-D", "1", "--warmup", "100");
        assertEquals(0, output.exitCode(), output::toString);
        assertTable(PerfTest.WRITE_BW, output, 1);
        assertTrue(System.nanoTime() - start >= 1_000_000_000L, "ran at least a second");
    }

    @Test
    void eachSizeSaysHowItsWarmupWent()
    {
        final CommandOutput output = CommandOutput.run("send_lat", "-n", "1000", "--warmup", "100", "-s", "16");
        assertEquals(0, output.exitCode(), output::toString);
        final List<String> warmups = output.lines().stream().filter(l -> l.startsWith(" warm-up ")).toList();
        assertEquals(1, warmups.size(), output::toString);
        assertTrue(warmups.get(0).matches(
            " warm-up 16 B: \\d+ iterations in \\d+ slice\\(s\\), .*(settled|NOT settled).*"), output::toString);
    }

    @Test
    void aZeroWarmupLimitRunsExactlyTheWarmupCount()
    {
        final CommandOutput output =
            CommandOutput.run("write_bw", "-n", "300", "--warmup", "100", "--warmup-limit", "0");
        assertEquals(0, output.exitCode(), output::toString);
        assertTrue(output.out().contains(" warm-up 65536 B: 100 iterations in 1 slice(s)"), output::toString);
    }

    @Test
    void histogramAndPlotFilesAreWritten(@TempDir final Path dir) throws Exception
    {
        final Path hgrm = dir.resolve("lat.hgrm");
        final Path svg = dir.resolve("lat.svg");
        final CommandOutput output = CommandOutput.run("write_lat", "-n", "500", "--warmup", "50",
            "--hgrm", hgrm.toString(), "--plot", svg.toString());
        assertEquals(0, output.exitCode(), output::toString);
        final String distribution = Files.readString(hgrm);
        assertTrue(distribution.contains("Value     Percentile TotalCount 1/(1-Percentile)"), distribution);
        assertTrue(distribution.contains("#[Mean"), distribution);
        final String plot = Files.readString(svg);
        assertTrue(plot.startsWith("<svg") && plot.contains("<polyline") && plot.contains("99.9%"), plot);
    }

    /** Checks the header and that each row has one positive number per column; returns the rows. */
    static List<String> assertTable(final PerfTest test, final CommandOutput output, final int expectedRows)
    {
        final String header = (test.isLatency() ? PerftestReport.LATENCY : PerftestReport.BANDWIDTH).header();
        final int columns = test.isLatency() ? 9 : 5;
        final List<String> rows = output.rowsUnder(header);
        assertEquals(expectedRows, rows.size(), output::toString);
        for (final String row : rows)
        {
            final String[] values = row.trim().split("\\s+");
            assertEquals(columns, values.length, () -> "row '" + row + "'");
            for (final String value : values)
            {
                assertTrue(Double.parseDouble(value) > 0, () -> "non-positive figure in '" + row + "'");
            }
        }
        final List<String> allocation = output.rowsUnder(PerftestReport.ALLOCATION.header());
        assertEquals(expectedRows, allocation.size(), output::toString);
        return rows;
    }
}
