package io.softverbs.offheap.chronicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.softverbs.Access;
import io.softverbs.CompletionQueue;
import io.softverbs.Context;
import io.softverbs.Device;
import io.softverbs.DeviceConfig;
import io.softverbs.Errors;
import io.softverbs.MemoryRegion;
import io.softverbs.Opcode;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpInit;
import io.softverbs.QueuePair;
import io.softverbs.SendFlags;
import io.softverbs.SendWorkRequest;
import io.softverbs.Verbs;
import io.softverbs.VerbsException;
import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import net.openhft.chronicle.bytes.BytesStore;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChronicleMemoryTest
{
    private static final AtomicInteger DEVICE_IDS = new AtomicInteger();
    private static final int SIZE = 4096;

    @Test
    void rdmaWriteLandsInBytesStoreAndReadComesOutOfIt()
    {
        final BytesStore<?, Void> store = BytesStore.nativeStoreWithFixedCapacity(SIZE);
        try (Pair pair = new Pair())
        {
            final MemoryRegion target = ChronicleMemory.register(pair.pdB, store,
                Access.LOCAL_WRITE | Access.REMOTE_WRITE | Access.REMOTE_READ);
            assertEquals(store.addressForRead(0), target.address(), "registered in place, not copied");
            assertEquals(SIZE, target.length());
            assertEquals(2, store.refCount(), "the region holds a reservation on the store");

            final MemoryRegion source = pair.pdA.allocateMemory(SIZE, Access.LOCAL_WRITE);
            for (int i = 0; i < SIZE; i++)
            {
                source.buffer().putByte(i, (byte)(i * 31 + 7));
            }

            final SendWorkRequest wr = new SendWorkRequest()
                .wrId(1)
                .opcode(Opcode.RDMA_WRITE)
                .flags(SendFlags.SIGNALED)
                .sge(source, 0, SIZE)
                .remote(target.address(), target.rkey());
            assertEquals(0, pair.qpA.postSend(wr));
            WorkCompletion wc = pair.awaitCompletion(pair.cqA);
            assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
            assertEquals(WcOpcode.RDMA_WRITE, wc.opcode());
            assertEquals(1, wc.wrId());

            for (int i = 0; i < SIZE; i++)
            {
                final int index = i;
                assertEquals((byte)(i * 31 + 7), store.readByte(i), () -> "byte " + index + " read through Chronicle");
            }

            // Chronicle writes, the peer RDMA READs the store (Read V2: the sink needs only LOCAL_WRITE).
            store.writeLong(8, 0x0123_4567_89AB_CDEFL);
            final MemoryRegion sink = pair.pdA.allocateMemory(64, Access.LOCAL_WRITE);
            wr.clear()
                .wrId(2)
                .opcode(Opcode.RDMA_READ)
                .flags(SendFlags.SIGNALED)
                .sge(sink, 0, 16)
                .remote(target.address(), target.rkey());
            assertEquals(0, pair.qpA.postSend(wr));
            wc = pair.awaitCompletion(pair.cqA);
            assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
            assertEquals(WcOpcode.RDMA_READ, wc.opcode());
            assertEquals(16, wc.byteLen());
            assertEquals(store.readLong(0), sink.buffer().getLong(0));
            assertEquals(0x0123_4567_89AB_CDEFL, sink.buffer().getLong(8));

            target.close();
            assertEquals(1, store.refCount(), "closing the region releases its reservation");
            target.close();
            assertEquals(1, store.refCount(), "double close is a no-op");
        }
        finally
        {
            store.releaseLast();
        }
    }

    @Test
    void heapStoreIsRejectedWithEinval()
    {
        final BytesStore<?, byte[]> heap = BytesStore.wrap(new byte[SIZE]);
        try (Device device = Verbs.open(DeviceConfig.builder(uniqueName("heap")).build()))
        {
            final ProtectionDomain pd = device.open().allocPd();
            final VerbsException ex = assertThrows(VerbsException.class,
                () -> ChronicleMemory.register(pd, heap, Access.LOCAL_WRITE | Access.REMOTE_WRITE));
            assertEquals(Errors.EINVAL, ex.errno(), ex::getMessage);
            assertEquals(1, heap.refCount(), "a rejected store keeps no reservation");
        }
        finally
        {
            heap.releaseLast();
        }
    }

    @Test
    void badAccessReleasesTheReservation()
    {
        final BytesStore<?, Void> store = BytesStore.nativeStoreWithFixedCapacity(SIZE);
        try (Device device = Verbs.open(DeviceConfig.builder(uniqueName("access")).build()))
        {
            final ProtectionDomain pd = device.open().allocPd();
            // REMOTE_WRITE without LOCAL_WRITE is EINVAL, as in libibverbs.
            final VerbsException ex = assertThrows(VerbsException.class,
                () -> ChronicleMemory.register(pd, store, Access.REMOTE_WRITE));
            assertEquals(Errors.EINVAL, ex.errno(), ex::getMessage);
            assertEquals(1, store.refCount());
        }
        finally
        {
            store.releaseLast();
        }
    }

    private static String uniqueName(final String what)
    {
        return "chronicle-" + what + "-" + DEVICE_IDS.incrementAndGet() + "-" + ProcessHandle.current().pid();
    }

    /** Two devices on mem, one context each, one connected RC QP pair; A's CQ is shared by send and receive. */
    private static final class Pair implements AutoCloseable
    {
        final Device devA;
        final Device devB;
        final ProtectionDomain pdA;
        final ProtectionDomain pdB;
        final CompletionQueue cqA;
        final CompletionQueue cqB;
        final QueuePair qpA;
        final QueuePair qpB;
        private final WorkCompletion[] wcs = {new WorkCompletion()};

        Pair()
        {
            devA = Verbs.open(DeviceConfig.builder(uniqueName("a")).build());
            try
            {
                devB = Verbs.open(DeviceConfig.builder(uniqueName("b")).build());
            }
            catch (final RuntimeException ex)
            {
                devA.close();
                throw ex;
            }
            try
            {
                final Context ctxA = devA.open();
                final Context ctxB = devB.open();
                pdA = ctxA.allocPd();
                pdB = ctxB.allocPd();
                cqA = ctxA.createCq(16);
                cqB = ctxB.createCq(16);
                qpA = pdA.createQueuePair(QpInit.builder().sendCq(cqA).recvCq(cqA).build());
                qpB = pdB.createQueuePair(QpInit.builder().sendCq(cqB).recvCq(cqB).build());
                qpA.connect(qpB.localEndpoint());
                qpB.connect(qpA.localEndpoint());
            }
            catch (final RuntimeException ex)
            {
                close();
                throw ex;
            }
        }

        /** Polls until one completion arrives; fails after 10 s. The returned object is reused by the next call. */
        WorkCompletion awaitCompletion(final CompletionQueue cq)
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (cq.poll(wcs) == 0)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    fail("no completion within 10 s");
                }
                Thread.onSpinWait();
            }
            return wcs[0];
        }

        @Override
        public void close()
        {
            try
            {
                if (devB != null)
                {
                    devB.close();
                }
            }
            finally
            {
                devA.close();
            }
        }
    }
}
