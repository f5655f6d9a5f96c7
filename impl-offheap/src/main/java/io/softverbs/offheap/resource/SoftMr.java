package io.softverbs.offheap.resource;

import io.softverbs.Access;
import io.softverbs.Errors;
import io.softverbs.MemoryRegion;
import io.softverbs.VerbsException;
import io.softverbs.offheap.engine.EngineFence;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A registered memory region ({@code ibv_mr}). Every engine access first checks key, PD, range, rights and state
 * here; deregistration invalidates the entry, then waits on the {@link EngineFence} so no engine is still inside a
 * copy that passed the check before.
 */
public final class SoftMr implements MemoryRegion
{
    /** Usable. */
    public static final int VALID = 0;
    /** Invalidated by LOCAL_INV or SEND_WITH_INV: the key no longer works. */
    public static final int INVALIDATED = 1;
    /** Deregistered. */
    public static final int DEREGISTERED = 2;

    private final SoftPd pd;
    private final KeyTable keys;
    private final int key;
    private final long address;
    private final long length;
    private final int access;
    private final long ownedAllocation;
    private volatile int state = VALID;

    SoftMr(final SoftPd pd, final KeyTable keys, final int key, final long address, final long length,
        final int access, final long ownedAllocation)
    {
        this.pd = pd;
        this.keys = keys;
        this.key = key;
        this.address = address;
        this.length = length;
        this.access = access;
        this.ownedAllocation = ownedAllocation;
    }

    /** @return the key (lkey == rkey). */
    public int key()
    {
        return key;
    }

    /** @return the owning protection domain. */
    public SoftPd pd()
    {
        return pd;
    }

    /** @return VALID, INVALIDATED or DEREGISTERED. */
    public int state()
    {
        return state;
    }

    /**
     * The one check every engine access goes through.
     *
     * @param pd       the PD of the QP doing the access.
     * @param address  start of the access.
     * @param length   bytes (0 allowed).
     * @param required {@link Access} bits required.
     * @return true if the access is allowed now.
     */
    public boolean permits(final SoftPd pd, final long address, final long length, final int required)
    {
        return state == VALID &&
            this.pd == pd &&
            (access & required) == required &&
            length >= 0 &&
            address >= this.address &&
            address - this.address <= this.length - length;
    }

    /**
     * Invalidates the key (LOCAL_INV, SEND_WITH_INV). Engine thread only.
     *
     * @return true if it was valid.
     */
    public boolean invalidate()
    {
        if (state == VALID)
        {
            state = INVALIDATED;
            return true;
        }
        return false;
    }

    @Override
    public int lkey()
    {
        return key;
    }

    @Override
    public int rkey()
    {
        return key;
    }

    @Override
    public long address()
    {
        return address;
    }

    @Override
    public long length()
    {
        return length;
    }

    @Override
    public int access()
    {
        return access;
    }

    @Override
    public AtomicBuffer buffer()
    {
        if (length > Integer.MAX_VALUE)
        {
            throw new VerbsException(Errors.EINVAL, "region of " + length + " bytes is too long for one buffer view; " +
                "use buffer(offset, length)");
        }
        return buffer(0, (int)length);
    }

    @Override
    public AtomicBuffer buffer(final long offset, final int length)
    {
        if (offset < 0 || length < 0 || offset > this.length - length)
        {
            throw new VerbsException(Errors.EINVAL, "view [" + offset + ", +" + length + ") outside region of " +
                this.length + " bytes");
        }
        return new UnsafeBuffer(address + offset, length);
    }

    @Override
    public boolean isPending()
    {
        return false;
    }

    @Override
    public void awaitRegistered()
    {
        if (state == DEREGISTERED)
        {
            throw new VerbsException(Errors.EINVAL, "region 0x" + Integer.toHexString(key) + " is deregistered");
        }
    }

    @Override
    public void close()
    {
        synchronized (this)
        {
            if (state == DEREGISTERED)
            {
                return;
            }
            state = DEREGISTERED;
        }
        keys.remove(this);
        EngineFence.await();
        if (ownedAllocation != 0)
        {
            UnsafeApi.freeMemory(ownedAllocation);
        }
        pd.forget(this);
    }

    @Override
    public String toString()
    {
        return "MemoryRegion{key=0x" + Integer.toHexString(key) + ", address=0x" + Long.toHexString(address) +
            ", length=" + length + ", access=" + Access.toString(access) + '}';
    }
}
