package io.softverbs.benchmarks.jmh;

import io.softverbs.WorkCompletion;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the single-thread {@link Loopback} benchmarks share: the fixture their trial setup opens, and its closing.
 */
@State(Scope.Thread)
public abstract class LoopbackBenchmark extends JmhSettings
{
    /** The fixture, opened by the subclass's {@code @Setup(Level.Trial)} method. */
    Loopback loopback;

    /** Closes the fixture. */
    @TearDown(Level.Trial)
    public void close()
    {
        loopback.close();
    }

    /** @return {@code count} fresh completions, for polls to copy into. */
    static WorkCompletion[] newCompletions(final int count)
    {
        final WorkCompletion[] completions = new WorkCompletion[count];
        for (int i = 0; i < count; i++)
        {
            completions[i] = new WorkCompletion();
        }
        return completions;
    }
}
