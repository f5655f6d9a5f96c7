package io.softverbs.benchmarks.anchor;

import java.io.PrintStream;
import java.util.concurrent.Callable;

import io.softverbs.benchmarks.perf.SoftverbsPerf;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code softverbs-perf anchors}: softverbs beside Agrona, JCTools, Aeron and memcpy, with the target table. */
@Command(name = "anchors", mixinStandardHelpOptions = true, versionProvider = SoftverbsPerf.VersionProvider.class,
    sortOptions = false, description = {
        "Measures what a user would pick instead of softverbs, in this JVM and run, and softverbs beside it:",
        "Agrona ring and JCTools queue ping-pong, Aeron IPC ping-pong, Agrona single-producer message rate,",
        "one-core copy bandwidth; then the target table (ratio, PASS/MISS)."})
public final class AnchorsCommand implements Callable<Integer>
{
    private final PrintStream out;

    @Spec
    CommandSpec spec;

    @Option(names = "--rounds", defaultValue = "3", description = "A/B rounds; figures are medians over them (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = {"-n", "--iters"}, defaultValue = "200000", description = "Round trips per latency figure (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--warmup", defaultValue = "-1", description = "Warm-up round trips per latency figure (default: a fifth of -n, at most 50000).")
    int warmup;

    @Option(names = "--messages", defaultValue = "5000000", description = "Messages per message-rate figure (default ${DEFAULT-VALUE}).")
    long messages;

    @Option(names = "--copy-mib", defaultValue = "4096", description = "MiB moved per bandwidth figure (default ${DEFAULT-VALUE}).")
    long copyMegabytes;

    @Option(names = "--no-aeron", description = "Leave out the Aeron IPC anchor.")
    boolean noAeron;

    /** @param out where the report goes. */
    public AnchorsCommand(final PrintStream out)
    {
        this.out = out;
    }

    @Override
    public Integer call()
    {
        if (rounds < 1 || iterations < 1 || messages < 1 || copyMegabytes < 1)
        {
            throw new ParameterException(spec.commandLine(), "--rounds, -n, --messages and --copy-mib must be positive");
        }
        final int warm = warmup >= 0 ? warmup : Math.min(iterations / 5, 50_000);
        final AnchorSettings settings = new AnchorSettings(rounds, iterations, warm, messages, copyMegabytes, !noAeron);
        final AnchorReport report = new AnchorReport(out);
        report.start(settings);
        new AnchorSuite(settings, report).run();
        return 0;
    }
}
