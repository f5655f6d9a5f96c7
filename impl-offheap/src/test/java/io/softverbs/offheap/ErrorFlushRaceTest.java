package io.softverbs.offheap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.softverbs.Access;
import io.softverbs.AsyncEvent;
import io.softverbs.AsyncEventType;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpAttributes;
import io.softverbs.QpInit;
import io.softverbs.QpState;
import io.softverbs.QueuePair;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.SharedReceiveQueue;
import io.softverbs.SrqInit;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A receiver moved to the error state by a third thread while SENDs stream into it: on mem the sender's thread
 * consumes the receiver's receives and writes its CQ directly, under the receive lock, while the receiver's engine
 * (run by the receiver's polling thread) flushes the same receive queue into the same CQ. Whatever the
 * interleaving, as libibverbs has it: every posted receive completes exactly once and in posting order, a prefix
 * of them with success (each holding the message of its turn) and the rest flushed, never a success after a flush;
 * the sender's completions are in order too, a success prefix and then errors; and every SEND the sender saw
 * succeed was received.
 * <p>
 * With the flush's hold of the receive lock taken out, this failed three runs of three within a few seconds (a
 * receive completed twice, or a SEND the sender saw succeed that the receiver never got). A second test does the
 * same to one of two QPs sharing an SRQ, whose receives must not be flushed at all.
 */
@Timeout(120)
class ErrorFlushRaceTest
{
    private static final int ROUNDS = 20;
    private static final int SRQ_ROUNDS = 10;
    private static final long SRQ_MESSAGES = 20_000;
    private static final int RECEIVES = 32;
    private static final int SEND_DEPTH = 64;
    private static final int SLOT = 8;
    private static final long SEED = 0x5EED_F1A5L;

    private Device deviceA;
    private Device deviceB;
    private ExecutorService pool;

    @AfterEach
    void tearDown() throws InterruptedException
    {
        assertTrue(TestSupport.stopWorkersAndClose(pool, deviceA, deviceB), "a worker outlived the test");
    }

    @Test
    void aReceiverFlushedMidStreamCompletesEveryReceiveOnceAndInOrder() throws Exception
    {
        runRounds(ROUNDS, SEED, 5_000, 3, this::runRound);
    }

    /** One round: @return true if the error came in mid-stream (the sender had not given up before it). */
    private interface Round
    {
        boolean run(int round, long errorAfter) throws Exception;
    }

    /**
     * Runs {@code rounds} rounds, the error after a seeded 100 to {@code 100 + spread} messages. A round whose sender
     * gave up first (its peer's thread held off for longer than its retries) checks the same rules, but not the race;
     * most rounds must have had it.
     */
    private void runRounds(final int rounds, final long seed, final int spread, final int threads, final Round round)
        throws Exception
    {
        final SplittableRandom random = new SplittableRandom(seed);
        pool = Executors.newFixedThreadPool(threads);
        int midStream = 0;
        for (int i = 0; i < rounds; i++)
        {
            midStream += round.run(i, 100 + random.nextInt(spread)) ? 1 : 0;
        }
        assertTrue(midStream >= rounds / 2, midStream + " of " + rounds + " rounds with the error mid-stream");
    }

    /** @return true if the flush came in mid-stream (the sender had not given up before it). */
    private boolean runRound(final int round, final long flushAfter) throws Exception
    {
        reopenDevices("flush-race");
        final TestSupport.SendStream stream =
            TestSupport.SendStream.open(deviceA, deviceB, SEND_DEPTH, RECEIVES, RECEIVES * 4, SLOT);
        final QueuePair a = stream.a();
        final QueuePair b = stream.b();
        final CompletionQueue cqA = stream.cqA();
        final CompletionQueue cqB = stream.cqB();
        final MemoryRegion source = stream.source();
        final MemoryRegion sink = stream.sink();
        connectWithSlowTimer(a, b);

        final AtomicBoolean failed = new AtomicBoolean();
        final AtomicLong received = new AtomicLong();
        final AtomicBoolean flushed = new AtomicBoolean();
        final CountDownLatch started = new CountDownLatch(1);
        final Future<Long> receiver = pool.submit(TestSupport.guarded(failed, () ->
            receive(b, cqB, sink, received, flushed, failed, started)));
        assertTrue(started.await(10, TimeUnit.SECONDS), "receives posted");
        final Future<Long> sender = pool.submit(TestSupport.guarded(failed, () -> send(a, cqA, source, failed)));
        final Future<Long> closer = pool.submit(TestSupport.guarded(failed, () ->
        {
            while (received.get() < flushAfter && !failed.get() && !sender.isDone())
            {
                Thread.onSpinWait();
            }
            b.modify(QpAttributes.builder().state(QpState.ERR).build());
            flushed.set(true);
            return 0L;
        }));
        closer.get(100, TimeUnit.SECONDS);
        final long sendSuccesses = sender.get(100, TimeUnit.SECONDS);
        final long receiveSuccesses = receiver.get(100, TimeUnit.SECONDS);
        assertTrue(sendSuccesses <= receiveSuccesses,
            "round " + round + ": " + sendSuccesses + " SENDs completed with success, " + receiveSuccesses + " received");
        return receiveSuccesses >= flushAfter;
    }

