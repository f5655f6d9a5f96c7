package io.softverbs;

/**
 * A send work request; maps to {@code struct ibv_send_wr}. Mutable and reusable: {@link #clear()}, fill, post,
 * repeat; nothing here allocates. Holds up to {@link #MAX_SGE} scatter/gather elements.
 */
public final class SendWorkRequest extends LinePadding
{
    /** Scatter/gather elements a request can hold. */
    public static final int MAX_SGE = 16;

    private long wrId;
    private Opcode opcode = Opcode.SEND;
    private int flags;
    private int numSge;
    private boolean sgeOverflow;
    private final long[] sgeAddress = new long[MAX_SGE];
    private final int[] sgeLength = new int[MAX_SGE];
    private final int[] sgeLkey = new int[MAX_SGE];
    /** Kept as SGEs are appended: a post asks for it several times (shape, ring blocks, lane slot). */
    private long totalLength;
    private long remoteAddress;
    private int rkey;
    private int immData;
    private int invalidateRkey;
    private long compareAdd;
    private long swap;

    /** Resets every field to its default (SEND, no flags, no SGEs). @return this. */
    public SendWorkRequest clear()
    {
        wrId = 0;
        opcode = Opcode.SEND;
        flags = 0;
        numSge = 0;
        totalLength = 0;
        sgeOverflow = false;
        remoteAddress = 0;
        rkey = 0;
        immData = 0;
        invalidateRkey = 0;
        compareAdd = 0;
        swap = 0;
        return this;
    }

    /** @param wrId user cookie returned in the completion. @return this. */
    public SendWorkRequest wrId(final long wrId)
    {
        this.wrId = wrId;
        return this;
    }

    /** @param opcode the operation. @return this. */
    public SendWorkRequest opcode(final Opcode opcode)
    {
        this.opcode = opcode;
        return this;
    }

    /** @param flags {@link SendFlags} bits. @return this. */
    public SendWorkRequest flags(final int flags)
    {
        this.flags = flags;
        return this;
    }

    /**
     * Appends an SGE inside a registered region.
     *
     * @param mr     the region.
     * @param offset offset in the region.
     * @param length bytes.
     * @return this.
     */
    public SendWorkRequest sge(final MemoryRegion mr, final long offset, final int length)
    {
        return sge(mr.address() + offset, length, mr.lkey());
    }

    /**
     * Appends an SGE; {@code ibv_sge}. More than {@link #MAX_SGE} makes the request malformed (EINVAL on post).
     *
     * @param address start address.
     * @param length  bytes.
     * @param lkey    local key of the region holding it.
     * @return this.
     */
    public SendWorkRequest sge(final long address, final int length, final int lkey)
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
        totalLength += length & 0xFFFF_FFFFL;
        return this;
    }

    /** @param address remote virtual address. @param rkey remote key. @return this. */
    public SendWorkRequest remote(final long address, final int rkey)
    {
        this.remoteAddress = address;
        this.rkey = rkey;
        return this;
    }

    /** @param imm immediate data (host order here; the wire is big-endian). @return this. */
    public SendWorkRequest immData(final int imm)
    {
        this.immData = imm;
        return this;
    }

    /** @param rkey rkey to invalidate (SEND_WITH_INV, SEND_WITH_INV_AND_IMM, LOCAL_INV). @return this. */
    public SendWorkRequest invalidateRkey(final int rkey)
    {
        this.invalidateRkey = rkey;
        return this;
    }

    /** @param value compare value (CMP_AND_SWP) or addend (FETCH_AND_ADD). @return this. */
    public SendWorkRequest compareAdd(final long value)
    {
        this.compareAdd = value;
        return this;
    }

    /** @param value swap value (CMP_AND_SWP). @return this. */
    public SendWorkRequest swap(final long value)
    {
        this.swap = value;
        return this;
    }

    /** @return user cookie. */
    public long wrId()
    {
        return wrId;
    }

    /** @return the operation. */
    public Opcode opcode()
    {
        return opcode;
    }

    /** @return {@link SendFlags} bits. */
    public int flags()
    {
        return flags;
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

    /** @param i SGE index. @return its address. */
    public long sgeAddress(final int i)
    {
        return sgeAddress[i];
    }

    /** @param i SGE index. @return its length. */
    public int sgeLength(final int i)
    {
        return sgeLength[i];
    }

    /** @param i SGE index. @return its lkey. */
    public int sgeLkey(final int i)
    {
        return sgeLkey[i];
    }

    /** @return total bytes over all SGEs, each length unsigned as {@code ibv_sge}'s (a post refuses more than 2^31 - 1). */
    public long totalLength()
    {
        return totalLength;
    }

    /** @return remote virtual address. */
    public long remoteAddress()
    {
        return remoteAddress;
    }

    /** @return remote key. */
    public int rkey()
    {
        return rkey;
    }

    /** @return immediate data. */
    public int immData()
    {
        return immData;
    }

    /** @return rkey to invalidate. */
    public int invalidateRkey()
    {
        return invalidateRkey;
    }

    /** @return compare or add operand. */
    public long compareAdd()
    {
        return compareAdd;
    }

    /** @return swap operand. */
    public long swap()
    {
        return swap;
    }
}
