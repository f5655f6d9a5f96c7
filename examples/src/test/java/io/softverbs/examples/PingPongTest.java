package io.softverbs.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.softverbs.examples.PingPong.Options;
import io.softverbs.examples.PingPong.Result;

class PingPongTest
{
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void runsEverySizeWithTinyCounts()
    {
        final List<Result> results = PingPong.run(System.out, "--iterations", "1000", "--warmup", "100");

        assertEquals(4, results.size(), "one result line per default size");
        final int[] expectedSizes = {32, 256, 4096, 65536};
        for (int i = 0; i < results.size(); i++)
        {
            final Result r = results.get(i);
            assertEquals(expectedSizes[i], r.size());
            assertEquals(1000, r.iterations());
            assertTrue(r.p50Nanos() > 0, () -> "p50 must be positive: " + r);
            assertTrue(r.p50Nanos() <= r.p99Nanos(), () -> "p50 <= p99: " + r);
            assertTrue(r.p99Nanos() <= r.p999Nanos(), () -> "p99 <= p99.9: " + r);
            assertTrue(r.p999Nanos() <= r.maxNanos(), () -> "p99.9 <= max: " + r);
            assertTrue(r.line().trim().startsWith(Integer.toString(expectedSizes[i])), r::line);
        }
    }

    @Test
    void parsesArguments()
    {
        final Options defaults = PingPong.parse();
        assertArrayEquals(new int[]{32, 256, 4096, 65536}, defaults.sizes());
        assertEquals(200_000, defaults.iterationsFor(32));
        assertEquals(50_000, defaults.iterationsFor(65536));
        assertEquals(50_000, defaults.warmupFor(4096));

        final Options o = PingPong.parse("--iterations", "1000", "--warmup=100", "--sizes", "32,4096");
        assertArrayEquals(new int[]{32, 4096}, o.sizes());
        assertEquals(1000, o.iterationsFor(32));
        assertEquals(1000, o.iterationsFor(65536));
        assertEquals(100, o.warmupFor(4096));

        assertThrows(IllegalArgumentException.class, () -> PingPong.parse("--iterations"));
        assertThrows(IllegalArgumentException.class, () -> PingPong.parse("--iterations", "0"));
        assertThrows(IllegalArgumentException.class, () -> PingPong.parse("--sizes", "32,x"));
        assertThrows(IllegalArgumentException.class, () -> PingPong.parse("--bogus", "1"));
    }

    @Test
    void percentilesUseNearestRank()
    {
        final long[] sorted = new long[1000];
        for (int i = 0; i < sorted.length; i++)
        {
            sorted[i] = i + 1;
        }
        assertEquals(500, PingPong.percentile(sorted, 1000, 0.50));
        assertEquals(990, PingPong.percentile(sorted, 1000, 0.99));
        assertEquals(999, PingPong.percentile(sorted, 1000, 0.999));
        assertEquals(7, PingPong.percentile(new long[]{7}, 1, 0.999));
    }
}
