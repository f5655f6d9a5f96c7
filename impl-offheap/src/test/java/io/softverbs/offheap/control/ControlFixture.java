package io.softverbs.offheap.control;

import java.io.File;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;

import io.softverbs.CompletionQueue;
import io.softverbs.Device;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpInit;
import io.softverbs.QueuePair;
import io.softverbs.offheap.FixtureSupport;
import org.agrona.BufferUtil;
import org.agrona.IoUtil;

/**
 * Small fixture of the control-QP tests: uniquely named mem devices, RC QPs and file-backed regions that are slow to
 * register; bounded polling and connecting are in {@link FixtureSupport}.
 */
final class ControlFixture
{
    /** 256 MiB: pre-faulting a fresh file mapping this large takes tens of milliseconds. */
    static final long BIG = 256L << 20;

    private ControlFixture()
    {
    }

    /** @return a device on the mem transport with a name no other test uses. */
    static Device openDevice(final String prefix)
    {
        return FixtureSupport.openDevice("ctl-" + prefix);
    }

    /** @return a device name unique in this JVM. */
    static String uniqueName(final String prefix)
    {
        return FixtureSupport.uniqueName("ctl-" + prefix);
    }

    /** @return an RC QP of {@code pd} using {@code cq} for both directions. */
    static QueuePair createQp(final ProtectionDomain pd, final CompletionQueue cq)
    {
        return pd.createQueuePair(QpInit.builder().sendCq(cq).recvCq(cq).maxSendWr(64).maxRecvWr(64).build());
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
