package io.softverbs.offheap.transport.mem;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import io.softverbs.Access;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.DeviceConfig;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProgressMode;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpInit;
import io.softverbs.QueuePair;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.Verbs;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import io.softverbs.offheap.TestSupport;
import io.softverbs.offheap.resource.SoftQp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Everything a link publishes for the peer's engine rings the peer transport's doorbell (which wakes a parked
 * DEDICATED engine thread): a request, a NAK and an ACK. INVOKER devices, each context driven by this thread, with
 * counters in place of the engines' doorbells.
 */
@Timeout(30)
class MemDoorbellTest
{
    private static final AtomicInteger NAMES = new AtomicInteger();

    @Test
    void aRequestItsNakItsRetryAndItsAckEachRingTheReceivingEngine()
    {
        final String suffix = "-doorbell-" + NAMES.incrementAndGet();
        try (Device da = Verbs.open(DeviceConfig.builder("a" + suffix).progress(ProgressMode.INVOKER).build());
            Device db = Verbs.open(DeviceConfig.builder("b" + suffix).progress(ProgressMode.INVOKER).build()))
        {
            // What rings is what travels: with the direct path, A's SEND (and its retry) would be executed by A.
            final Context ca = TestSupport.lanesOnly(da::open);
            final Context cb = TestSupport.lanesOnly(db::open);
            final ProtectionDomain pa = ca.allocPd();
            final ProtectionDomain pb = cb.allocPd();
            final CompletionQueue cqa = ca.createCq(16);
            final CompletionQueue cqb = cb.createCq(16);
            final QueuePair qa = pa.createQueuePair(QpInit.builder().sendCq(cqa).recvCq(cqa).build());
            final QueuePair qb = pb.createQueuePair(QpInit.builder().sendCq(cqb).recvCq(cqb).build());
            qa.connect(qb.localEndpoint());
            qb.connect(qa.localEndpoint());
            final AtomicInteger ringsA = new AtomicInteger();
            final AtomicInteger ringsB = new AtomicInteger();
            ((SoftQp)qa).transport().attachDoorbell(ringsA::incrementAndGet);
            ((SoftQp)qb).transport().attachDoorbell(ringsB::incrementAndGet);
            final MemoryRegion src = pa.allocateMemory(64, Access.LOCAL_WRITE);
            final MemoryRegion dst = pb.allocateMemory(64, Access.LOCAL_WRITE);

            // No receive posted at B: the SEND is refused with an RNR NAK.
            assertEquals(0, qa.postSend(new SendWorkRequest().opcode(Opcode.SEND)
                .flags(SendFlags.INLINE | SendFlags.SIGNALED).sge(src, 0, 8).wrId(7)));
            awaitRing("A's request rings B", ringsB, 1, ca);
            awaitRing("B's RNR NAK rings A", ringsA, 1, cb);

            // With a receive posted, A's retry (after the RNR timer) rings B again and B's ACK rings A.
            assertEquals(0, qb.postRecv(new RecvWorkRequest().sge(dst, 0, 64).wrId(8)));
            awaitRing("A's retry rings B", ringsB, 2, ca);
            final int nakRings = ringsA.get();
            awaitRing("B's ACK rings A", ringsA, nakRings + 1, cb);
            final WorkCompletion sent = poll(cqa, ca);
            assertEquals(WcStatus.SUCCESS, sent.status());
            assertEquals(WcOpcode.SEND, sent.opcode());
            assertEquals(7, sent.wrId());
            assertEquals(WcOpcode.RECV, poll(cqb, cb).opcode());
        }
    }

    /** Drives {@code ctx}'s engine until {@code rings} reaches {@code atLeast}, within 10 s. */
    private static void awaitRing(final String what, final AtomicInteger rings, final int atLeast, final Context ctx)
    {
        await(what, () -> rings.get() >= atLeast ? 1 : 0, ctx);
    }

    private static WorkCompletion poll(final CompletionQueue cq, final Context ctx)
    {
        final WorkCompletion[] out = {new WorkCompletion()};
        await("a completion", () -> cq.poll(out), ctx);
        return out[0];
    }

    private static void await(final String what, final IntSupplier done, final Context ctx)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (done.getAsInt() == 0)
        {
            ctx.progress();
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out: " + what);
            }
        }
    }
}
