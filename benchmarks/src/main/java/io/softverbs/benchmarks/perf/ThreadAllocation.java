package io.softverbs.benchmarks.perf;

import java.lang.management.ManagementFactory;

/**
 * Bytes the current thread has allocated, from {@code com.sun.management.ThreadMXBean}: the measured loops'
 * "zero garbage" evidence. Read before and after a loop, never inside it.
 */
public final class ThreadAllocation
{
    private static final com.sun.management.ThreadMXBean THREADS = bean();

    private ThreadAllocation()
    {
    }

    /** @return bytes allocated by the calling thread so far, or -1 if this JVM cannot tell. */
    public static long current()
    {
        return THREADS == null ? -1 : THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * @param before a value of {@link #current()} taken earlier on this thread.
     * @return bytes allocated since, or -1 if unknown.
     */
    public static long since(final long before)
    {
        final long now = current();
        return before < 0 || now < 0 ? -1 : now - before;
    }

    private static com.sun.management.ThreadMXBean bean()
    {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean sun &&
            sun.isThreadAllocatedMemorySupported())
        {
            sun.setThreadAllocatedMemoryEnabled(true);
            return sun;
        }
        return null;
    }
}
