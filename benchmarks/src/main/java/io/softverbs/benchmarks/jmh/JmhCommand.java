package io.softverbs.benchmarks.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.openjdk.jmh.Main;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code softverbs-perf jmh [JMH options]}: hands everything after {@code jmh} to JMH's own command line, so
 * {@code -prof gc}, {@code -f}, {@code -wi}, a benchmark regex, {@code -l} and {@code -h} work as in any JMH jar.
 */
@Command(name = "jmh", description = {"Runs the JMH microbenchmarks of the hot paths; every argument is JMH's,",
    "e.g. 'jmh -prof gc', 'jmh -l', 'jmh PostSend -f 1'. 'jmh -h' prints JMH's help."})
public final class JmhCommand implements Callable<Integer>
{
    @Unmatched
    List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() throws Exception
    {
        Main.main(arguments.toArray(new String[0]));
        return 0;
    }
}
