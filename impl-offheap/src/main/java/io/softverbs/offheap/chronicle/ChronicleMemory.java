package io.softverbs.offheap.chronicle;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

import org.agrona.concurrent.AtomicBuffer;

import io.softverbs.Access;
import io.softverbs.Errors;
import io.softverbs.MemoryRegion;
import io.softverbs.ProtectionDomain;
import io.softverbs.VerbsException;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.core.io.ReferenceOwner;

/**
 * Registers Chronicle Bytes memory for RDMA without copying: the counterpart of {@code ibv_reg_mr} over the
 * native memory of a {@link BytesStore} (for example {@code BytesStore.nativeStoreWithFixedCapacity(n)} or the
 * store behind a mapped file). Peers may then RDMA WRITE/READ/atomic straight into the store, and local work
 * requests may name it in SGEs, while Chronicle code reads and writes the same bytes through the store.
 * <p>
 * <b>Optional dependency.</b> {@code net.openhft:chronicle-bytes} is an {@code <optional>} dependency of
 * {@code softverbs-offheap}: only programs that call this class need it, and they must put it on their own
 * class path (with {@code -Dchronicle.analytics.disable=true} and the {@code --add-opens} flags listed in the
 * build's {@code softverbs.jvmFlags} property). Nothing else in softverbs loads a Chronicle class.
 * <p>
 * <b>Lifetime.</b> The region takes a reservation on the store ({@link BytesStore#reserve(ReferenceOwner)}), so
 * the store's memory cannot be freed while the region is registered; {@link MemoryRegion#close()} deregisters
 * (after which no engine touches the memory) and then releases that reservation. Close the region returned here,
 * not only its protection domain, or the store is never freed.
 */
public final class ChronicleMemory
{
    private ChronicleMemory()
    {
    }

    /**
     * {@code ibv_reg_mr} over a Chronicle {@link BytesStore}: registers its native memory, from
     * {@link BytesStore#start()} to {@link BytesStore#realCapacity()}, in place.
     *
     * @param pd     the protection domain to register in.
     * @param store  a store backed by native (off-heap) memory.
     * @param access {@link Access} bits.
     * @return the registered region; its {@code address()} is the store's address at {@code start()}, so store
     * offset {@code o} is region offset {@code o - store.start()}.
     * @throws VerbsException EINVAL for a null or heap store (not {@link BytesStore#isDirectMemory()}), an empty or
     *                        released store, or whatever {@link ProtectionDomain#registerMemory(long, long, int)}
     *                        rejects (bad access bits, ...).
     */
    public static MemoryRegion register(final ProtectionDomain pd, final BytesStore<?, ?> store, final int access)
    {
        Objects.requireNonNull(pd, "pd");
        if (store == null)
        {
            throw new VerbsException(Errors.EINVAL, "BytesStore is null");
        }
        if (!store.isDirectMemory())
        {
            throw new VerbsException(Errors.EINVAL,
                "BytesStore is on the heap (isDirectMemory() == false); register a native store, e.g. " +
                "BytesStore.nativeStoreWithFixedCapacity(n): " + store.getClass().getName());
        }

        final ChronicleRegion region = new ChronicleRegion(store);
        try
        {
            store.reserve(region);
        }
        catch (final RuntimeException ex)
        {
            throw new VerbsException(Errors.EINVAL, "BytesStore cannot be reserved (released?): " + ex, ex);
        }

        try
        {
            final long start = store.start();
            final long length = store.realCapacity() - start;
            if (length <= 0)
            {
                throw new VerbsException(Errors.EINVAL, "BytesStore is empty: realCapacity " +
                    store.realCapacity() + ", start " + start);
            }
            final long address;
            try
            {
                address = writable(access) ? store.addressForWrite(start) : store.addressForRead(start);
            }
            catch (final RuntimeException ex)
            {
                throw new VerbsException(Errors.EINVAL, "BytesStore has no usable native address: " + ex, ex);
            }
            if (address == 0)
            {
                throw new VerbsException(Errors.EINVAL, "BytesStore has no native address");
            }
            region.delegate = pd.registerMemory(address, length, access);
            return region;
        }
        catch (final RuntimeException ex)
        {
            region.releaseStore();
            throw ex;
        }
    }

    private static boolean writable(final int access)
    {
        return (access & (Access.LOCAL_WRITE | Access.REMOTE_WRITE | Access.REMOTE_ATOMIC)) != 0;
    }

    /** A registered region that holds a reservation on its store until closed. */
    private static final class ChronicleRegion implements MemoryRegion, ReferenceOwner
    {
        private final BytesStore<?, ?> store;
        private final AtomicBoolean released = new AtomicBoolean();
        private MemoryRegion delegate;

        ChronicleRegion(final BytesStore<?, ?> store)
        {
            this.store = store;
        }

        @Override
        public int lkey()
        {
            return delegate.lkey();
        }

        @Override
        public int rkey()
        {
            return delegate.rkey();
        }

        @Override
        public long address()
        {
            return delegate.address();
        }

        @Override
        public long length()
        {
            return delegate.length();
        }

        @Override
        public int access()
        {
            return delegate.access();
        }

        @Override
        public AtomicBuffer buffer()
        {
            return delegate.buffer();
        }

        @Override
        public AtomicBuffer buffer(final long offset, final int length)
        {
            return delegate.buffer(offset, length);
        }

        @Override
        public boolean isPending()
        {
            return delegate.isPending();
        }

        @Override
        public void awaitRegistered()
        {
            delegate.awaitRegistered();
        }

        @Override
        public void close()
        {
            try
            {
                delegate.close();
            }
            finally
            {
                releaseStore();
            }
        }

        void releaseStore()
        {
            if (released.compareAndSet(false, true))
            {
                store.release(this);
            }
        }

        @Override
        public String referenceName()
        {
            return "softverbs-mr@" + Integer.toHexString(System.identityHashCode(this));
        }

        @Override
        public String toString()
        {
            return "ChronicleRegion{" + delegate + '}';
        }
    }
}
