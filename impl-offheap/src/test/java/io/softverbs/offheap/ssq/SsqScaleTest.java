package io.softverbs.offheap.ssq;

import java.util.concurrent.TimeUnit;

import io.softverbs.Access;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpInit;
import io.softverbs.QpState;
import io.softverbs.QueuePair;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.SharedReceiveQueue;
import io.softverbs.SharedSendQueue;
import io.softverbs.SrqInit;
import io.softverbs.SsqInit;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import io.softverbs.offheap.FixtureSupport;
import io.softverbs.offheap.SoftContext;
import org.agrona.collections.Int2IntHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One SSQ with 10,000 channels on one context, each connected to its own peer QP (peers share one context, one CQ and
 * an SRQ), one SEND each: 10,000 successful completions in posting order, every peer receives exactly its message.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SsqScaleTest
{
    private static final int CHANNELS = 10_000;

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

    @Test
    void tenThousandChannelsCreatedAndUsed()
    {
        final long t0 = System.nanoTime();
        devA = SsqFixture.openDevice("scale-pub");
        devB = SsqFixture.openDevice("scale-peer");
        final Context ctxA = devA.open();
        final Context ctxB = devB.open();
        final ProtectionDomain pdA = ctxA.allocPd();
        final ProtectionDomain pdB = ctxB.allocPd();

        final long memBefore = ((SoftContext)ctxA).deviceMemoryBytes();
        final CompletionQueue ssqCq = ctxA.createCq(CHANNELS);
        final CompletionQueue chRecvCq = ctxA.createCq(16);
        final SharedSendQueue ssq = pdA.createSharedSendQueue(SsqInit.builder().sendCq(ssqCq).maxWr(CHANNELS).build());
        final long memSsq = ((SoftContext)ctxA).deviceMemoryBytes();
        final QueuePair[] channels = new QueuePair[CHANNELS];
        for (int i = 0; i < CHANNELS; i++)
        {
            channels[i] = pdA.createQueuePair(QpInit.builder().sharedSendQueue(ssq).recvCq(chRecvCq)
                .maxRecvWr(1).maxRecvSge(1).maxSendWr(1).maxSendSge(1).maxInlineData(0).build());
        }
        final long memChannels = ((SoftContext)ctxA).deviceMemoryBytes();

        final CompletionQueue peerCq = ctxB.createCq(CHANNELS);
        final SharedReceiveQueue srq = pdB.createSrq(SrqInit.builder().maxWr(CHANNELS).maxSge(1).build());
        final MemoryRegion sink = pdB.allocateMemory((long)CHANNELS * 8, Access.LOCAL_WRITE);
        final RecvWorkRequest recv = new RecvWorkRequest();
        for (int i = 0; i < CHANNELS; i++)
        {
            assertEquals(0, srq.postRecv(recv.clear().wrId(i).sge(sink, 8L * i, 8)));
        }
        final QueuePair[] peers = new QueuePair[CHANNELS];
        final Int2IntHashMap peerIndex = new Int2IntHashMap(-1);
        for (int i = 0; i < CHANNELS; i++)
        {
            peers[i] = pdB.createQueuePair(QpInit.builder().sendCq(peerCq).recvCq(peerCq).srq(srq)
                .maxSendWr(1).maxSendSge(1).maxInlineData(0).build());
            peerIndex.put(peers[i].qpNum(), i);
        }
        for (int i = 0; i < CHANNELS; i++)
        {
            channels[i].connect(peers[i].localEndpoint());
            peers[i].connect(channels[i].localEndpoint());
        }
        final long t1 = System.nanoTime();

        final MemoryRegion src = pdA.allocateMemory(8, Access.LOCAL_WRITE);
        final SendWorkRequest wr = new SendWorkRequest();
        for (int i = 0; i < CHANNELS; i++)
        {
            src.buffer().putLong(0, 1_000_000L + i);
            final int rc = ssq.postSend(channels[i], wr.clear().wrId(i).opcode(Opcode.SEND)
                .flags(SendFlags.SIGNALED | SendFlags.INLINE).sge(src, 0, 8));
            assertEquals(0, rc, "post " + i);
        }

        final WorkCompletion[] batch = new WorkCompletion[256];
        for (int i = 0; i < batch.length; i++)
        {
            batch[i] = new WorkCompletion();
        }
        int next = 0;
        final long deadline = System.nanoTime() + FixtureSupport.WAIT_NANOS;
        while (next < CHANNELS)
        {
            final int n = ssqCq.poll(batch);
            for (int k = 0; k < n; k++)
            {
                final WorkCompletion wc = batch[k];
                if (wc.wrId() != next || wc.status() != WcStatus.SUCCESS || wc.qpNum() != channels[next].qpNum() ||
                    wc.opcode() != WcOpcode.SEND)
                {
                    fail("completion " + next + " wrong or out of posting order: " + wc + " (channel qpNum " +
                        channels[next].qpNum() + ")");
                }
                next++;
            }
            if (n == 0)
            {
                assertTrue(System.nanoTime() - deadline < 0, "only " + next + " SSQ completions");
                Thread.yield();
            }
        }

        final boolean[] seen = new boolean[CHANNELS];
        int received = 0;
        while (received < CHANNELS)
        {
            final int n = peerCq.poll(batch);
            for (int k = 0; k < n; k++)
            {
                final WorkCompletion wc = batch[k];
                assertEquals(WcStatus.SUCCESS, wc.status(), wc.toString());
                assertEquals(8, wc.byteLen());
                final int peer = peerIndex.get(wc.qpNum());
                assertTrue(peer >= 0, "receive on an unknown QP: " + wc);
                assertEquals(channels[peer].qpNum(), wc.srcQp(), "peer " + peer + " received from the wrong channel");
                final long value = sink.buffer().getLong(8 * (int)wc.wrId());
                assertEquals(1_000_000L + peer, value, "peer " + peer + " received another channel's message");
                assertTrue(!seen[peer], "peer " + peer + " received twice");
                seen[peer] = true;
                received++;
            }
            if (n == 0)
            {
                assertTrue(System.nanoTime() - deadline < 0, "only " + received + " receives");
                Thread.yield();
            }
        }
        assertEquals(0, ssqCq.poll(batch));
        for (int i = 0; i < CHANNELS; i += 997)
        {
            assertEquals(QpState.RTS, channels[i].state());
        }
        final long t2 = System.nanoTime();
        System.out.printf("SSQ scale: %d channels set up in %.2f s, used in %.3f s; device memory: SSQ+CQs %d B, " +
            "channels %.1f B each%n", CHANNELS, (t1 - t0) / 1e9, (t2 - t1) / 1e9, memSsq - memBefore,
            (memChannels - memSsq) / (double)CHANNELS);
    }
}
