package io.softverbs.benchmarks.anchor;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.softverbs.benchmarks.perf.CommandOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The anchors run end to end with tiny counts, Aeron included: every anchor measured, every target judged. */
@Timeout(120)
class AnchorsSmokeTest
{
    @Test
    void printsEveryAnchorAndTheTargetTable()
    {
        final CommandOutput output = CommandOutput.run("anchors", "--rounds", "1", "-n", "200", "--warmup", "50",
            "--messages", "2000", "--copy-mib", "2");
        assertEquals(0, output.exitCode(), output::toString);
        for (final String anchor : new String[] {"Agrona OneToOneRingBuffer ping-pong", "JCTools SpscArrayQueue",
            "Aeron IPC ping-pong", "ThreadingMode.SHARED", "single-producer rate", "one-core copy", "vCPU check:"})
        {
            assertTrue(output.out().contains(anchor), anchor);
        }
        final List<String> targets = output.rowsUnder(AnchorReport.TARGET_HEADER);
        // With counts this small the JIT may still allocate in a measured run; the table must then say which.
        final boolean allocated = targets.get(6).contains("MISS");
        assertEquals(allocated ? 9 : 8, targets.size(), output::toString);
        for (final String row : targets.subList(0, 7))
        {
            assertTrue(row.contains("PASS") || row.contains("MISS"), row);
        }
        assertTrue(targets.get(7).contains("last round only") && targets.get(7).contains("B/op"), targets.get(7));
        if (allocated)
        {
            assertTrue(targets.get(8).contains("most per operation") && targets.get(8).contains(", round 1: client "),
                targets.get(8));
        }
        for (final String row : targets.subList(0, 6))
        {
            final String ratio = row.replaceAll(".*\\s(\\d+\\.\\d+)x\\s.*", "$1");
            assertTrue(Double.parseDouble(ratio) > 0, row);
        }
    }

    @Test
    void aZeroGarbageMissNamesTheRunThatAllocated()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final AnchorReport report = new AnchorReport(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        report.targets(List.of(), 0.007, 0, "send_lat -s 32, round 1: client 1400 B, server 0 B over 200000 operations");
        final String missed = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(missed.contains("0.007 B/op") && missed.contains("MISS"), missed);
        assertTrue(missed.contains("most per operation: send_lat -s 32, round 1: client 1400 B"), missed);

        bytes.reset();
        report.targets(List.of(), 0, 0, "");
        final String passed = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(passed.contains("0.000 B/op") && passed.contains("PASS"), passed);
        assertFalse(passed.contains("most per operation"), passed);
    }

    @Test
    void medianOfAnEvenCountIsTheMiddlePairsMean()
    {
        assertEquals(2.5, Medians.of(List.of(4.0, 1.0, 3.0, 2.0)), 1e-12);
        assertEquals(3.0, Medians.of(List.of(5.0, 3.0, 1.0)), 1e-12);
    }

    @Test
    void aMissSaysByHowMuch()
    {
        final Comparison latency = new Comparison("rtt", "us", Comparison.Goal.AT_MOST, 1.5);
        latency.add(3.0, 1.0);
        assertEquals("MISS by 100%", latency.verdict());
        final Comparison rate = new Comparison("rate", "Mmsg/s", Comparison.Goal.AT_LEAST, 0.5);
        rate.add(1.0, 4.0);
        assertEquals("MISS by 50%", rate.verdict());
        rate.add(3.0, 4.0);
        rate.add(4.0, 4.0);
        assertEquals("PASS", rate.verdict());
    }
}