    /**
     * Two QPs take their receives from one SRQ, each with its own sender and CQ; one of them is moved to ERR while
     * both streams run. An SRQ's receives belong to no QP, so nothing is flushed: the other stream goes on to its
     * end, in order, the QP in error completes nothing after its last success, its sender gives up, the QP raises
     * LAST_WQE_REACHED, and every SEND its sender saw succeed was received.
     */
    @Test
    void aQpOfAnSrqMovedToErrorMidStreamLeavesTheSrqToTheOther() throws Exception
    {
        runRounds(SRQ_ROUNDS, SEED + 1, 2_000, 4, this::runSrqRound);
    }

    /** @return true if the QP moved to ERR mid-stream (its sender had not given up before). */
    private boolean runSrqRound(final int round, final long errorAfter) throws Exception
    {
        reopenDevices("flush-race-srq");
        final Context ca = deviceA.open();
        final Context cb = deviceB.open();
        final ConcurrentLinkedQueue<AsyncEvent> events = new ConcurrentLinkedQueue<>();
        cb.onAsyncEvent(events::add);
        final ProtectionDomain pa = ca.allocPd();
        final ProtectionDomain pb = cb.allocPd();
        final SharedReceiveQueue srq = pb.createSrq(SrqInit.builder().maxWr(RECEIVES).maxSge(1).build());
        final MemoryRegion sink = pb.allocateMemory((long)SLOT * RECEIVES, Access.LOCAL_WRITE);
        final QueuePair[] senders = new QueuePair[2];
        final QueuePair[] receivers = new QueuePair[2];
        final CompletionQueue[] sendCqs = new CompletionQueue[2];
        final CompletionQueue[] recvCqs = new CompletionQueue[2];
        final MemoryRegion[] sources = new MemoryRegion[2];
        for (int i = 0; i < 2; i++)
        {
            sendCqs[i] = ca.createCq(SEND_DEPTH * 2);
            recvCqs[i] = cb.createCq(RECEIVES * 2);
            senders[i] = pa.createQueuePair(QpInit.builder().sendCq(sendCqs[i]).recvCq(sendCqs[i])
                .maxSendWr(SEND_DEPTH).maxInlineData(SLOT).build());
            receivers[i] = pb.createQueuePair(QpInit.builder().sendCq(recvCqs[i]).recvCq(recvCqs[i]).srq(srq)
                .build());
            sources[i] = pa.allocateMemory(SLOT, Access.LOCAL_WRITE);
        }
        connectWithSlowTimer(senders[0], receivers[0]);
        TestSupport.connectRequester(senders[1], receivers[1], 0, 12, 7); // never gives up
        final RecvWorkRequest recv = new RecvWorkRequest();
        for (int slot = 0; slot < RECEIVES; slot++)
        {
            assertEquals(0, srq.postRecv(recv.clear().wrId(slot).sge(sink, (long)SLOT * slot, SLOT)));
        }

        final AtomicBoolean failed = new AtomicBoolean();
        final AtomicLong receivedByFirst = new AtomicLong();
        final AtomicBoolean firstSenderDone = new AtomicBoolean();
        final AtomicBoolean moved = new AtomicBoolean();
        final Future<Long> first = pool.submit(TestSupport.guarded(failed, () ->
        {
            final long successes = send(senders[0], sendCqs[0], sources[0], failed);
            firstSenderDone.set(true);
            return successes;
        }));
        final Future<Long> second = pool.submit(TestSupport.guarded(failed, () ->
            send(senders[1], sendCqs[1], sources[1], failed, 1, SRQ_MESSAGES)));
        final Future<long[]> receiver = pool.submit(TestSupport.guarded(failed, () ->
        {
            final WorkCompletion[] wc = TestSupport.freshCompletions(16);
            final long[] received = new long[2];
            final long deadline = System.nanoTime() + TestSupport.WAIT_NANOS;
            // Until the second stream is in, and nothing more can come for the first (it moved and its sender gave
            // up), and then both CQs are empty.
            boolean last = false;
            int taken = 1;
            while (!(last && taken == 0) && !failed.get())
            {
                assertTrue(System.nanoTime() - deadline < 0, () -> "receiver: " + Arrays.toString(received));
                last = received[1] == SRQ_MESSAGES && moved.get() && firstSenderDone.get();
                taken = 0;
                for (int q = 0; q < 2; q++)
                {
                    final int n = recvCqs[q].poll(wc);
                    taken += n;
                    for (int i = 0; i < n; i++)
                    {
                        final WorkCompletion c = wc[i];
                        assertEquals(WcStatus.SUCCESS, c.status(), () -> "nothing of an SRQ is flushed: " + c);
                        assertEquals(receivers[q].qpNum(), c.qpNum());
                        final int slot = (int)c.wrId();
                        final long message = sink.buffer().getLong(slot * SLOT);
                        assertEquals(q, message >>> 32, "the SEND of the QP that reported it");
                        assertEquals(++received[q], message & 0xFFFF_FFFFL, "each stream in order");
                        assertEquals(0, srq.postRecv(recv.clear().wrId(slot).sge(sink, (long)SLOT * slot, SLOT)));
                    }
                }
                receivedByFirst.set(received[0]);
            }
            return received;
        }));
        final Future<Long> closer = pool.submit(TestSupport.guarded(failed, () ->
        {
            while (receivedByFirst.get() < errorAfter && !failed.get() && !firstSenderDone.get())
            {
                Thread.onSpinWait();
            }
            receivers[0].modify(QpAttributes.builder().state(QpState.ERR).build());
            moved.set(true);
            return 0L;
        }));
        closer.get(100, TimeUnit.SECONDS);
        final long firstSuccesses = first.get(100, TimeUnit.SECONDS);
        final long secondSuccesses = second.get(100, TimeUnit.SECONDS);
        final long[] received = receiver.get(100, TimeUnit.SECONDS);
        assertEquals(SRQ_MESSAGES, secondSuccesses, "round " + round + ": the other stream, all of it");
        assertTrue(firstSuccesses <= received[0],
            "round " + round + ": " + firstSuccesses + " SENDs completed with success, " + received[0] + " received");
        TestSupport.awaitCondition("LAST_WQE_REACHED of the QP in error", () -> events.stream().anyMatch(e ->
            e.type() == AsyncEventType.QP_LAST_WQE_REACHED && e.qpNum() == receivers[0].qpNum()), cb);
        return received[0] >= errorAfter;
    }

