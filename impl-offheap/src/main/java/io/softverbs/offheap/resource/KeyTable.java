package io.softverbs.offheap.resource;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.softverbs.Errors;
import io.softverbs.VerbsException;

/**
 * The device's memory key table (the MPT of a hardware RNIC). A key is {@code index << 8 | keyByte}: the index
 * selects the entry, the random key byte makes a stale or guessed key miss. An index used again never gets the key
 * byte it had last, so the key of a region just deregistered stays dead when its index is reused at once (as the
 * free list does); a key two regions old misses with odds 254 in 255. Lookups are lock-free reads from any engine;
 * inserts and removals happen on the control path.
 */
public final class KeyTable
{
    private final AtomicReferenceArray<SoftMr> entries;
    private final int[] freeIndexes;
    /** Per index, the key byte it was last given (0: never). */
    private final byte[] lastKeyBytes;
    private int freeCount;
    private final SplittableRandom random;

    /**
     * @param capacity most live regions.
     * @param seed     seed of the key-byte generator.
     */
    public KeyTable(final int capacity, final long seed)
    {
        entries = new AtomicReferenceArray<>(capacity + 1);
        freeIndexes = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            freeIndexes[i] = capacity - i; // index 0 is never used, so key 0 is never valid
        }
        freeCount = capacity;
        lastKeyBytes = new byte[capacity + 1];
        random = new SplittableRandom(seed);
    }

    /** @return a fresh key for a region about to be inserted. */
    public synchronized int allocateKey()
    {
        if (freeCount == 0)
        {
            throw Text.full(freeIndexes.length);
        }
        final int index = freeIndexes[--freeCount];
        // One of the 255 non-zero bytes, never the last one this index had (1 + (last + 0..253) mod 255 skips it).
        final int keyByte = 1 + ((lastKeyBytes[index] & 0xFF) + random.nextInt(254)) % 255;
        lastKeyBytes[index] = (byte)keyByte;
        return (index << 8) | keyByte;
    }

    /** Publishes a region under its key. @param mr the region. */
    public void insert(final SoftMr mr)
    {
        entries.set(mr.key() >>> 8, mr);
    }

    /** Removes a region and recycles its index. @param mr the region. */
    public synchronized void remove(final SoftMr mr)
    {
        final int index = mr.key() >>> 8;
        if (entries.compareAndSet(index, mr, null))
        {
            freeIndexes[freeCount++] = index;
        }
    }

    /**
     * @param key an lkey or rkey.
     * @return the live region with exactly this key, or null.
     */
    public SoftMr lookup(final int key)
    {
        final int index = key >>> 8;
        if (index == 0 || index >= entries.length())
        {
            return null;
        }
        final SoftMr mr = entries.get(index);
        return mr != null && mr.key() == key ? mr : null;
    }

    /** This class's text, kept out of its constant pool (see {@code SoftCq.Text}). */
    private static final class Text
    {
        private Text()
        {
        }

        static VerbsException full(final int regions)
        {
            return new VerbsException(Errors.ENOMEM, "memory key table full (" + regions + " regions)");
        }
    }
}
