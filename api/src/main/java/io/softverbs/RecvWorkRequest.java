package io.softverbs;

/**
 * A receive work request; maps to {@code struct ibv_recv_wr}. Mutable and reusable, room for 16 SGEs.
 */
public final class RecvWorkRequest extends LinePadding
{
    /** Scatter/gather elements a request can hold. */
    public static final int MAX_SGE = 16;

    private long wrId;
    private int numSge;
    private boolean sgeOverflow;
    private final long[] sgeAddress = new long[MAX_SGE];
    private final int[] sgeLength = new int[MAX_SGE];
    private final int[] sgeLkey = new int[MAX_SGE];

    /** Resets the request. @return this. */
    public RecvWorkRequest clear()
    {
        wrId = 0;
        numSge = 0;
        sgeOverflow = false;
        return this;
    }

    /** @param wrId user cookie returned in the completion. @return this. */
    public RecvWorkRequest wrId(final long wrId)
    {
        this.wrId = wrId;
        return this;
    }

    /**
     * Appends an SGE inside a registered region (which needs {@link Access#LOCAL_WRITE}).
     *
     * @param mr     the region.
     * @param offset offset in the region.
     * @param length bytes.
     * @return this.
     */
    public RecvWorkRequest sge(final MemoryRegion mr, final long offset, final int length)
    {
        return sge(mr.address() + offset, length, mr.lkey());
    }

    /**
     * Appends an SGE; more than {@link #MAX_SGE} makes the request malformed (EINVAL on post).
     *
     * @param address start address.
     * @param length  bytes.
     * @param lkey    local key.
     * @return this.
     */
    public RecvWorkRequest sge(final long address, final int length, final int lkey)
    {
        if (numSge == MAX_SGE)
        {
            sgeOverflow = true;
            return this;
        }
        sgeAddress[numSge] = address;
        sgeLength[numSge] = length;
        sgeLkey[numSge] = lkey;
        numSge++;
        return this;
    }

    /** @return user cookie. */
    public long wrId()
    {
        return wrId;
    }

    /** @return number of SGEs. */
    public int numSge()
    {
        return numSge;
    }

    /** @return true if more SGEs were appended than fit. */
    public boolean sgeOverflow()
    {
        return sgeOverflow;
    }

    /** @param i SGE index. @return address. */
    public long sgeAddress(final int i)
    {
        return sgeAddress[i];
    }

    /** @param i SGE index. @return length. */
    public int sgeLength(final int i)
    {
        return sgeLength[i];
    }

    /** @param i SGE index. @return lkey. */
    public int sgeLkey(final int i)
    {
        return sgeLkey[i];
    }
}
