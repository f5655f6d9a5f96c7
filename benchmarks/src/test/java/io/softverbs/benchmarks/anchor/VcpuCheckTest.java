package io.softverbs.benchmarks.anchor;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The vCPU check: two timings of one loop, their skew, and the lines the anchors report prints from them. */
@Timeout(60)
class VcpuCheckTest
{
    @Test
    void measuresTheSameLoopOnTwoThreads()
    {
        final VcpuCheck.Result result = new VcpuCheck().measure();
        assertTrue(result.fasterNanos() > 0, result::toString);
        assertTrue(result.slowerNanos() >= result.fasterNanos(), result::toString);
        assertTrue(result.skew() >= 1.0, result::toString);
    }

    @Test
    void aRoundIsMarkedWhenOneThreadTookAQuarterLongerOrMore()
    {
        assertEquals(1.5, new VcpuCheck.Result(10_000_000, 15_000_000).skew(), 1e-12);
        assertTrue(new VcpuCheck.Result(10_000_000, 12_500_000).skewed());
        assertFalse(new VcpuCheck.Result(10_000_000, 12_400_000).skewed());
    }

    @Test
    void theLoopDependsOnItsSeedAndLength()
    {
        assertNotEquals(VcpuCheck.steps(1, 1000), VcpuCheck.steps(2, 1000));
        assertNotEquals(VcpuCheck.steps(1, 1000), VcpuCheck.steps(1, 1001));
    }

    @Test
    void theReportNamesTheSkewedRounds()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final AnchorReport report = new AnchorReport(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        final VcpuCheck.Result even = new VcpuCheck.Result(8_700_000, 8_800_000);
        final VcpuCheck.Result slow = new VcpuCheck.Result(8_700_000, 14_800_000);
        report.vcpuCheck(slow);
        report.vcpuSummary(List.of(even, slow, even, slow));
        final String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("8.7 / 14.8 ms: 1.70x  (one vCPU slow in this round)"), out);
        assertTrue(out.contains("in 2 of 4 round(s) (round 2, 4)"), out);
    }
}
