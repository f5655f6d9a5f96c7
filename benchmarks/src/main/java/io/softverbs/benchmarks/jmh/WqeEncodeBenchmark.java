package io.softverbs.benchmarks.jmh;

import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WorkCompletion;
import io.softverbs.benchmarks.perf.PerfException;
import io.softverbs.offheap.transport.mem.MemTransport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * WQE encode: {@code postSend} alone, with no engine running, so the figure is validating the request, writing
 * the WQE blocks into the send ring and ringing the doorbell. Bounded by batching: each invocation posts
 * {@value #BATCH} requests into an empty queue of that depth, and the per-invocation setup (not measured) runs
 * both engines until the queue is empty again. The timer's own cost is spread over the batch. The mem transport's
 * direct path is off here: with it, an INVOKER post of a WRITE to an idle QP executes the WRITE itself (the
 * fused post, measured end to end by {@link KeyLookupBenchmark#rdmaWrite8EndToEnd}) and writes no WQE.
 */
public class WqeEncodeBenchmark extends LoopbackBenchmark
{
    /** Requests per invocation: the queue depth. */
    public static final int BATCH = 1024;

    private final SendWorkRequest inlineSend = new SendWorkRequest();
    private final SendWorkRequest write = new SendWorkRequest();
    private final RecvWorkRequest recv = new RecvWorkRequest();
    private final WorkCompletion[] completions = newCompletions(64);
    private long failures;

    /** Opens the fixture: unsignaled requests, so no completions pile up. */
    @Setup(Level.Trial)
    public void open()
    {
        final String direct = System.getProperty(MemTransport.DIRECT_PROPERTY);
        System.setProperty(MemTransport.DIRECT_PROPERTY, "false"); // read when the devices open
        try
        {
            loopback = new Loopback(ProgressMode.INVOKER, BATCH, 2 * BATCH, false);
        }
        finally
        {
            if (direct == null)
            {
                System.clearProperty(MemTransport.DIRECT_PROPERTY);
            }
            else
            {
                System.setProperty(MemTransport.DIRECT_PROPERTY, direct);
            }
        }
        inlineSend.opcode(Opcode.SEND).flags(SendFlags.INLINE).sge(loopback.regionA, 0, 64);
        write.opcode(Opcode.RDMA_WRITE).sge(loopback.regionA, 0, 8).remote(loopback.regionB.address(),
            loopback.regionB.rkey());
        recv.sge(loopback.regionB, 0, 64);
        Loopback.postReceives(loopback.qpB, recv, BATCH);
    }

    /** Empties the send queue and gives B its receives back; not measured. */
    @Setup(Level.Invocation)
    public void emptyQueues()
    {
        loopback.quiesce();
        int n;
        while ((n = loopback.recvCqB.poll(completions)) > 0)
        {
            Loopback.postReceives(loopback.qpB, recv, n);
        }
    }

    /** @return the OR of every post's status (0), for JMH to consume. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int inlineSend64()
    {
        int rc = 0;
        for (int i = 0; i < BATCH; i++)
        {
            rc |= loopback.qpA.postSend(inlineSend);
        }
        return count(rc);
    }

    /** @return the OR of every post's status (0): a 3-block WQE (control, remote, one SGE). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int rdmaWriteOneSge()
    {
        int rc = 0;
        for (int i = 0; i < BATCH; i++)
        {
            rc |= loopback.qpA.postSend(write);
        }
        return count(rc);
    }

    private int count(final int rc)
    {
        if (rc != 0)
        {
            failures++;
        }
        return rc;
    }

    /** Fails the run if any post was refused: the queue was not empty and the figure would be wrong. */
    @TearDown(Level.Iteration)
    public void check()
    {
        if (failures != 0)
        {
            throw new PerfException(failures + " batches had a refused post");
        }
    }
}
