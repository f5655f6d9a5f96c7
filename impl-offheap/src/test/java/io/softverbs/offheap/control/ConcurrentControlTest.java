package io.softverbs.offheap.control;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.softverbs.Access;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.DeviceConfig;
import io.softverbs.Errors;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpAttributes;
import io.softverbs.QpInit;
import io.softverbs.QpState;
import io.softverbs.QueuePair;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.Verbs;
import io.softverbs.VerbsException;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.agrona.BufferUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.softverbs.offheap.FixtureSupport.poll;
import static io.softverbs.offheap.FixtureSupport.tryPoll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Control commands from several application threads at once on one context (the control queue is MPSC): CQs, QPs,
 * registrations (sync and pipelined), deregistrations and QP modifications interleave; nothing throws, every resource
 * works, and the device's resource accounting is exact afterwards (tight maxQp/maxCq/maxMr limits would be hit by
 * any leaked or double-counted entry).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConcurrentControlTest
{
    private static final int THREADS = 4;
    private static final int ITERATIONS = 200;
    private static final int KEEP_EVERY = 25;
    private static final int MAX_QP = 64;
    private static final int MAX_CQ = 64;
    private static final int MAX_MR = 128;
    private static final int LEN = 256;

    private Device devA;
    private Device devB;

    @AfterEach
    void close()
    {
        if (devA != null)
        {
            devA.close();
        }
        if (devB != null)
        {
            devB.close();
        }
    }

    /** What a thread keeps alive until the end, to prove it still works after all the churn. */
    private record Kept(CompletionQueue cq, QueuePair qp, QueuePair peer, MemoryRegion mr, MemoryRegion dst)
    {
    }

    @Test
    void concurrentControlCommandsOnOneContext() throws Exception
    {
        devA = Verbs.open(DeviceConfig.builder(ControlFixture.uniqueName("conc-a"))
            .maxQp(MAX_QP).maxCq(MAX_CQ).maxMr(MAX_MR).build());
        devB = ControlFixture.openDevice("conc-b");
        final Context ctxA = devA.open();
        final Context ctxB = devB.open();
        final ProtectionDomain pdA = ctxA.allocPd();
        final ProtectionDomain pdB = ctxB.allocPd();

        final Set<Integer> liveQpns = ConcurrentHashMap.newKeySet();
        final Set<Integer> liveKeys = ConcurrentHashMap.newKeySet();
        final AtomicLong completions = new AtomicLong();
        final List<List<Kept>> kept = new ArrayList<>();
        final CyclicBarrier start = new CyclicBarrier(THREADS);
        final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        final List<Future<List<Kept>>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++)
        {
            final int thread = t;
            futures.add(pool.submit(() ->
            {
                final CompletionQueue peerCq = ctxB.createCq(1024);
                final MemoryRegion dst = pdB.allocateMemory((long)LEN * ITERATIONS,
                    Access.LOCAL_WRITE | Access.REMOTE_WRITE);
                final ByteBuffer direct = ByteBuffer.allocateDirect(LEN);
                final SendWorkRequest wr = new SendWorkRequest();
                final RecvWorkRequest recv = new RecvWorkRequest();
                final List<Kept> mine = new ArrayList<>();
                start.await();
                for (int i = 0; i < ITERATIONS; i++)
                {
                    final CompletionQueue cq = ctxA.createCq(16);
                    final QueuePair qp = pdA.createQueuePair(QpInit.builder().sendCq(cq).recvCq(cq)
                        .maxSendWr(8).maxRecvWr(8).build());
                    assertTrue(liveQpns.add(qp.qpNum()), "QP number handed out twice: " + qp.qpNum());
                    final QueuePair peer = pdB.createQueuePair(QpInit.builder().sendCq(peerCq)
                        .recvCq(peerCq).maxSendWr(8).maxRecvWr(8).build());
                    // Manual path for one side (three modifies), connect() for the other.
                    qp.modify(QpAttributes.builder().state(QpState.INIT).accessFlags(Access.REMOTE_WRITE).build());
                    qp.modify(QpAttributes.builder().state(QpState.RTR).remote(peer.localEndpoint()).pathMtu(4096)
                        .minRnrTimer(1).maxDestRdAtomic(1).build());
                    peer.connect(qp.localEndpoint());
                    qp.modify(QpAttributes.builder().state(QpState.RTS).timeout(14).retryCount(7).rnrRetry(7)
                        .maxRdAtomic(1).build());
                    assertEquals(QpState.RTS, qp.state());

                    // Alternate the registration forms: sync over a direct buffer, off-heap allocation, pipelined.
                    final MemoryRegion mr;
                    switch (i % 3)
                    {
                        case 0:
                            mr = pdA.registerMemory(direct, Access.LOCAL_WRITE);
                            break;
                        case 1:
                            mr = pdA.allocateMemory(LEN, Access.LOCAL_WRITE);
                            break;
                        default:
                            mr = pdA.registerMemoryAsync(address(direct), LEN, Access.LOCAL_WRITE);
                            mr.awaitRegistered();
                            break;
                    }
                    assertTrue(liveKeys.add(mr.lkey()), "memory key handed out twice: " + mr.lkey());
                    final long stamp = ((long)thread << 32) | i;
                    mr.buffer().putLong(0, stamp);
                    assertEquals(0, qp.postSend(wr.clear().wrId(stamp).opcode(Opcode.RDMA_WRITE)
                        .flags(SendFlags.SIGNALED).sge(mr, 0, LEN).remote(dst.address() + (long)LEN * i, dst.rkey())));
                    final WorkCompletion wc = poll(cq, 1).get(0);
                    assertEquals(WcStatus.SUCCESS, wc.status(), wc.toString());
                    assertEquals(stamp, wc.wrId());
                    assertEquals(stamp, dst.buffer().getLong(LEN * i));
                    completions.incrementAndGet();

                    if (i % KEEP_EVERY == 0)
                    {
                        mine.add(new Kept(cq, qp, peer, mr, dst));
                        continue;
                    }
                    // Tear down through more control commands: modify to ERR flushes a posted receive.
                    assertEquals(0, qp.postRecv(recv.clear().wrId(stamp + 1).sge(mr, 0, LEN)));
                    qp.modify(QpAttributes.builder().state(QpState.ERR).build());
                    final WorkCompletion flushed = poll(cq, 1).get(0);
                    assertEquals(WcStatus.WR_FLUSH_ERR, flushed.status());
                    assertEquals(stamp + 1, flushed.wrId());
                    assertTrue(liveKeys.remove(mr.lkey()));
                    mr.close();
                    assertTrue(liveQpns.remove(qp.qpNum()));
                    qp.close();
                    peer.close();
                    cq.close();
                }
                return mine;
            }));
        }
        pool.shutdown();
        for (final Future<List<Kept>> future : futures)
        {
            kept.add(future.get(150, TimeUnit.SECONDS)); // rethrows any assertion or VerbsException of a thread
        }
        assertEquals((long)THREADS * ITERATIONS, completions.get());

        // Everything kept is still usable.
        final SendWorkRequest wr = new SendWorkRequest();
        int keptCount = 0;
        for (final List<Kept> list : kept)
        {
            for (final Kept k : list)
            {
                keptCount++;
                assertEquals(QpState.RTS, k.qp().state());
                assertEquals(0, k.qp().postSend(wr.clear().wrId(keptCount).opcode(Opcode.RDMA_WRITE)
                    .flags(SendFlags.SIGNALED).sge(k.mr(), 0, 8).remote(k.dst().address(), k.dst().rkey())));
                final WorkCompletion wc = poll(k.cq(), 1).get(0);
                assertEquals(WcStatus.SUCCESS, wc.status());
                assertEquals(WcOpcode.RDMA_WRITE, wc.opcode());
                assertNull(tryPoll(k.cq()));
            }
        }
        assertEquals(THREADS * (ITERATIONS / KEEP_EVERY), keptCount);
        assertEquals(keptCount, liveQpns.size());
        assertEquals(keptCount, liveKeys.size());

        // Exact accounting: with the kept resources closed, exactly maxQp QPs, maxCq CQs and maxMr regions fit.
        for (final List<Kept> list : kept)
        {
            for (final Kept k : list)
            {
                k.qp().close();
                k.peer().close();
                k.mr().close();
                k.cq().close();
            }
        }
        final List<CompletionQueue> cqs = new ArrayList<>();
        while (cqs.size() <= MAX_CQ)
        {
            try
            {
                cqs.add(ctxA.createCq(1));
            }
            catch (final VerbsException ex)
            {
                assertEquals(Errors.ENOMEM, ex.errno(), ex.toString());
                break;
            }
        }
        assertEquals(MAX_CQ, cqs.size(), "CQs that fit after the churn");
        cqs.remove(cqs.size() - 1).close(); // room for the QPs' CQ
        final CompletionQueue qpCq = cqs.get(0);
        final List<QueuePair> qps = new ArrayList<>();
        while (qps.size() <= MAX_QP)
        {
            try
            {
                qps.add(pdA.createQueuePair(QpInit.builder().sendCq(qpCq).recvCq(qpCq)
                    .maxSendWr(1).maxRecvWr(1).build()));
            }
            catch (final VerbsException ex)
            {
                assertEquals(Errors.ENOMEM, ex.errno(), ex.toString());
                break;
            }
        }
        assertEquals(MAX_QP, qps.size(), "QPs that fit after the churn");
        final List<MemoryRegion> mrs = new ArrayList<>();
        while (mrs.size() <= MAX_MR)
        {
            try
            {
                mrs.add(pdA.allocateMemory(64, Access.LOCAL_WRITE));
            }
            catch (final VerbsException ex)
            {
                assertEquals(Errors.ENOMEM, ex.errno(), ex.toString());
                break;
            }
        }
        assertEquals(MAX_MR, mrs.size(), "memory regions that fit after the churn");
        assertFalse(mrs.isEmpty());
    }

    private static long address(final ByteBuffer direct)
    {
        return BufferUtil.address(direct);
    }

    /**
     * Threads racing for the last free CQ (and regions up to the limit) never get more than maxCq / maxMr between
     * them: the limit check must be atomic with the creation. 500 rounds of "one CQ left, four threads want it".
     */
    @Test
    void concurrentCreationNeverExceedsTheLimit() throws Exception
    {
        devA = Verbs.open(DeviceConfig.builder(ControlFixture.uniqueName("limit-a"))
            .maxQp(MAX_QP).maxCq(MAX_CQ).maxMr(MAX_MR).build());
        final Context ctxA = devA.open();
        final ProtectionDomain pdA = ctxA.allocPd();
        for (int i = 0; i < MAX_CQ - 1; i++)
        {
            ctxA.createCq(1);
        }
        final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try
        {
            for (int round = 0; round < 500; round++)
            {
                final CyclicBarrier start = new CyclicBarrier(THREADS);
                final List<Future<CompletionQueue>> futures = new ArrayList<>();
                for (int t = 0; t < THREADS; t++)
                {
                    futures.add(pool.submit(() ->
                    {
                        start.await();
                        try
                        {
                            return ctxA.createCq(1);
                        }
                        catch (final VerbsException ex)
                        {
                            assertEquals(Errors.ENOMEM, ex.errno(), ex.toString());
                            return null;
                        }
                    }));
                }
                final List<CompletionQueue> got = new ArrayList<>();
                for (final Future<CompletionQueue> future : futures)
                {
                    final CompletionQueue cq = future.get(60, TimeUnit.SECONDS);
                    if (cq != null)
                    {
                        got.add(cq);
                    }
                }
                assertEquals(1, got.size(), "round " + round + ": " + THREADS + " threads racing for the last of " +
                    MAX_CQ + " CQs got " + got.size());
                got.get(0).close();
            }

            final CyclicBarrier start = new CyclicBarrier(THREADS);
            final List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                futures.add(pool.submit(() ->
                {
                    int mrs = 0;
                    start.await();
                    for (int i = 0; i < MAX_MR; i++)
                    {
                        try
                        {
                            pdA.allocateMemory(64, Access.LOCAL_WRITE);
                            mrs++;
                        }
                        catch (final VerbsException ex)
                        {
                            assertEquals(Errors.ENOMEM, ex.errno(), ex.toString());
                        }
                    }
                    return mrs;
                }));
            }
            int mrs = 0;
            for (final Future<Integer> future : futures)
            {
                mrs += future.get(60, TimeUnit.SECONDS);
            }
            assertEquals(MAX_MR, mrs, "memory regions created by racing threads");
        }
        finally
        {
            pool.shutdownNow();
        }
    }
}