    /**
     * Sends inline SENDs carrying 1, 2, ..., every one signaled, until one completes with an error; then posts no
     * more and takes the rest of the completions (flushed).
     *
     * @return how many completed with success.
     */
    private static long send(final QueuePair qp, final CompletionQueue cq, final MemoryRegion source,
        final AtomicBoolean failed)
    {
        return send(qp, cq, source, failed, 0, Long.MAX_VALUE);
    }

    /**
     * {@link #send(QueuePair, CompletionQueue, MemoryRegion, AtomicBoolean)}, at most {@code limit} SENDs, each
     * carrying {@code tag} in its upper 32 bits; returns once all are completed.
     */
    private static long send(final QueuePair qp, final CompletionQueue cq, final MemoryRegion source,
        final AtomicBoolean failed, final int tag, final long limit)
    {
        final SendWorkRequest wr = new SendWorkRequest();
        final WorkCompletion[] wc = TestSupport.freshCompletions(16);
        final Tally sends = new Tally("sender " + tag, false);
        while ((!(sends.errorSeen || sends.posted == limit) || sends.completed < sends.posted) && !failed.get())
        {
            sends.checkDeadline();
            if (!sends.errorSeen && sends.posted < limit)
            {
                source.buffer().putLong(0, (long)tag << 32 | (sends.posted + 1));
                if (qp.postSend(wr.clear().wrId(sends.posted).opcode(Opcode.SEND)
                    .flags(SendFlags.SIGNALED | SendFlags.INLINE).sge(source, 0, SLOT)) == 0)
                {
                    sends.posted++;
                }
            }
            final int n = cq.poll(wc);
            for (int i = 0; i < n; i++)
            {
                sends.take(wc[i]);
            }
        }
        return sends.successes;
    }

