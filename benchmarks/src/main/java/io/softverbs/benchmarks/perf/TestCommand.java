package io.softverbs.benchmarks.perf;

import java.io.PrintStream;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** One perftest test as a subcommand: {@code softverbs-perf write_lat [options] [HOST]}. */
@Command(mixinStandardHelpOptions = true, versionProvider = SoftverbsPerf.VersionProvider.class, sortOptions = false)
final class TestCommand implements Callable<Integer>
{
    private final PerfTest test;
    private final PrintStream out;

    @Mixin
    PerfOptions options;

    @Spec
    CommandSpec spec;

    TestCommand(final PerfTest test, final PrintStream out)
    {
        this.test = test;
        this.out = out;
    }

    @Override
    public Integer call() throws Exception
    {
        final PerfSettings settings;
        try
        {
            settings = options.toSettings(test);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
        PerfRunner.run(settings, out);
        return 0;
    }
}
