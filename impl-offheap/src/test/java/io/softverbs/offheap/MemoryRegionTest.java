package io.softverbs.offheap;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

import io.softverbs.Access;
import io.softverbs.Errors;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.softverbs.offheap.TestSupport.assertPattern;
import static io.softverbs.offheap.TestSupport.assertVerbsError;
import static io.softverbs.offheap.TestSupport.assertZero;
import static io.softverbs.offheap.TestSupport.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way to register memory, a region beyond 2 GiB, and the shape of the keys. */
@Timeout(60)
class MemoryRegionTest
{
    private static final int REMOTE_RW = Access.LOCAL_WRITE | Access.REMOTE_WRITE | Access.REMOTE_READ;

    private Pair pair;
    private MemoryRegion src;
    /** Direct buffers under registered regions; a field so they stay reachable until the pair is closed. */
    private ByteBuffer keepAlive;

    @BeforeEach
    void setUp()
    {
        pair = Pair.open();
        src = pair.a.alloc(4096, Access.LOCAL_WRITE);
        fill(src.buffer(), 0, 4096, 21);
    }

    @AfterEach
    void tearDown()
    {
        if (pair != null)
        {
            pair.close();
        }
        keepAlive = null;
    }

    /** RDMA WRITEs {@code length} bytes of pattern 21 from A to {@code address} in region {@code target} of B. */
    private void writeTo(final MemoryRegion target, final long address, final int length)
    {
        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(1).opcode(Opcode.RDMA_WRITE)
            .flags(SendFlags.SIGNALED).sge(src, 0, length).remote(address, target.rkey())));
        final WorkCompletion wc = pair.pollOne(pair.a.sendCq);
        assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
    }

    @Test
    void directByteBufferFromPositionToLimit()
    {
        keepAlive = ByteBuffer.allocateDirect(8192);
        keepAlive.position(1000).limit(5000);
        final MemoryRegion mr = pair.b.pd.registerMemory(keepAlive, REMOTE_RW);
        assertEquals(BufferUtil.address(keepAlive) + 1000, mr.address());
        assertEquals(4000, mr.length());
        assertEquals(REMOTE_RW, mr.access());

        writeTo(mr, mr.address() + 100, 256);
        for (int i = 0; i < 256; i++)
        {
            assertEquals(TestSupport.patternByte(21, i), keepAlive.get(1100 + i), "byte " + i);
        }
        assertEquals(0, keepAlive.get(1099));
        assertEquals(0, keepAlive.get(1356));
    }

    @Test
    void rawAddressOfADirectBuffer()
    {
        keepAlive = ByteBuffer.allocateDirect(4096);
        final long address = BufferUtil.address(keepAlive);
        final MemoryRegion mr = pair.b.pd.registerMemory(address, 4096, REMOTE_RW);
        assertEquals(address, mr.address());
        assertEquals(4096, mr.length());

        writeTo(mr, address + 4096 - 300, 300);
        final UnsafeBuffer view = new UnsafeBuffer(keepAlive);
        assertPattern(view, 4096 - 300, 300, 21, 0);
        assertZero(view, 0, 4096 - 300);
    }

    @Test
    void agronaUnsafeBufferOverADirectBuffer()
    {
        keepAlive = ByteBuffer.allocateDirect(4096);
        final UnsafeBuffer buffer = new UnsafeBuffer(keepAlive, 512, 2048);
        final MemoryRegion mr = pair.b.pd.registerMemory(buffer, REMOTE_RW);
        assertEquals(buffer.addressOffset(), mr.address());
        assertEquals(2048, mr.length());

        writeTo(mr, mr.address(), 2048);
        assertPattern(buffer, 0, 2048, 21, 0);
        assertPattern(mr.buffer(), 0, 2048, 21, 0);
    }

    @Test
    void allocateMemoryIsZeroedAlignedAndUsable()
    {
        final MemoryRegion mr = pair.b.pd.allocateMemory(64 * 1024, REMOTE_RW);
        assertEquals(0, mr.address() & 4095, "4 KiB aligned");
        assertEquals(64 * 1024, mr.length());
        assertEquals(64 * 1024, mr.buffer().capacity());
        assertZero(mr.buffer(), 0, 64 * 1024);

        // Read it back from the other side after filling it locally.
        fill(mr.buffer(), 0, 64 * 1024, 22);
        final MemoryRegion sink = pair.a.alloc(64 * 1024, Access.LOCAL_WRITE);
        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(2).opcode(Opcode.RDMA_READ)
            .flags(SendFlags.SIGNALED).sge(sink, 0, 64 * 1024).remote(mr.address(), mr.rkey())));
        final WorkCompletion wc = pair.pollOne(pair.a.sendCq);
        assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
        assertEquals(64 * 1024, wc.byteLen());
        assertPattern(sink.buffer(), 0, 64 * 1024, 22, 0);
    }

    @Test
    @Timeout(120) // allocateMemory zeroes 3 GiB: first-touch page faults alone took ~20 s on the 2-core sandbox
    void regionLongerThanTwoGibibytes()
    {
        final long length = 3L << 30;
        final MemoryRegion big = pair.b.pd.allocateMemory(length, REMOTE_RW);
        assertEquals(length, big.length());
        // A single AtomicBuffer cannot span it.
        assertVerbsError(Errors.EINVAL, big::buffer);

        final long offset = (5L << 29) + 123; // 2.5 GiB + 123: past every int offset
        writeTo(big, big.address() + offset, 4096);
        assertPattern(big.buffer(offset, 4096), 0, 4096, 21, 0);
        assertZero(big.buffer(offset - 64, 64), 0, 64);
        assertZero(big.buffer(offset + 4096, 64), 0, 64);

        // The last 8 bytes are reachable too, and a READ from above 2 GiB returns what was written.
        writeTo(big, big.address() + length - 8, 8);
        assertPattern(big.buffer(length - 8, 8), 0, 8, 21, 0);
        final MemoryRegion sink = pair.a.alloc(4096, Access.LOCAL_WRITE);
        assertEquals(0, pair.qpA.postSend(new SendWorkRequest().wrId(3).opcode(Opcode.RDMA_READ)
            .flags(SendFlags.SIGNALED).sge(sink, 0, 4096).remote(big.address() + offset, big.rkey())));
        final WorkCompletion wc = pair.pollOne(pair.a.sendCq);
        assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
        assertPattern(sink.buffer(), 0, 4096, 21, 0);
        big.close(); // frees 3 GiB now rather than at tearDown
    }

    @Test
    void keysHaveARandomNonZeroLowByte()
    {
        keepAlive = ByteBuffer.allocateDirect(4096);
        final long address = BufferUtil.address(keepAlive);
        final Set<Integer> liveKeys = new HashSet<>();
        final Set<Integer> lowBytes = new HashSet<>();
        final MemoryRegion[] live = new MemoryRegion[32];
        for (int i = 0; i < live.length; i++)
        {
            live[i] = pair.b.pd.registerMemory(address, 4096, REMOTE_RW);
            assertEquals(live[i].lkey(), live[i].rkey(), "lkey == rkey");
            assertNotEquals(0, live[i].rkey() & 0xFF, "key byte is never 0");
            assertTrue(liveKeys.add(live[i].rkey()), "live regions have distinct keys");
            lowBytes.add(live[i].rkey() & 0xFF);
        }
        // Re-registering after deregistration (which may reuse a table slot) also draws a fresh key byte.
        for (int i = 0; i < 32; i++)
        {
            try (MemoryRegion mr = pair.b.pd.registerMemory(address, 4096, REMOTE_RW))
            {
                assertNotEquals(0, mr.rkey() & 0xFF, "key byte is never 0");
                lowBytes.add(mr.rkey() & 0xFF);
            }
        }
        // 64 draws of a random byte all being equal has probability 255^-63: a constant byte is a bug.
        assertTrue(lowBytes.size() > 1, () -> "key bytes vary: " + lowBytes);
        for (final MemoryRegion mr : live)
        {
            mr.close();
        }
    }

    /**
     * A region registered right after one was deregistered takes the same table slot (the free list is last in,
     * first out), and its key must differ from the dead one, or the dead key would work again. With a random key
     * byte alone that happened once in 255 (InlineSendTest failed on it in CI).
     */
    @Test
    void aReusedSlotNeverGetsTheKeyItHadLast()
    {
        keepAlive = ByteBuffer.allocateDirect(4096);
        final long address = BufferUtil.address(keepAlive);
        int previous = 0; // never a key
        for (int i = 0; i < 2000; i++) // with a random byte alone, 2000 reuses collide with odds 1 - (254/255)^2000
        {
            final MemoryRegion mr = pair.b.pd.registerMemory(address, 4096, REMOTE_RW);
            final int key = mr.rkey();
            mr.close();
            if (previous != 0)
            {
                assertEquals(previous >>> 8, key >>> 8, "the slot is reused");
                assertNotEquals(previous, key, "a reused slot's new key");
            }
            previous = key;
        }
    }
}
