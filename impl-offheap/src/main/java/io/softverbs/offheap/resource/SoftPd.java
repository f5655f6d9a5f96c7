package io.softverbs.offheap.resource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.softverbs.Access;
import io.softverbs.Errors;
import io.softverbs.MemoryRegion;
import io.softverbs.ProtectionDomain;
import io.softverbs.QpInit;
import io.softverbs.QueuePair;
import io.softverbs.SharedReceiveQueue;
import io.softverbs.SharedSendQueue;
import io.softverbs.SrqInit;
import io.softverbs.SsqInit;
import io.softverbs.VerbsException;
import io.softverbs.offheap.SoftContext;
import io.softverbs.offheap.host.RingLock;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

/** A protection domain ({@code ibv_pd}): memory regions and QPs that may work together. */
public final class SoftPd implements ProtectionDomain
{
    private static final long PAGE = 4096;

    private final SoftContext context;
    private final KeyTable keys;
    private final Set<SoftMr> regions = ConcurrentHashMap.newKeySet();
    /** Locks of this PD's send queues, under which posts read inline sources (only this PD's regions can be one). */
    private final Set<RingLock> sendLocks = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param context owning context.
     * @param keys    the device's key table.
     */
    public SoftPd(final SoftContext context, final KeyTable keys)
    {
        this.context = context;
        this.keys = keys;
    }

    /** @return owning context. */
    public SoftContext context()
    {
        return context;
    }

    @Override
    public MemoryRegion registerMemory(final ByteBuffer direct, final int access)
    {
        if (direct == null || !direct.isDirect())
        {
            throw new VerbsException(Errors.EINVAL, "only direct ByteBuffers can be registered (the engine " +
                "reaches memory by address; heap buffers move)");
        }
        return await(register(BufferUtil.address(direct) + direct.position(), direct.remaining(), access, 0, false));
    }

    @Override
    public MemoryRegion registerMemory(final long address, final long length, final int access)
    {
        return await(register(address, length, access, 0, true));
    }

    @Override
    public MemoryRegion registerMemory(final DirectBuffer buffer, final int access)
    {
        if (buffer == null || buffer.byteArray() != null || buffer.addressOffset() == 0)
        {
            throw new VerbsException(Errors.EINVAL, "only off-heap Agrona buffers can be registered");
        }
        return await(register(buffer.addressOffset(), buffer.capacity(), access, 0, false));
    }

    @Override
    public MemoryRegion allocateMemory(final long length, final int access)
    {
        checkRegistration(1, length, access);
        if (length > Long.MAX_VALUE - PAGE)
        {
            throw new VerbsException(Errors.EINVAL, "length too large: " + length);
        }
        final long raw;
        try
        {
            raw = UnsafeApi.allocateMemory(length + PAGE);
        }
        catch (final OutOfMemoryError ex)
        {
            throw new VerbsException(Errors.ENOMEM, "cannot allocate " + length + " bytes off-heap", ex);
        }
        final long aligned = (raw + PAGE - 1) & -PAGE;
        UnsafeApi.setMemory(aligned, length, (byte)0);
        try
        {
            return await(register(aligned, length, access, raw, false));
        }
        catch (final RuntimeException ex)
        {
            UnsafeApi.freeMemory(raw);
            throw ex;
        }
    }

    @Override
    public MemoryRegion registerMemoryAsync(final long address, final long length, final int access)
    {
        return register(address, length, access, 0, true);
    }

    /**
     * Every registration goes through the control QP: the keys are valid at once (pending), the control stage
     * validates, pre-faults and publishes. The synchronous forms wait for that.
     */
    private SoftMr register(
        final long address, final long length, final int access, final long owned, final boolean validateMapping)
    {
        checkOpen();
        checkRegistration(address, length, access);
        final int key = keys.allocateKey();
        final SoftMr mr = new SoftMr(this, keys, key, address, length, access, owned);
        regions.add(mr);
        keys.insert(mr);
        context.engine().submit(new RegistrationCommand(context, mr, validateMapping));
        return mr;
    }

    private SoftMr await(final SoftMr mr)
    {
        context.awaitControl(mr::isPending);
        try
        {
            mr.awaitRegistered();
        }
        catch (final VerbsException ex)
        {
            regions.remove(mr);
            throw ex;
        }
        return mr;
    }

    /**
     * Deregistration through the control QP.
     *
     * @param mr the region.
     * @return true if this call took it out of service (the caller then fences and frees).
     */
    boolean deregister(final SoftMr mr)
    {
        final boolean[] retired = new boolean[1];
        context.execute(() ->
        {
            retired[0] = mr.retire();
            context.engine().wakeStalled(); // QPs stalled on it while it was pending now fail their request
        });
        regions.remove(mr);
        return retired[0];
    }

    private static void checkRegistration(final long address, final long length, final int access)
    {
        if ((access & ~Access.ALL) != 0)
        {
            throw new VerbsException(Errors.EINVAL, "unknown access bits 0x" + Integer.toHexString(access));
        }
        if ((access & (Access.REMOTE_WRITE | Access.REMOTE_ATOMIC)) != 0 && (access & Access.LOCAL_WRITE) == 0)
        {
            throw new VerbsException(Errors.EINVAL, "REMOTE_WRITE and REMOTE_ATOMIC require LOCAL_WRITE: " +
                Access.toString(access));
        }
        if (length <= 0)
        {
            throw new VerbsException(Errors.EINVAL, "region length must be positive: " + length);
        }
        if (address == 0 || address + length < address)
        {
            throw new VerbsException(Errors.EINVAL, "bad region address 0x" + Long.toHexString(address) +
                " length " + length);
        }
    }

    @Override
    public QueuePair createQueuePair(final QpInit init)
    {
        checkOpen();
        return context.createQp(this, init);
    }

    @Override
    public SharedReceiveQueue createSrq(final SrqInit init)
    {
        checkOpen();
        return context.createSrq(this, init);
    }

    @Override
    public SharedSendQueue createSharedSendQueue(final SsqInit init)
    {
        checkOpen();
        return context.createSsq(this, init);
    }

    /** A send queue of this PD was created. @param lock the lock its posts read inline sources under. */
    void addSendLock(final RingLock lock)
    {
        sendLocks.add(lock);
    }

    /** A send queue of this PD was destroyed. @param lock its lock. */
    void removeSendLock(final RingLock lock)
    {
        sendLocks.remove(lock);
    }

    /**
     * Deregistration, after the region became invalid: waits until no post that may have passed its inline-source
     * check before that is still copying from it. Posts check and copy under their send queue's lock.
     */
    void awaitInlineReads()
    {
        for (final RingLock lock : sendLocks)
        {
            lock.awaitRelease();
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new VerbsException(Errors.EINVAL, "protection domain is closed");
        }
    }

    @Override
    public void close()
    {
        closed = true;
        for (final SoftMr mr : new ArrayList<>(regions))
        {
            mr.close();
        }
    }
}
