package io.softverbs.benchmarks.jmh;

import java.util.concurrent.TimeUnit;

import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WorkCompletion;
import io.softverbs.benchmarks.perf.PerfException;
import io.softverbs.offheap.SoftContext;
import io.softverbs.offheap.resource.KeyTable;
import io.softverbs.offheap.resource.SoftMr;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Memory key lookup. Directly: the engine's {@link KeyTable#lookup} (the MPT walk of a hardware RNIC) for a live
 * rkey and for a stale one (right index, wrong key byte). Through the public API: an 8-byte RDMA WRITE end to
 * end on one thread (post, requester, responder with its rkey and range check, completer, poll), the path a key
 * check sits on.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class KeyLookupBenchmark
{
    private final SendWorkRequest write = new SendWorkRequest();
    private final WorkCompletion[] completion = PostSendBenchmark.newCompletions(1);
    private Loopback loopback;
    private KeyTable keys;
    private int liveKey;
    private int staleKey;

    /** Opens the fixture; B's region is the target whose rkey is looked up. */
    @Setup(Level.Trial)
    public void open()
    {
        loopback = new Loopback(ProgressMode.INVOKER, 64, 64, false);
        keys = ((SoftContext)loopback.b).keys();
        liveKey = loopback.regionB.rkey();
        final int keyByte = liveKey & 0xFF;
        staleKey = (liveKey & ~0xFF) | (keyByte % 255 + 1); // same index, another (never zero) key byte
        write.opcode(Opcode.RDMA_WRITE).flags(SendFlags.SIGNALED).sge(loopback.regionA, 0, 8)
            .remote(loopback.regionB.address(), liveKey);
    }

    /** @return the region (found). */
    @Benchmark
    public SoftMr keyTableHit()
    {
        return keys.lookup(liveKey);
    }

    /** @return null (a stale key misses). */
    @Benchmark
    public SoftMr keyTableMiss()
    {
        return keys.lookup(staleKey);
    }

    /** @return the completion's byte count (8). */
    @Benchmark
    public int rdmaWrite8EndToEnd()
    {
        if (loopback.qpA.postSend(write) != 0)
        {
            throw new PerfException("postSend refused");
        }
        while (loopback.sendCqA.poll(completion) == 0) // an empty poll runs A's engine
        {
            loopback.b.progress();
        }
        return completion[0].byteLen();
    }

    /** Closes the fixture. */
    @TearDown(Level.Trial)
    public void close()
    {
        loopback.close();
    }
}
