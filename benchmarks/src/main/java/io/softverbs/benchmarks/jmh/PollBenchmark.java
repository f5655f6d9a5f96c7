package io.softverbs.benchmarks.jmh;

import io.softverbs.CompletionHandler;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.SendWorkRequest;
import io.softverbs.WorkCompletion;
import io.softverbs.benchmarks.perf.PerfException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@code CompletionQueue.poll} of an empty CQ and of a full one. Empty: in DEDICATED mode the poll reads one
 * cache line (the next slot's phase) and writes nothing; in INVOKER mode an empty poll also runs one idle engine
 * cycle, which is the figure that matters for a busy-polling INVOKER thread. Full: {@value #FULL} completions,
 * produced by the per-invocation setup (not measured), taken {@value #BATCH} per call, copied into
 * {@link WorkCompletion}s or seen in place by a handler; the figure is per completion.
 */
public class PollBenchmark extends JmhSettings
{
    /** Completions in a full CQ: its capacity. */
    public static final int FULL = 1024;
    /** Completions taken per poll call. */
    public static final int BATCH = 16;

    /** An empty CQ of a context in the given progress mode. */
    @State(Scope.Thread)
    public static class EmptyCq
    {
        @Param({"INVOKER", "DEDICATED"})
        ProgressMode mode;
        Loopback loopback;
        final WorkCompletion[] completions = LoopbackBenchmark.newCompletions(BATCH);

        /** Opens the fixture. */
        @Setup(Level.Trial)
        public void open()
        {
            loopback = new Loopback(mode, 64, 64, false);
        }

        /** Closes the fixture. */
        @TearDown(Level.Trial)
        public void close()
        {
            loopback.close();
        }
    }

    /** A CQ refilled to capacity before every invocation. */
    @State(Scope.Thread)
    public static class FullCq implements CompletionHandler
    {
        Loopback loopback;
        final WorkCompletion[] completions = LoopbackBenchmark.newCompletions(BATCH);
        final SendWorkRequest write = new SendWorkRequest();
        long taken;
        long wrIds;

        /** Opens the fixture: every send signaled, a CQ of exactly {@value #FULL} entries. */
        @Setup(Level.Trial)
        public void open()
        {
            loopback = new Loopback(ProgressMode.INVOKER, FULL, FULL, true);
            write.opcode(Opcode.RDMA_WRITE).sge(loopback.regionA, 0, 8)
                .remote(loopback.regionB.address(), loopback.regionB.rkey());
        }

        /** Fills the CQ: {@value #FULL} 8-byte writes, both engines run until idle. Not measured. */
        @Setup(Level.Invocation)
        public void fill()
        {
            for (int i = 0; i < FULL; i++)
            {
                if (loopback.qpA.postSend(write.wrId(i)) != 0)
                {
                    throw new PerfException("postSend refused while filling the CQ");
                }
            }
            loopback.quiesce();
        }

        @Override
        public void onCompletion(final WorkCompletion wc)
        {
            wrIds += wc.wrId();
        }

        /** Fails the run if an invocation did not find the CQ full: the figure would be wrong. */
        @TearDown(Level.Iteration)
        public void check()
        {
            if (taken % FULL != 0)
            {
                throw new PerfException("a full-CQ invocation took " + taken % FULL + " completions too few or many");
            }
        }

        /** Closes the fixture. */
        @TearDown(Level.Trial)
        public void close()
        {
            loopback.close();
        }
    }

    /** @param state the empty CQ. @return completions found (0). */
    @Benchmark
    public int emptyCq(final EmptyCq state)
    {
        return state.loopback.sendCqA.poll(state.completions);
    }

    /** @param state the full CQ. @return completions taken. */
    @Benchmark
    @OperationsPerInvocation(FULL)
    public int fullCqIntoArray(final FullCq state)
    {
        int n = 0;
        for (int i = 0; i < FULL / BATCH; i++)
        {
            n += state.loopback.sendCqA.poll(state.completions);
        }
        state.taken += n;
        return n;
    }

    /** @param state the full CQ. @return completions seen in place. */
    @Benchmark
    @OperationsPerInvocation(FULL)
    public int fullCqHandler(final FullCq state)
    {
        int n = 0;
        for (int i = 0; i < FULL / BATCH; i++)
        {
            n += state.loopback.sendCqA.poll(state, BATCH);
        }
        state.taken += n;
        return n;
    }
}
