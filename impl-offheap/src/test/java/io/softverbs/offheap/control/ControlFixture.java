package io.softverbs.offheap.control;

import java.io.File;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import io.softverbs.CompletionQueue;
import io.softverbs.Device;
import io.softverbs.DeviceConfig;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpInit;
import io.softverbs.QueuePair;
import io.softverbs.Verbs;
import io.softverbs.WorkCompletion;
import org.agrona.BufferUtil;
import org.agrona.IoUtil;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Small fixture of the control-QP tests: uniquely named mem devices, bounded polling (no sleeps), connected QP pairs
 * and file-backed regions that are slow to register.
 */
final class ControlFixture
{
    /** Longest any bounded wait lasts before the test fails. */
    static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(20);
    /** 256 MiB: pre-faulting a fresh file mapping this large takes tens of milliseconds. */
    static final long BIG = 256L << 20;

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private ControlFixture()
    {
    }

    /** @return a device on the mem transport with a name no other test uses. */
    static Device openDevice(final String prefix)
    {
        return Verbs.open(DeviceConfig.builder(uniqueName(prefix)).build());
    }

    /** @return a device name unique in this JVM. */
    static String uniqueName(final String prefix)
    {
        return "ctl-" + prefix + "-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    }

    /** @return an RC QP of {@code pd} using {@code cq} for both directions. */
    static QueuePair createQp(final ProtectionDomain pd, final CompletionQueue cq)
    {
        return pd.createQueuePair(QpInit.builder().sendCq(cq).recvCq(cq).maxSendWr(64).maxRecvWr(64).build());
    }

    /** Connects two QPs to each other (RESET to RTS with the defaults). */
    static void connect(final QueuePair a, final QueuePair b)
    {
        a.connect(b.localEndpoint());
        b.connect(a.localEndpoint());
    }

    /** Waits for a condition with a deadline; fails with {@code what} on timeout. */
    static void await(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + WAIT_NANOS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out waiting for " + what);
            }
            Thread.yield();
        }
    }

    /** Polls until exactly {@code n} completions were taken (never more); fails after {@link #WAIT_NANOS}. */
    static List<WorkCompletion> poll(final CompletionQueue cq, final int n)
    {
        final long deadline = System.nanoTime() + WAIT_NANOS;
        final List<WorkCompletion> got = new ArrayList<>(n);
        final WorkCompletion[] one = {new WorkCompletion()};
        while (got.size() < n)
        {
            if (cq.poll(one) == 1)
            {
                got.add(one[0]);
                one[0] = new WorkCompletion();
            }
            else if (System.nanoTime() - deadline > 0)
            {
                fail("expected " + n + " completions, got " + got.size() + ": " + got);
            }
            else
            {
                Thread.yield();
            }
        }
        return got;
    }

    /** @return the next completion, or null if the CQ is empty right now. */
    static WorkCompletion tryPoll(final CompletionQueue cq)
    {
        final WorkCompletion[] one = {new WorkCompletion()};
        return cq.poll(one) == 1 ? one[0] : null;
    }

    /** A sparse temp file mapped READ_WRITE: its pages are not resident until touched. Deleted on close. */
    static final class MappedFile implements AutoCloseable
    {
        final File dir;
        final File file;
        final MappedByteBuffer buffer;
        final long address;
        final long length;

        MappedFile(final long length)
        {
            try
            {
                dir = Files.createTempDirectory("softverbs-issue4-").toFile();
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
            file = new File(dir, "region.map");
            dir.deleteOnExit();
            file.deleteOnExit();
            this.length = length;
            this.buffer = IoUtil.mapNewFile(file, length, false);
            this.address = BufferUtil.address(buffer);
        }

        /** Unmaps and deletes; close the regions over it first. */
        @Override
        public void close()
        {
            IoUtil.unmap(buffer);
            if ((!file.delete() && file.exists()) || (!dir.delete() && dir.exists()))
            {
                throw new IllegalStateException("could not delete " + file);
            }
        }
    }
}
