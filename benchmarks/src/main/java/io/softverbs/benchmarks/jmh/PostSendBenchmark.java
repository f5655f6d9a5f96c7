package io.softverbs.benchmarks.jmh;

import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WorkCompletion;
import io.softverbs.benchmarks.perf.PerfException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@code postSend} of a 64-byte inline SEND in steady state. The queue is kept from filling inside the benchmark
 * method: every {@value #DRAIN_EVERY}th post is signaled and followed by a drain (both engines run until its
 * completion is polled; the receiver's completions are polled and its receives replaced). So one operation is a
 * post plus a 1/64 share of everything the soft RNIC does for it: the per-message cost of the whole data path on
 * one thread. {@link WqeEncodeBenchmark} measures the post alone.
 * <p>
 * {@link #inlineSend64List} is the same traffic posted as lists of {@value #DRAIN_EVERY} ({@code ibv_post_send} with
 * a chain, perftest's {@code -l}), the receives replaced as lists too; its figure is per message.
 */
public class PostSendBenchmark extends LoopbackBenchmark
{
    /** One signaled post and drain in this many. */
    public static final int DRAIN_EVERY = 64;
    private static final int DEPTH = 1024;
    private static final int SIZE = 64;

    private final SendWorkRequest send = new SendWorkRequest();
    private final RecvWorkRequest recv = new RecvWorkRequest();
    private final SendWorkRequest[] sendList = new SendWorkRequest[DRAIN_EVERY];
    private final RecvWorkRequest[] recvList = new RecvWorkRequest[DRAIN_EVERY];
    private boolean lists;
    private final WorkCompletion[] completions = newCompletions(DRAIN_EVERY);
    private int sinceDrain;
    private long failures;

    /** Opens the fixture and fills B's receive queue. */
    @Setup(Level.Trial)
    public void open()
    {
        loopback = new Loopback(ProgressMode.INVOKER, DEPTH, 4 * DEPTH, false);
        send.opcode(Opcode.SEND).sge(loopback.regionA, 0, SIZE);
        recv.sge(loopback.regionB, 0, SIZE);
        Loopback.postReceives(loopback.qpB, recv, DEPTH);
        for (int i = 0; i < DRAIN_EVERY; i++)
        {
            sendList[i] = new SendWorkRequest().opcode(Opcode.SEND).sge(loopback.regionA, 0, SIZE)
                .flags(i == DRAIN_EVERY - 1 ? SendFlags.INLINE | SendFlags.SIGNALED : SendFlags.INLINE);
            recvList[i] = recv;
        }
    }

    /** @return postSend's status (0), for JMH to consume. */
    @Benchmark
    public int inlineSend64()
    {
        final boolean drain = ++sinceDrain == DRAIN_EVERY;
        final int rc = loopback.qpA.postSend(send.flags(drain ? SendFlags.INLINE | SendFlags.SIGNALED : SendFlags.INLINE));
        if (rc != 0)
        {
            failures++;
        }
        if (drain)
        {
            sinceDrain = 0;
            drain();
        }
        return rc;
    }

    /** @return how many of the list postSend took ({@value #DRAIN_EVERY}), for JMH to consume. */
    @Benchmark
    @OperationsPerInvocation(DRAIN_EVERY)
    public int inlineSend64List()
    {
        lists = true;
        final int posted = loopback.qpA.postSend(sendList, 0, DRAIN_EVERY);
        if (posted != DRAIN_EVERY)
        {
            failures++;
        }
        drain();
        return posted;
    }

    /** Runs both engines until the signaled SEND completes, replacing every receive consumed meanwhile. */
    private void drain()
    {
        int sent;
        do
        {
            replaceReceives(); // an empty poll runs B's engine: the responder
            sent = loopback.sendCqA.poll(completions); // an empty poll runs A's engine: requester and completer
        }
        while (sent == 0);
        replaceReceives();
    }

    private void replaceReceives()
    {
        final int n = loopback.recvCqB.poll(completions);
        if (lists)
        {
            if (n > 0 && loopback.qpB.postRecv(recvList, 0, n) != n)
            {
                failures++;
            }
            return;
        }
        for (int i = 0; i < n; i++)
        {
            if (loopback.qpB.postRecv(recv) != 0)
            {
                failures++;
            }
        }
    }

    /** Fails the run if any post was refused: the figure would not be what it says. */
    @TearDown(Level.Iteration)
    public void check()
    {
        if (failures != 0)
        {
            throw new PerfException(failures + " posts refused");
        }
    }
}