    /**
     * Keeps {@value #RECEIVES} receives posted, numbered by wrId in posting order, until the QP is flushed; takes
     * every completion and checks it against its turn.
     *
     * @return how many completed with success.
     */
    private static long receive(final QueuePair qp, final CompletionQueue cq, final MemoryRegion sink,
        final AtomicLong received, final AtomicBoolean flushed, final AtomicBoolean failed,
        final CountDownLatch started)
    {
        final RecvWorkRequest recv = new RecvWorkRequest();
        final WorkCompletion[] wc = TestSupport.freshCompletions(16);
        final Tally receives = new Tally("receiver", true);
        for (; receives.posted < RECEIVES; receives.posted++) // before the sender starts: its first SENDs find some
        {
            assertEquals(0, qp.postRecv(recv.clear().wrId(receives.posted)
                .sge(sink, (receives.posted % RECEIVES) * SLOT, SLOT)));
        }
        started.countDown();
        // Done once the flush was requested, seen, and every receive posted has completed.
        while (!(flushed.get() && receives.errorSeen && receives.completed == receives.posted) && !failed.get())
        {
            receives.checkDeadline();
            final int n = cq.poll(wc);
            for (int i = 0; i < n; i++)
            {
                final WorkCompletion c = wc[i];
                if (!receives.take(c))
                {
                    continue;
                }
                assertEquals(c.wrId() + 1, sink.buffer().getLong((int)(c.wrId() % RECEIVES) * SLOT),
                    "the message of this receive's turn");
                received.set(receives.successes);
                // Reposted while the QP may be moving to error: taken, and then flushed, or refused.
                if (!flushed.get() && qp.postRecv(recv.clear().wrId(receives.posted)
                    .sge(sink, (receives.posted % RECEIVES) * SLOT, SLOT)) == 0)
                {
                    receives.posted++;
                }
            }
            if (n == 0 && flushed.get() && receives.completed == receives.posted)
            {
                receives.errorSeen = true; // every receive had been consumed when the QP moved: nothing to flush
            }
        }
        assertNotEquals(0, receives.completed);
        return receives.successes;
    }

    /** One worker's requests: posted, completed in posting order (wrId = turn), a success prefix, then errors. */
    private static final class Tally
    {
        private final String worker;
        private final boolean onlyFlushes;
        private final long deadline = System.nanoTime() + TestSupport.WAIT_NANOS;
        long posted;
        long completed;
        long successes;
        boolean errorSeen;

        /** @param onlyFlushes every error is WR_FLUSH_ERR (else the first may be any error, the rest flushes). */
        Tally(final String worker, final boolean onlyFlushes)
        {
            this.worker = worker;
            this.onlyFlushes = onlyFlushes;
        }

        /** @return true if the completion is a success. */
        boolean take(final WorkCompletion c)
        {
            assertEquals(completed, c.wrId(), () -> worker + ": completions once each, in posting order");
            completed++;
            if (c.status() == WcStatus.SUCCESS)
            {
                assertTrue(!errorSeen, () -> worker + ": a success after an error: " + c);
                successes++;
                return true;
            }
            if (onlyFlushes || errorSeen)
            {
                assertEquals(WcStatus.WR_FLUSH_ERR, c.status(), c::toString);
            }
            errorSeen = true;
            return false;
        }

        /** Fails with this worker's state once it has run longer than any interleaving needs. */
        void checkDeadline()
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError(worker + ": " + posted + " posted, " + completed + " completed, " +
                    successes + " with success, error seen " + errorSeen);
            }
        }
    }

    /** Closes the last round's devices and opens two fresh INVOKER ones, {@code deviceA} and {@code deviceB}. */
    private void reopenDevices(final String prefix) throws InterruptedException
    {
        TestSupport.stopWorkersAndClose(null, deviceA, deviceB);
        deviceA = TestSupport.openDevice(prefix + "-a", ProgressMode.INVOKER);
        deviceB = TestSupport.openDevice(prefix + "-b", ProgressMode.INVOKER);
    }

    /**
     * The sender gives up on a receiver in error after about 70 ms: ACK timeout 17 ms (exponent 12), 3 retries (a
     * retry count of 7 retries forever).
     */
    private static void connectWithSlowTimer(final QueuePair a, final QueuePair b)
    {
        TestSupport.connectRequester(a, b, 0, 12, 3);
    }
}
