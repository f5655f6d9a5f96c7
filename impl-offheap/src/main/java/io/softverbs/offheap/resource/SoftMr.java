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
    /** Registration still in progress in the control stage: accesses wait. */
    public static final int PENDING = 3;
    /** Registration failed: the key never becomes usable. */
    public static final int FAILED = 4;

    /** {@link #check} result: the access is allowed now. */
    public static final int ALLOWED = 0;
    /** {@link #check} result: the access is not allowed. */
    public static final int DENIED = 1;
    /** {@link #check} result: the access would be allowed once registration completes. */
    public static final int WAIT = 2;

    private final SoftPd pd;
    private final KeyTable keys;
    private final int key;
    private final long address;
    private final long length;
    private final int access;
    private final long ownedAllocation;
    private volatile int state = PENDING;

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
     * @return {@link #ALLOWED}, {@link #DENIED}, or {@link #WAIT} while registration is pending.
     */
    public int check(final SoftPd pd, final long address, final long length, final int required)
    {
        final int current = state;
        if ((current != VALID && current != PENDING) ||
            this.pd != pd ||
            (access & required) != required ||
            length < 0 ||
            address < this.address ||
            address - this.address > this.length - length)
        {
            return DENIED;
        }
        return current == VALID ? ALLOWED : WAIT;
    }

    /** @return the owning key table. */
    KeyTable keys()
    {
        return keys;
    }

    /**
     * Control stage: moves the registration state.
     *
     * @param expected the state it must be in.
     * @param next     the new state.
     * @return true if it was in the expected state.
     */
    synchronized boolean transition(final int expected, final int next)
    {
        if (state != expected)
        {
            return false;
        }
        state = next;
        notifyAll();
        return true;
    }

    /**
     * Invalidates the key (LOCAL_INV, SEND_WITH_INV). Engine thread only.
     *
     * @return true if it was valid.
     */
    public boolean invalidate()
    {
        return transition(VALID, INVALIDATED);
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
            throw Text.tooLongForOneView(length);
        }
        return buffer(0, (int)length);
    }

    @Override
    public AtomicBuffer buffer(final long offset, final int length)
    {
        if (offset < 0 || length < 0 || offset > this.length - length)
        {
            throw Text.viewOutside(offset, length, this.length);
        }
        return new UnsafeBuffer(address + offset, length);
    }

    @Override
    public boolean isPending()
    {
        return state == PENDING;
    }

    @Override
    public void awaitRegistered()
    {
        synchronized (this)
        {
            boolean interrupted = false;
            while (state == PENDING)
            {
                try
                {
                    wait(100);
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
        final int current = state;
        if (current == FAILED)
        {
            throw Text.registrationFailed(this, failureReason);
        }
        if (current == DEREGISTERED)
        {
            throw Text.deregistered(key);
        }
    }

    private volatile String failureReason;

    void failureReason(final String reason)
    {
        failureReason = reason;
    }

    @Override
    public void close()
    {
        if (pd.deregister(this))
        {
            // No post and no engine may still be inside a copy that passed the check before the key went away.
            pd.awaitInlineReads();
            EngineFence.await();
            if (ownedAllocation != 0)
            {
                UnsafeApi.freeMemory(ownedAllocation);
            }
        }
    }

    /**
     * Control stage: takes the key out of service.
     *
     * @return true if this call deregistered it.
     */
    synchronized boolean retire()
    {
        if (state == DEREGISTERED)
        {
            return false;
        }
        state = DEREGISTERED;
        notifyAll();
        keys.remove(this);
        return true;
    }

    @Override
    public String toString()
    {
        return Text.describe(key, address, length, access);
    }

    /** This class's text, kept out of its constant pool (see {@code SoftCq.Text}). */
    private static final class Text
    {
        private Text()
        {
        }

        static VerbsException tooLongForOneView(final long length)
        {
            return new VerbsException(Errors.EINVAL,
                "region of " + length + " bytes is too long for one buffer view; use buffer(offset, length)");
        }

        static VerbsException viewOutside(final long offset, final int length, final long regionLength)
        {
            return new VerbsException(Errors.EINVAL,
                "view [" + offset + ", +" + length + ") outside region of " + regionLength + " bytes");
        }

        static VerbsException registrationFailed(final SoftMr mr, final String reason)
        {
            return new VerbsException(Errors.EFAULT, "registration of " + mr + " failed: " + reason);
        }

        static VerbsException deregistered(final int key)
        {
            return new VerbsException(Errors.EINVAL, "region 0x" + Integer.toHexString(key) + " is deregistered");
        }

        static String describe(final int key, final long address, final long length, final int access)
        {
            return "MemoryRegion{key=0x" + Integer.toHexString(key) + ", address=0x" + Long.toHexString(address) +
                ", length=" + length + ", access=" + Access.toString(access) + '}';
        }
    }
}
