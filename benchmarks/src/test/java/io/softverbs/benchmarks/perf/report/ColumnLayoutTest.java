package io.softverbs.benchmarks.perf.report;

import io.softverbs.benchmarks.perf.LatencyStats;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Rows line up under perftest's headers, and the latency columns mean what perftest's mean. */
class ColumnLayoutTest
{
    @Test
    void valuesEndWhereTheirColumnNamesEnd()
    {
        final String header = PerftestReport.BANDWIDTH.header();
        final String row = PerftestReport.BANDWIDTH.row("64", "1000", "1.00", "2.00", "0.500000");
        assertEquals(header.indexOf("#bytes") + "#bytes".length(), row.indexOf("64") + 2);
        assertEquals(header.indexOf("MsgRate[Mpps]") + "MsgRate[Mpps]".length(), row.length());
    }

    @Test
    void typicalIsTheMedianAndHalvesForPingPongs()
    {
        final Histogram rtt = new Histogram(1_000_000_000L, 3);
        for (int i = 1; i <= 1001; i++)
        {
            rtt.recordValue(i * 1_000L); // 1 us .. 1001 us
        }
        final LatencyStats whole = LatencyStats.of(rtt, 1);
        final LatencyStats half = LatencyStats.of(rtt, 2);
        assertEquals(501, whole.typical(), 0.5);
        assertEquals(250.5, half.typical(), 0.25);
        assertEquals(1, whole.min(), 0.001);
        assertEquals(0.5, half.min(), 0.001);
        assertEquals(991, whole.p99(), 1);
    }
}
