package io.softverbs.benchmarks.perf.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** One line saying what ran the figures: CPUs, CPU model (from /proc/cpuinfo where there is one), JVM. */
public final class Machine
{
    private Machine()
    {
    }

    /** @return e.g. {@code 2 CPUs (AMD EPYC), OpenJDK 64-Bit Server VM 17.0.15+6}. */
    public static String describe()
    {
        return Runtime.getRuntime().availableProcessors() + " CPUs (" + cpuModel() + "), " +
            System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    }

    private static String cpuModel()
    {
        try
        {
            final List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (final String line : lines)
            {
                if (line.startsWith("model name"))
                {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // not Linux, or not readable: the model is only a label
        }
        return System.getProperty("os.arch");
    }
}
