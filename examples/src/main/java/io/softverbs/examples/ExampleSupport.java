package io.softverbs.examples;

import java.lang.management.ManagementFactory;
import java.util.List;

/** What the example programs share: command-line option reading, joining a worker thread, allocation measurement. */
final class ExampleSupport
{
    private static final com.sun.management.ThreadMXBean THREADS = threadBean();

    private ExampleSupport()
    {
    }

    /**
     * Reads a command line of {@code --name value} and {@code --name=value} options, refusing names not in the known
     * list: call {@link #next()} until it returns false, reading {@link #name()} and {@link #value()} after each.
     */
    static final class ArgReader
    {
        private final String[] args;
        private final List<String> known;
        private int next;
        private String name;
        private String value;

        /**
         * @param args  the command line.
         * @param known the option names accepted, with their leading {@code --}.
         */
        ArgReader(final String[] args, final String... known)
        {
            this.args = args;
            this.known = List.of(known);
        }

        /**
         * @return true if one more option was read, false at the end of the command line.
         * @throws IllegalArgumentException on an unknown name or a missing value.
         */
        boolean next()
        {
            if (next >= args.length)
            {
                return false;
            }
            final String arg = args[next++];
            name = arg;
            value = null;
            final int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0)
            {
                value = arg.substring(eq + 1);
                name = arg.substring(0, eq);
            }
            if (!known.contains(name))
            {
                throw new IllegalArgumentException("unknown argument: " + arg);
            }
            if (value == null)
            {
                if (next >= args.length)
                {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                value = args[next++];
            }
            return true;
        }

        /** @return the name of the option last read, with its leading {@code --}. */
        String name()
        {
            return name;
        }

        /** @return the value of the option last read. */
        String value()
        {
            return value;
        }
    }

    /** Waits at most {@code millis} for {@code thread} to end; an interrupt ends the wait and is kept. */
    static void join(final Thread thread, final long millis)
    {
        try
        {
            thread.join(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** @return bytes the current thread has allocated so far, or -1 if not measurable on this JVM. */
    static long allocatedBytes()
    {
        return THREADS == null ? -1 : THREADS.getCurrentThreadAllocatedBytes();
    }

    private static com.sun.management.ThreadMXBean threadBean()
    {
        try
        {
            final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
            if (bean instanceof com.sun.management.ThreadMXBean)
            {
                final com.sun.management.ThreadMXBean sun = (com.sun.management.ThreadMXBean)bean;
                if (sun.isThreadAllocatedMemorySupported())
                {
                    sun.setThreadAllocatedMemoryEnabled(true);
                    return sun;
                }
            }
        }
        catch (final RuntimeException | LinkageError ex)
        {
            // not measurable here
        }
        return null;
    }
}
