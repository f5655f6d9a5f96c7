package io.softverbs.benchmarks.anchor;

import java.util.List;

import io.softverbs.benchmarks.perf.CommandOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        assertEquals(8, targets.size(), output::toString);
        for (final String row : targets.subList(0, 7))
        {
            assertTrue(row.contains("PASS") || row.contains("MISS"), row);
        }
        assertTrue(targets.get(7).contains("last round only") && targets.get(7).contains("B/op"), targets.get(7));
        for (final String row : targets.subList(0, 6))
        {
            final String ratio = row.replaceAll(".*\\s(\\d+\\.\\d+)x\\s.*", "$1");
            assertTrue(Double.parseDouble(ratio) > 0, row);
        }
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
