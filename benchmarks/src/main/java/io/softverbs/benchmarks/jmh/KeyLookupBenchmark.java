package io.softverbs.benchmarks.jmh;

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
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

/**
 * Memory key lookup. Directly: the engine's {@link KeyTable#lookup} (the MPT walk of a hardware RNIC) for a live
 * rkey and for a stale one (right index, wrong key byte). Through the public API: an 8-byte RDMA WRITE end to
 * end on one thread (the fused post: checks, the peer's rkey and range check, the copy and the completion, all in
 * the post; then the poll), the path a key check sits on.
 */
public class KeyLookupBenchmark extends LoopbackBenchmark
{
    private final SendWorkRequest write = new SendWorkRequest();
    private final WorkCompletion[] completion = newCompletions(1);
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
}
