package io.softverbs.benchmarks.jmh;

import java.util.function.ToIntFunction;

import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.QueuePair;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WorkCompletion;
import io.softverbs.benchmarks.perf.PerfException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * One SEND ping-pong round trip on one thread: A sends 32 inline bytes, B's engine receives them, B replaces the
 * receive and sends them back, A receives. Both contexts are INVOKER and this thread runs both engines, so the
 * figure is the software cost of a round trip with no cache line crossing cores: what softverbs itself costs,
 * apart from the inter-core hand-over that send_lat adds. Sends are signaled one in {@value #SIGNAL_EVERY}.
 * With {@code receiveQueue=srq}, B's QP takes its receives from a shared receive queue ({@code ibv_srq}) and B's
 * replacement receives are posted there.
 */
public class PingPongBenchmark extends LoopbackBenchmark
{
    /** One signaled send in this many, per side. */
    public static final int SIGNAL_EVERY = 16;
    private static final int DEPTH = 64;
    private static final int SIZE = 32;

    private final SendWorkRequest sendA = new SendWorkRequest();
    private final SendWorkRequest sendB = new SendWorkRequest();
    private final RecvWorkRequest recvA = new RecvWorkRequest();
    private final RecvWorkRequest recvB = new RecvWorkRequest();
    private final WorkCompletion[] completion = newCompletions(SIGNAL_EVERY);
    private int sinceSignal;
    /** Where B's receives are posted: {@code ibv_post_recv} or {@code ibv_post_srq_recv}. */
    private ToIntFunction<RecvWorkRequest> postRecvB;
    private ToIntFunction<RecvWorkRequest> postRecvA;

    /** Where B's QP takes its receives from: {@code qp} (its own receive queue) or {@code srq}. */
    @Param({"qp", "srq"})
    public String receiveQueue = "qp";

    /** Opens the fixture and posts both sides' receives. */
    @Setup(Level.Trial)
    public void open()
    {
        final boolean srq = "srq".equals(receiveQueue);
        loopback = new Loopback(ProgressMode.INVOKER, DEPTH, 4 * DEPTH, false, srq);
        postRecvB = srq ? loopback.srqB::postRecv : loopback.qpB::postRecv;
        postRecvA = loopback.qpA::postRecv;
        sendA.opcode(Opcode.SEND).sge(loopback.regionA, 0, SIZE);
        sendB.opcode(Opcode.SEND).sge(loopback.regionB, 0, SIZE);
        recvA.sge(loopback.regionA, 1024, SIZE);
        recvB.sge(loopback.regionB, 1024, SIZE);
        Loopback.postReceives(loopback.qpA, recvA, DEPTH);
        for (int i = 0; i < DEPTH; i++)
        {
            post(postRecvB, recvB);
        }
    }

    /** @return the echo's byte count (32). */
    @Benchmark
    public int sendRoundTrip()
    {
        final boolean signal = ++sinceSignal == SIGNAL_EVERY;
        final int flags = signal ? SendFlags.INLINE | SendFlags.SIGNALED : SendFlags.INLINE;
        hop(loopback.qpA, sendA.flags(flags), loopback.recvCqB, postRecvB, recvB, loopback.a);
        final int echoed = hop(loopback.qpB, sendB.flags(flags), loopback.recvCqA, postRecvA, recvA, loopback.b);
        if (signal)
        {
            sinceSignal = 0;
            reap(loopback.sendCqA, loopback.b);
            reap(loopback.sendCqB, loopback.a);
        }
        return echoed;
    }

    /** Sends, then runs engines until the receiver's completion is polled; replaces the receive it consumed. */
    private int hop(final QueuePair from, final SendWorkRequest send, final CompletionQueue receiverCq,
        final ToIntFunction<RecvWorkRequest> postRecv, final RecvWorkRequest receive, final Context sender)
    {
        if (from.postSend(send) != 0)
        {
            throw new PerfException("postSend refused");
        }
        sender.progress(); // the requester hands the SEND to the receiver's engine
        while (receiverCq.poll(completion) == 0) // an empty poll runs the receiver's engine
        {
            sender.progress();
        }
        post(postRecv, receive);
        return completion[0].byteLen();
    }

    private static void post(final ToIntFunction<RecvWorkRequest> postRecv, final RecvWorkRequest receive)
    {
        if (postRecv.applyAsInt(receive) != 0)
        {
            throw new PerfException("postRecv refused");
        }
    }

    /** Takes a signaled send's completion, running the peer's engine until its acknowledgement is in. */
    private void reap(final CompletionQueue sendCq, final Context peer)
    {
        while (sendCq.poll(completion) == 0)
        {
            peer.progress();
        }
    }
}
