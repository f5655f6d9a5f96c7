package io.softverbs.benchmarks.jmh;

import java.util.concurrent.TimeUnit;

import io.softverbs.WorkCompletion;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the single-thread {@link Loopback} benchmarks share: their JMH settings (average time in nanoseconds, 3 warm-up
 * and 5 measured iterations of a second, one fork), the fixture their trial setup opens, and its closing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public abstract class LoopbackBenchmark
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
