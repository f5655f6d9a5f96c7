package io.softverbs.offheap.control;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.softverbs.Access;
import io.softverbs.AsyncEvent;
import io.softverbs.AsyncEventType;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.Errors;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpState;
import io.softverbs.QueuePair;
import io.softverbs.RecvWorkRequest;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.VerbsException;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import io.softverbs.offheap.FixtureSupport;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.softverbs.offheap.FixtureSupport.await;
import static io.softverbs.offheap.FixtureSupport.connect;
import static io.softverbs.offheap.FixtureSupport.poll;
import static io.softverbs.offheap.FixtureSupport.tryPoll;
import static io.softverbs.offheap.control.ControlFixture.BIG;
import static io.softverbs.offheap.control.ControlFixture.createQp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pipelined registration through the control QP (issue 4, DESIGN.md section 5.2): a request may name a region whose
 * registration is still pending; its QP waits for it, other QPs do not; a failed registration fails exactly the
 * requests that named it; a remote access to a pending rkey waits (RNR) instead of failing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PipelinedRegistrationTest
{
    private static final int LEN = 4096;

    private Device devA;
    private Device devB;
    private Context ctxA;
    private Context ctxB;
    private ProtectionDomain pdA;
    private ProtectionDomain pdB;
    private CompletionQueue cqA;
    private CompletionQueue cqB;
    private QueuePair qpA;
    private QueuePair qpB;
    private final LinkedBlockingQueue<AsyncEvent> eventsA = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<AsyncEvent> eventsB = new LinkedBlockingQueue<>();
    private final List<ControlFixture.MappedFile> files = new ArrayList<>();
    private final SendWorkRequest wr = new SendWorkRequest();

    @BeforeEach
    void open()
    {
        devA = ControlFixture.openDevice("a");
        devB = ControlFixture.openDevice("b");
        ctxA = devA.open();
        ctxB = devB.open();
        ctxA.onAsyncEvent(eventsA::add);
        ctxB.onAsyncEvent(eventsB::add);
        pdA = ctxA.allocPd();
        pdB = ctxB.allocPd();
        cqA = ctxA.createCq(256);
        cqB = ctxB.createCq(256);
        qpA = createQp(pdA, cqA);
        qpB = createQp(pdB, cqB);
        connect(qpA, qpB);
    }

    @AfterEach
    void close()
    {
        // Devices first: that deregisters every region (fenced), so the files can be unmapped safely.
        if (devA != null)
        {
            devA.close();
        }
        if (devB != null)
        {
            devB.close();
        }
        for (final ControlFixture.MappedFile file : files)
        {
            file.close();
        }
    }

    private ControlFixture.MappedFile mapFile(final long length)
    {
        final ControlFixture.MappedFile file = new ControlFixture.MappedFile(length);
        files.add(file);
        return file;
    }

    private static byte[] pattern(final int seed, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(seed * 31 + i * 7 + 1);
        }
        return bytes;
    }

    private static byte[] read(final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    private SendWorkRequest write(final long wrId, final MemoryRegion src, final long srcOffset,
        final long remoteAddress, final int rkey)
    {
        return wr.clear().wrId(wrId).opcode(Opcode.RDMA_WRITE).flags(SendFlags.SIGNALED)
            .sge(src, srcOffset, LEN).remote(remoteAddress, rkey);
    }

    @Test
    void registerMemoryAsyncReturnsAtOnceWithValidKeysAndAwaitRegisteredWaits()
    {
        final ControlFixture.MappedFile file = mapFile(BIG);
        final long start = System.nanoTime();
        final MemoryRegion mr = pdA.registerMemoryAsync(file.address, BIG, Access.LOCAL_WRITE | Access.REMOTE_WRITE);
        final long returned = System.nanoTime();
        assertTrue(mr.isPending(), "a 256 MiB file-backed registration must still be pending when the call returns");
        assertTrue(mr.lkey() != 0 && mr.rkey() != 0, "keys are valid at once");
        assertEquals(file.address, mr.address());
        assertEquals(BIG, mr.length());
        mr.awaitRegistered();
        final long registered = System.nanoTime();
        assertFalse(mr.isPending());
        System.out.printf("registerMemoryAsync(256 MiB file): returned in %.1f us, registered after %.1f ms%n",
            (returned - start) / 1e3, (registered - start) / 1e6);
        mr.close();
    }

    /** A WRITE posted while its source region is pending runs once registration finishes, and succeeds. */
    @Test
    void requestPostedBeforeRegistrationCompletesRunsAfterItAndSucceeds()
    {
        final ControlFixture.MappedFile file = mapFile(BIG);
        final long srcOffset = BIG - 2 * LEN; // near the end: the last pages to be pre-faulted
        final byte[] expected = pattern(1, LEN);
        new UnsafeBuffer(file.address + srcOffset, LEN).putBytes(0, expected);
        final MemoryRegion dst = pdB.allocateMemory(LEN, Access.LOCAL_WRITE | Access.REMOTE_WRITE);

        final MemoryRegion src = pdA.registerMemoryAsync(file.address, BIG, Access.LOCAL_WRITE);
        assertEquals(0, qpA.postSend(write(42, src, srcOffset, dst.address(), dst.rkey())));
        assertTrue(src.isPending(), "the region must still be pending right after the post (else this proves nothing)");

        int emptyPollsWhilePending = 0;
        final long deadline = System.nanoTime() + FixtureSupport.WAIT_NANOS;
        WorkCompletion wc;
        while ((wc = tryPoll(cqA)) == null)
        {
            if (src.isPending())
            {
                emptyPollsWhilePending++;
            }
            assertTrue(System.nanoTime() - deadline < 0, "no completion for the WRITE");
            Thread.yield();
        }
        assertFalse(src.isPending(), "the WRITE completed before its source region was registered");
        assertTrue(emptyPollsWhilePending > 0);
        assertEquals(42, wc.wrId());
        assertEquals(WcStatus.SUCCESS, wc.status(), wc.toString());
        assertEquals(WcOpcode.RDMA_WRITE, wc.opcode());
        assertArrayEquals(expected, read(dst.buffer(), 0, LEN), "the data did not arrive");
        assertEquals(QpState.RTS, qpA.state());
        src.awaitRegistered(); // returns normally
        assertNull(tryPoll(cqA));
    }

    /**
     * A QP stalled on a pending region does not stall another QP of the same context; later requests of the stalled
     * QP wait behind the stalled one.
     */
    @Test
    void qpStalledOnPendingRegionDoesNotStallAnotherQp()
    {
        // Second pair on the same contexts; both requester QPs report on cqA, so cqA's order is the engine's order.
        final QueuePair qpA2 = createQp(pdA, cqA);
        final QueuePair qpB2 = createQp(pdB, cqB);
        connect(qpA2, qpB2);

        final ControlFixture.MappedFile file = mapFile(BIG);
        final byte[] bigData = pattern(2, LEN);
        new UnsafeBuffer(file.address + BIG - LEN, LEN).putBytes(0, bigData);
        final MemoryRegion small = pdA.allocateMemory(2 * LEN, Access.LOCAL_WRITE);
        final byte[] smallData1 = pattern(3, LEN);
        final byte[] smallData2 = pattern(4, LEN);
        small.buffer().putBytes(0, smallData1);
        small.buffer().putBytes(LEN, smallData2);
        final MemoryRegion dst = pdB.allocateMemory(3 * LEN, Access.LOCAL_WRITE | Access.REMOTE_WRITE);

        final MemoryRegion big = pdA.registerMemoryAsync(file.address, BIG, Access.LOCAL_WRITE);
        assertEquals(0, qpA.postSend(write(1, big, BIG - LEN, dst.address(), dst.rkey())));
        assertEquals(0, qpA.postSend(write(2, small, 0, dst.address() + LEN, dst.rkey())));
        assertEquals(0, qpA2.postSend(write(3, small, LEN, dst.address() + 2 * LEN, dst.rkey())));

        final WorkCompletion first = poll(cqA, 1).get(0);
        final byte[] behindStalled = read(dst.buffer(), LEN, LEN);
        final boolean stillPending = big.isPending();
        assertEquals(3, first.wrId(), "the other QP's WRITE must complete first, got " + first);
        assertEquals(qpA2.qpNum(), first.qpNum());
        assertEquals(WcStatus.SUCCESS, first.status());
        assertTrue(stillPending, "the other QP's WRITE must complete while the big registration is still pending");
        assertArrayEquals(new byte[LEN], behindStalled,
            "a request behind the stalled one on the same QP ran while the region was pending");
        assertArrayEquals(smallData2, read(dst.buffer(), 2 * LEN, LEN));

        final List<WorkCompletion> rest = poll(cqA, 2);
        assertFalse(big.isPending());
        assertEquals(1, rest.get(0).wrId());
        assertEquals(2, rest.get(1).wrId());
        for (final WorkCompletion wc : rest)
        {
            assertEquals(qpA.qpNum(), wc.qpNum());
            assertEquals(WcStatus.SUCCESS, wc.status(), wc.toString());
        }
        assertArrayEquals(bigData, read(dst.buffer(), 0, LEN));
        assertArrayEquals(smallData1, read(dst.buffer(), LEN, LEN));
    }

    /** Synchronous control commands (create CQ/QP, modify, small registrations) do not queue behind a big one. */
    @Test
    void controlCommandsDoNotWaitForPendingRegistration()
    {
        final long huge = 4 * BIG; // 1 GiB: a wide margin for the dozen control commands below on a slow box
        final ControlFixture.MappedFile file = mapFile(huge);
        final MemoryRegion big = pdA.registerMemoryAsync(file.address, huge, Access.LOCAL_WRITE);
        assertTrue(big.isPending());
        final CompletionQueue cq = ctxA.createCq(16);
        final QueuePair q1 = createQp(pdA, cq);
        final QueuePair q2 = createQp(pdB, cqB);
        connect(q1, q2);
        final MemoryRegion small = pdA.allocateMemory(LEN, Access.LOCAL_WRITE);
        final MemoryRegion dst = pdB.allocateMemory(LEN, Access.LOCAL_WRITE | Access.REMOTE_WRITE);
        small.buffer().putLong(0, 0x1234_5678_9ABCL);
        assertEquals(0, q1.postSend(write(7, small, 0, dst.address(), dst.rkey())));
        final WorkCompletion wc = poll(cq, 1).get(0);
        final boolean stillPending = big.isPending();
        assertEquals(WcStatus.SUCCESS, wc.status());
        assertEquals(0x1234_5678_9ABCL, dst.buffer().getLong(0));
        assertTrue(stillPending, "create CQ, create/connect QPs, a small registration and a WRITE waited for the " +
            "1 GiB registration");
        big.awaitRegistered();
    }

    /**
     * An unmapped range fails registration: requests naming it complete LOC_PROT_ERR, later requests on those QPs
     * flush, the QPs go to ERR, MR_REGISTRATION_ERR is raised, awaitRegistered throws EFAULT; requests before it and
     * other QPs are unaffected. Repeated, so both orders (request reaches the engine before or after the failure)
     * are likely to occur; the outcome must be the same.
     */
    @Test
    void failedRegistrationFailsExactlyTheStalledRequests()
    {
        final MemoryRegion src = pdA.allocateMemory(LEN, Access.LOCAL_WRITE);
        src.buffer().putBytes(0, pattern(5, LEN));
        final MemoryRegion dst = pdB.allocateMemory(4 * LEN, Access.LOCAL_WRITE | Access.REMOTE_WRITE);
        int postedWhilePending = 0;
        for (int round = 0; round < 8; round++)
        {
            eventsA.clear();
            final CompletionQueue cq1 = ctxA.createCq(64);
            final CompletionQueue cq2 = ctxA.createCq(64);
            final CompletionQueue cq3 = ctxA.createCq(64);
            final QueuePair q1 = createQp(pdA, cq1); // names the bad region in its 2nd request
            final QueuePair q2 = createQp(pdA, cq2); // names it in its 1st request
            final QueuePair q3 = createQp(pdA, cq3); // never names it
            final QueuePair p1 = createQp(pdB, cqB);
            final QueuePair p2 = createQp(pdB, cqB);
            final QueuePair p3 = createQp(pdB, cqB);
            connect(q1, p1);
            connect(q2, p2);
            connect(q3, p3);

            final MemoryRegion bad = pdA.registerMemoryAsync(0x1000, 4096, Access.LOCAL_WRITE);
            assertEquals(0, q1.postSend(write(10, src, 0, dst.address(), dst.rkey())));
            assertEquals(0, q1.postSend(wr.clear().wrId(11).opcode(Opcode.RDMA_WRITE).flags(SendFlags.SIGNALED)
                .sge(bad, 0, 64).remote(dst.address(), dst.rkey())));
            assertEquals(0, q2.postSend(wr.clear().wrId(20).opcode(Opcode.SEND).flags(SendFlags.SIGNALED)
                .sge(bad, 128, 64)));
            if (bad.isPending())
            {
                postedWhilePending++;
            }
            assertEquals(0, q1.postSend(write(12, src, 0, dst.address() + LEN, dst.rkey())));
            assertEquals(0, q1.postSend(write(13, src, 0, dst.address() + 2 * LEN, dst.rkey())));
            assertEquals(0, q2.postSend(write(21, src, 0, dst.address() + 3 * LEN, dst.rkey())));
            assertEquals(0, q3.postSend(write(30, src, 0, dst.address(), dst.rkey())));

            final List<WorkCompletion> c1 = poll(cq1, 4);
            assertEquals(List.of(10L, 11L, 12L, 13L), c1.stream().map(WorkCompletion::wrId).toList());
            assertEquals(List.of(WcStatus.SUCCESS, WcStatus.LOC_PROT_ERR, WcStatus.WR_FLUSH_ERR, WcStatus.WR_FLUSH_ERR),
                c1.stream().map(WorkCompletion::status).toList(), c1.toString());
            final List<WorkCompletion> c2 = poll(cq2, 2);
            assertEquals(List.of(20L, 21L), c2.stream().map(WorkCompletion::wrId).toList());
            assertEquals(List.of(WcStatus.LOC_PROT_ERR, WcStatus.WR_FLUSH_ERR),
                c2.stream().map(WorkCompletion::status).toList(), c2.toString());
            final WorkCompletion c3 = poll(cq3, 1).get(0);
            assertEquals(30, c3.wrId());
            assertEquals(WcStatus.SUCCESS, c3.status());

            await(() -> q1.state() == QpState.ERR && q2.state() == QpState.ERR, "q1 and q2 in ERR");
            assertEquals(QpState.RTS, q3.state());
            assertNull(tryPoll(cq1));
            assertNull(tryPoll(cq2));
            assertNull(tryPoll(cq3));

            final VerbsException ex = assertThrows(VerbsException.class, bad::awaitRegistered);
            assertEquals(Errors.EFAULT, ex.errno());
            assertFalse(bad.isPending());
            final AsyncEvent event = pollEvent(eventsA, AsyncEventType.MR_REGISTRATION_ERR);
            assertNotNull(event, "no MR_REGISTRATION_ERR event");

            // q3 keeps working after the failure.
            assertEquals(0, q3.postSend(write(31, src, 0, dst.address(), dst.rkey())));
            assertEquals(WcStatus.SUCCESS, poll(cq3, 1).get(0).status());
            assertEquals(QpState.RTS, q3.state());

            bad.close();
            for (final QueuePair qp : List.of(q1, q2, q3, p1, p2, p3))
            {
                qp.close();
            }
            cq1.close();
            cq2.close();
            cq3.close();
        }
        System.out.println("failedRegistration: posted while still pending in " + postedWhilePending + "/8 rounds");
        drain(cqB);
    }

    private static void drain(final CompletionQueue cq)
    {
        while (tryPoll(cq) != null)
        {
            // peers' flushes, not asserted here
        }
    }

    private static AsyncEvent pollEvent(final LinkedBlockingQueue<AsyncEvent> events, final AsyncEventType type)
    {
        final long deadline = System.nanoTime() + FixtureSupport.WAIT_NANOS;
        while (System.nanoTime() - deadline < 0)
        {
            final AsyncEvent event;
            try
            {
                event = events.poll(100, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return null;
            }
            if (event != null && event.type() == type)
            {
                return event;
            }
        }
        return null;
    }

    /** A peer's RDMA_WRITE to an rkey whose registration is pending waits (RNR) and succeeds after it. */
    @Test
    void remoteWriteToPendingRkeyWaitsRatherThanFailing()
    {
        final ControlFixture.MappedFile file = mapFile(BIG);
        final MemoryRegion src = pdA.allocateMemory(LEN, Access.LOCAL_WRITE);
        final byte[] expected = pattern(6, LEN);
        src.buffer().putBytes(0, expected);

        final MemoryRegion target =
            pdB.registerMemoryAsync(file.address, BIG, Access.LOCAL_WRITE | Access.REMOTE_WRITE);
        final long targetOffset = BIG - LEN;
        assertEquals(0, qpA.postSend(write(50, src, 0, target.address() + targetOffset, target.rkey())));
        assertTrue(target.isPending(), "the target must still be pending right after the post");

        final long deadline = System.nanoTime() + FixtureSupport.WAIT_NANOS;
        WorkCompletion wc;
        while ((wc = tryPoll(cqA)) == null)
        {
            assertTrue(System.nanoTime() - deadline < 0, "no completion for the WRITE");
            Thread.yield();
        }
        assertFalse(target.isPending(), "the WRITE completed before the target was registered: " + wc);
        assertEquals(50, wc.wrId());
        assertEquals(WcStatus.SUCCESS, wc.status(), "a pending rkey must make the requester wait, not fail: " + wc);
        assertArrayEquals(expected, read(new UnsafeBuffer(file.address + targetOffset, LEN), 0, LEN));
        assertEquals(QpState.RTS, qpA.state());
        assertEquals(QpState.RTS, qpB.state());
        assertTrue(eventsB.stream().noneMatch(e -> e.type() == AsyncEventType.QP_ACCESS_ERR), eventsB.toString());
    }

    /** A SEND into a receive buffer whose registration is pending waits (RNR) and lands after it. */
    @Test
    void sendIntoPendingReceiveBufferWaits()
    {
        final ControlFixture.MappedFile file = mapFile(BIG);
        final MemoryRegion src = pdA.allocateMemory(LEN, Access.LOCAL_WRITE);
        final byte[] expected = pattern(7, 256);
        src.buffer().putBytes(0, expected);

        final MemoryRegion sink = pdB.registerMemoryAsync(file.address, BIG, Access.LOCAL_WRITE);
        assertEquals(0, qpB.postRecv(new RecvWorkRequest().wrId(77).sge(sink, BIG - LEN, LEN)));
        assertEquals(0, qpA.postSend(wr.clear().wrId(60).opcode(Opcode.SEND).flags(SendFlags.SIGNALED)
            .sge(src, 0, 256)));
        assertTrue(sink.isPending());

        final WorkCompletion sent = poll(cqA, 1).get(0);
        assertFalse(sink.isPending(), "the SEND completed before the receive buffer was registered");
        assertEquals(WcStatus.SUCCESS, sent.status(), sent.toString());
        final WorkCompletion recv = poll(cqB, 1).get(0);
        assertEquals(77, recv.wrId());
        assertEquals(WcStatus.SUCCESS, recv.status());
        assertEquals(WcOpcode.RECV, recv.opcode());
        assertEquals(256, recv.byteLen());
        assertArrayEquals(expected, read(new UnsafeBuffer(file.address + BIG - LEN, 256), 0, 256));
    }

    /** INLINE data is read at post time, so a pending inline source is refused with EAGAIN (SEMANTICS.md). */
    @Test
    void inlineSendFromPendingRegionIsRefusedWithEagain()
    {
        final ControlFixture.MappedFile file = mapFile(BIG);
        final MemoryRegion src = pdA.registerMemoryAsync(file.address, BIG, Access.LOCAL_WRITE);
        final int rc = qpA.postSend(wr.clear().wrId(1).opcode(Opcode.SEND).flags(SendFlags.SIGNALED | SendFlags.INLINE)
            .sge(src, 0, 64));
        final boolean stillPending = src.isPending();
        assertTrue(stillPending, "the region must still be pending right after the post (else this proves nothing)");
        assertEquals(Errors.EAGAIN, rc);
        src.awaitRegistered();
        assertNull(tryPoll(cqA));
        assertEquals(QpState.RTS, qpA.state());
    }

    /**
     * Deregistering a region while a QP is stalled on it: after close() returns the key is gone, so the stalled request
     * must fail (LOC_PROT_ERR) rather than wait forever; the QP must not hang.
     */
    @Test
    void deregisteringPendingRegionFailsTheStalledRequest()
    {
        final ControlFixture.MappedFile file = mapFile(BIG);
        final MemoryRegion dst = pdB.allocateMemory(LEN, Access.LOCAL_WRITE | Access.REMOTE_WRITE);
        final CompletionQueue cq2 = ctxA.createCq(16);
        final QueuePair qpA2 = createQp(pdA, cq2);
        final QueuePair qpB2 = createQp(pdB, cqB);
        connect(qpA2, qpB2);
        final MemoryRegion small = pdA.allocateMemory(LEN, Access.LOCAL_WRITE);
        final MemoryRegion big = pdA.registerMemoryAsync(file.address, BIG, Access.LOCAL_WRITE);
        assertEquals(0, qpA.postSend(write(90, big, 0, dst.address(), dst.rkey())));
        // Barrier: the engine runs doorbells in order, so once qpA2's WRITE completed, qpA has reached its request.
        assertEquals(0, qpA2.postSend(write(91, small, 0, dst.address(), dst.rkey())));
        assertEquals(WcStatus.SUCCESS, poll(cq2, 1).get(0).status());
        assertTrue(big.isPending(), "the region must still be pending when it is closed (else this proves nothing)");
        big.close();
        final WorkCompletion wc = poll(cqA, 1).get(0);
        assertEquals(90, wc.wrId());
        // Either it ran before the close (SUCCESS, only if registration finished first) or it failed; never a hang.
        if (wc.status() != WcStatus.SUCCESS)
        {
            assertEquals(WcStatus.LOC_PROT_ERR, wc.status(), wc.toString());
            await(() -> qpA.state() == QpState.ERR, "qpA in ERR");
        }
    }
}
