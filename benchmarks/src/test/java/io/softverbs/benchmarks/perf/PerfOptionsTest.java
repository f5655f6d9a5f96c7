package io.softverbs.benchmarks.perf;

import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line: perftest's defaults, softverbs' additions, and every refusal naming its option. */
class PerfOptionsTest
{
    @Test
    void latencyDefaultsFollowPerftest()
    {
        final PerfSettings s = PerfOptions.parse().toSettings(PerfTest.WRITE_LAT);
        assertArrayEquals(new int[] {2}, s.sizes());
        assertEquals(PerfOptions.LATENCY_INLINE, s.inlineSize());
        assertEquals(PerfSettings.DEFAULT_PORT, s.port());
        assertEquals(ProgressMode.INVOKER, s.progress());
        assertEquals(Deployment.IN_PROCESS, s.deployment());
        assertEquals(2, s.test().reportDivisor());
    }

    @Test
    void bandwidthDefaultsFollowPerftest()
    {
        final PerfSettings s = PerfOptions.parse().toSettings(PerfTest.WRITE_BW);
        assertArrayEquals(new int[] {65536}, s.sizes());
        assertEquals(0, s.inlineSize());
        assertEquals(PerfOptions.BANDWIDTH_CQ_MODERATION, s.cqModeration());
    }

    @Test
    void iterationsScaleWithSizeUnlessGiven()
    {
        final PerfSettings s = PerfOptions.parse().toSettings(PerfTest.WRITE_LAT);
        assertEquals(100_000, s.iterationsFor(32));
        assertEquals(1_000, s.iterationsFor(8 << 20));
        assertEquals(7, PerfOptions.parse("-n", "7").toSettings(PerfTest.WRITE_LAT).iterationsFor(8 << 20));
    }

    @Test
    void atomicsMoveEightBytesAndEventsImplyDedicatedProgress()
    {
        final PerfSettings s = PerfOptions.parse("-s", "4096", "-A", "CMP_AND_SWAP", "-e").toSettings(PerfTest.ATOMIC_BW);
        assertArrayEquals(new int[] {8}, s.sizes());
        assertEquals(Opcode.ATOMIC_CMP_AND_SWP, s.atomic());
        assertEquals(ProgressMode.DEDICATED, s.progress());
    }

    @Test
    void spinningThreadsCountPollersAndDedicatedEngines()
    {
        assertEquals(2, PerfOptions.parse().toSettings(PerfTest.SEND_LAT).spinningThreads());
        assertEquals(4, PerfOptions.parse("--progress", "DEDICATED").toSettings(PerfTest.SEND_LAT).spinningThreads());
        assertEquals(2, PerfOptions.parse("-e").toSettings(PerfTest.SEND_LAT).spinningThreads());
        assertEquals(2, PerfOptions.parse("--progress", "DEDICATED", "server.example").toSettings(PerfTest.SEND_LAT)
            .spinningThreads());
    }

    @Test
    void aHostMakesAClientAndAnotherTransportWithoutOneAServer()
    {
        assertEquals(Deployment.CLIENT, PerfOptions.parse("server.example").toSettings(PerfTest.SEND_LAT).deployment());
        assertEquals(Deployment.SERVER,
            PerfOptions.parse("--transport", "udp://0.0.0.0:4791").toSettings(PerfTest.SEND_LAT).deployment());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "send_lat -q 2|latency tests run one QP",
        "write_lat -e|write_lat polls memory",
        "send_lat -e --progress INVOKER|-e blocks",
        "write_bw -a -s 64|-a and -s exclude each other",
        "write_bw -n 10 -D 1|-n and -D exclude each other",
        "write_bw -Q 200 -t 100|-Q must be in",
        "read_bw -o 17|-o must be in",
        "send_bw --write_with_imm|--write_with_imm applies",
        "read_lat --use-srq|--use-srq needs",
        "write_bw --plot x.svg|--hgrm and --plot apply to latency tests",
        "send_lat --warmup-limit -1|--warmup-limit must not be negative",
        "nosuch_test|Unmatched argument"})
    void badOptionsExitTwoAndSayWhy(final String commandLine, final String message)
    {
        final CommandOutput output = CommandOutput.run(commandLine.split(" "));
        assertEquals(2, output.exitCode(), output::toString);
        assertTrue(output.err().contains(message), output::toString);
    }

    @Test
    void aServerOnAMissingTransportFailsBeforeItListens()
    {
        // No udp provider yet: the device cannot open, and the server says so instead of waiting for a client.
        final CommandOutput output = CommandOutput.run("send_lat", "--transport", "udp://127.0.0.1:0", "-p", "0");
        assertEquals(1, output.exitCode(), output::toString);
        assertTrue(output.err().contains("ENODEV"), output::toString);
    }

    @Test
    void helpListsEveryTest()
    {
        final CommandOutput output = CommandOutput.run("--help");
        assertEquals(0, output.exitCode());
        for (final PerfTest test : PerfTest.values())
        {
            assertTrue(output.out().contains(test.command()), output::toString);
        }
        assertTrue(output.out().contains("anchors") && output.out().contains("jmh"), output::toString);
    }

    @Test
    void theWarmupGoesOnWhileItAllocatesForTenSecondsUnlessTold()
    {
        assertEquals(PerfOptions.DEFAULT_WARMUP_LIMIT_SEC,
            PerfOptions.parse().toSettings(PerfTest.SEND_LAT).warmupLimitSec());
        assertEquals(10, PerfOptions.DEFAULT_WARMUP_LIMIT_SEC);
        assertEquals(0, PerfOptions.parse("--warmup-limit", "0").toSettings(PerfTest.SEND_LAT).warmupLimitSec());
    }

    @Test
    void aPostListSetsTheCqModerationAsInPerftest()
    {
        final PerfSettings s = PerfOptions.parse("-l", "32", "-Q", "4").toSettings(PerfTest.SEND_BW);
        assertEquals(32, s.postList());
        assertEquals(32, s.cqModeration());
        assertEquals(1, PerfOptions.parse().toSettings(PerfTest.SEND_BW).postList());
        assertThrows(IllegalArgumentException.class, () -> PerfOptions.parse("-l", "2").toSettings(PerfTest.SEND_LAT));
        assertThrows(IllegalArgumentException.class,
            () -> PerfOptions.parse("-l", "64", "-t", "32").toSettings(PerfTest.SEND_BW));
        assertThrows(IllegalArgumentException.class, () -> PerfOptions.parse("-l", "0").toSettings(PerfTest.SEND_BW));
    }

    @Test
    void zeroQpsAreRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> PerfOptions.parse("-q", "0").toSettings(PerfTest.SEND_BW));
    }
}
