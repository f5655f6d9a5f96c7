package io.softverbs.benchmarks.perf.report;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import io.softverbs.benchmarks.perf.LatencyResult;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-written SVG: well-formed, one curve per size, a nines axis, a y axis in microseconds. */
class PercentilePlotTest
{
    @Test
    void drawsOneCurvePerSizeOnANinesAxis() throws Exception
    {
        final String svg = PercentilePlot.render("a <title> & more", List.of(result(32, 1_000), result(4096, 5_000)));
        final Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getTagName());
        assertEquals(2, doc.getElementsByTagName("polyline").getLength());
        // 100000 samples: the axis runs to 99.999%, the last percentile they can resolve.
        for (final String label : new String[] {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "0.1", "1", "10",
            "latency [us, log scale]"})
        {
            assertTrue(svg.contains(">" + label + "<"), label);
        }
        assertTrue(svg.contains("32 B: median 0.50 us"), svg); // 1000 ns round trip, half reported
    }

    @Test
    void axesAreLabelledByNinesAndDecades()
    {
        assertEquals("0.01", PercentilePlot.decadeLabel(-2));
        assertEquals("1", PercentilePlot.decadeLabel(0));
        assertEquals("1000", PercentilePlot.decadeLabel(3));
        assertEquals("99%", PercentilePlot.ninesLabel(2));
        assertEquals("99.99%", PercentilePlot.ninesLabel(4));
    }

    private static LatencyResult result(final int size, final long nanos)
    {
        final Histogram histogram = new Histogram(3_600_000_000_000L, 3);
        histogram.recordValueWithCount(nanos, 99_990);
        histogram.recordValueWithCount(nanos * 10, 10);
        return new LatencyResult(size, histogram.getTotalCount(), histogram, 2, 0, 0);
    }
}
