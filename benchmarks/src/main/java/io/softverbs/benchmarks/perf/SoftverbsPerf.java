package io.softverbs.benchmarks.perf;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import io.softverbs.VerbsException;
import io.softverbs.benchmarks.anchor.AnchorsCommand;
import io.softverbs.benchmarks.jmh.JmhCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code softverbs-perf}: perftest for softverbs. The eight perftest tests as subcommands ({@code send_lat},
 * {@code write_bw}, ...), {@code anchors} (softverbs beside Agrona, JCTools, Aeron and memcpy, measured in the
 * same run), and {@code jmh} (the JMH microbenchmarks). Exit status: 0 success, 1 failed run, 2 bad arguments.
 */
@Command(name = "softverbs-perf", mixinStandardHelpOptions = true, versionProvider = SoftverbsPerf.VersionProvider.class,
    description = {"perftest for softverbs: RDMA verbs in software, measured the way RDMA users measure NICs.",
        "Default: both sides in this JVM on the mem transport, one thread each, INVOKER progress."})
public final class SoftverbsPerf implements Runnable
{
    @Spec
    CommandSpec spec;

    /** Reports the jar's Implementation-Version. */
    public static final class VersionProvider implements IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String version = SoftverbsPerf.class.getPackage().getImplementationVersion();
            return new String[] {"softverbs-perf " + (version != null ? version : "(development build)")};
        }
    }

    @Override
    public void run()
    {
        throw new ParameterException(spec.commandLine(), "name a test (send_lat, write_lat, read_lat, atomic_lat, " +
            "send_bw, write_bw, read_bw, atomic_bw), anchors or jmh");
    }

    /**
     * @param out  where reports and help go.
     * @param err  where errors go.
     * @param args the command line.
     * @return the exit status.
     */
    public static int execute(final PrintStream out, final PrintStream err, final String... args)
    {
        final CommandLine cli = new CommandLine(new SoftverbsPerf());
        for (final PerfTest test : PerfTest.values())
        {
            final CommandLine sub = new CommandLine(new TestCommand(test, out));
            sub.getCommandSpec().usageMessage().description(test.title() + " (perftest's ib_" + test.command() + ")");
            cli.addSubcommand(test.command(), sub);
        }
        cli.addSubcommand("anchors", new AnchorsCommand(out));
        cli.addSubcommand("jmh", new JmhCommand());
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) ->
        {
            commandLine.getErr().println("softverbs-perf " + commandLine.getCommandName() + " FAILED: " + ex);
            // A failed run or a refused verbs call says all in its message; anything else is a bug: show where.
            if (!(ex instanceof PerfException || ex instanceof VerbsException || ex instanceof IOException))
            {
                ex.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }

    /** @param args the command line; see {@code --help}. */
    public static void main(final String[] args)
    {
        System.exit(execute(System.out, System.err, args));
    }
}
