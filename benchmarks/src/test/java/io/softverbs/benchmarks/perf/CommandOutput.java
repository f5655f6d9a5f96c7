package io.softverbs.benchmarks.perf;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Runs softverbs-perf in this JVM and keeps what it printed, for the smoke tests. */
public record CommandOutput(int exitCode, String out, String err)
{
    /** @param args the command line. @return its exit code and output. */
    public static CommandOutput run(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8))
        {
            code = SoftverbsPerf.execute(o, e, args);
        }
        return new CommandOutput(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** @return the printed lines. */
    public List<String> lines()
    {
        return Arrays.asList(out.split("\\R"));
    }

    /**
     * @param header a table header line.
     * @return the rows printed under it, up to the next separator.
     */
    public List<String> rowsUnder(final String header)
    {
        final List<String> lines = lines();
        final int at = lines.indexOf(header);
        if (at < 0)
        {
            throw new AssertionError("no table with header '" + header + "' in:\n" + out + err);
        }
        int end = at + 1;
        while (end < lines.size() && !lines.get(end).startsWith("---"))
        {
            end++;
        }
        return lines.subList(at + 1, end);
    }

    @Override
    public String toString()
    {
        return "exit " + exitCode + "\n" + out + err;
    }
}
