package io.softverbs.benchmarks.jmh;

import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WorkCompletion;
import io.softverbs.benchmarks.perf.PerfException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

/**
 * Remote atomics end to end on one thread ({@code IBV_WR_ATOMIC_FETCH_AND_ADD}, {@code IBV_WR_ATOMIC_CMP_AND_SWP}
 * on 8 bytes of the peer's region): the post executing it against the peer (the fused post: rkey, range,
 * alignment and right checks, one CPU atomic, the original value into the local sink, the completion), then the
 * poll. What perftest's atomic_lat measures, without a second thread.
 */
public class AtomicBenchmark extends LoopbackBenchmark
{
    /** Where A's atomics land in B's region; the original value comes back at the same offset of A's. */
    static final int OFFSET = 64;

    private final SendWorkRequest fetchAdd = new SendWorkRequest();
    private final SendWorkRequest compareSwap = new SendWorkRequest();
    private final WorkCompletion[] completion = newCompletions(1);
    private long expected;

    /** Opens the fixture; B's region holds the counter, A's the sink for the value fetched. */
    @Setup(Level.Trial)
    public void open()
    {
        loopback = new Loopback(ProgressMode.INVOKER, 64, 64, false);
        final long target = loopback.regionB.address() + OFFSET;
        fetchAdd.opcode(Opcode.ATOMIC_FETCH_AND_ADD).flags(SendFlags.SIGNALED).sge(loopback.regionA, OFFSET, 8)
            .remote(target, loopback.regionB.rkey()).compareAdd(1);
        compareSwap.opcode(Opcode.ATOMIC_CMP_AND_SWP).flags(SendFlags.SIGNALED).sge(loopback.regionA, OFFSET, 8)
            .remote(target, loopback.regionB.rkey());
    }

    /** @return the counter's value before this add. */
    @Benchmark
    public long fetchAdd8EndToEnd()
    {
        execute(fetchAdd);
        return fetched();
    }

    /** @return the value found: the one expected (then swapped for the next) after the first call. */
    @Benchmark
    public long compareSwap8EndToEnd()
    {
        execute(compareSwap.compareAdd(expected).swap(expected + 1));
        final long found = fetched();
        expected = found == expected ? found + 1 : found; // a miss (only the first call) tells what to expect
        return found;
    }

    private void execute(final SendWorkRequest atomic)
    {
        if (loopback.qpA.postSend(atomic) != 0)
        {
            throw new PerfException("postSend refused");
        }
        while (loopback.sendCqA.poll(completion) == 0) // an empty poll runs A's engine
        {
            loopback.b.progress();
        }
    }

    /** @return the original value the last atomic brought back into A's region. */
    long fetched()
    {
        return loopback.regionA.buffer().getLongVolatile(OFFSET);
    }

    /** @return the counter in B's region. */
    long counter()
    {
        return loopback.regionB.buffer().getLongVolatile(OFFSET);
    }
}
