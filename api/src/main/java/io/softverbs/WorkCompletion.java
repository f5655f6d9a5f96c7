package io.softverbs;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

/**
 * A work completion; maps to {@code struct ibv_wc}. A flyweight over a 64-byte completion entry (CQE): either
 * its own storage ({@code new WorkCompletion()}, filled by {@link CompletionQueue#poll(WorkCompletion[])}) or a
 * CQ slot in place (the handler form of poll). The layout constants are the CQE format every provider writes.
 */
public final class WorkCompletion extends LinePadding
{
    /** Size of a CQE in bytes: one cache line. */
    public static final int LENGTH = 64;
    /** Offset of {@code wr_id} (long). */
    public static final int WR_ID_OFFSET = 0;
    /** Offset of {@code byte_len} (int). */
    public static final int BYTE_LEN_OFFSET = 8;
    /** Offset of {@code imm_data} (int). */
    public static final int IMM_DATA_OFFSET = 12;
    /** Offset of {@code invalidated_rkey} (int). */
    public static final int INV_RKEY_OFFSET = 16;
    /** Offset of {@code qp_num} (int). */
    public static final int QP_NUM_OFFSET = 20;
    /** Offset of {@code src_qp} (int). */
    public static final int SRC_QP_OFFSET = 24;
    /** Offset of the status ordinal (byte). */
    public static final int STATUS_OFFSET = 28;
    /** Offset of the opcode ordinal (byte). */
    public static final int OPCODE_OFFSET = 29;
    /** Offset of {@code wc_flags} (short). */
    public static final int FLAGS_OFFSET = 30;
    /** Offset of {@code vendor_err} (int). */
    public static final int VENDOR_ERR_OFFSET = 32;
    /** Offset of the owner/phase word (int), written last with a release store by the producer. */
    public static final int PHASE_OFFSET = 60;
    /** Bytes copied out of a CQE by {@link #copyFrom}. */
    public static final int PAYLOAD_LENGTH = 36;

    /** {@code IBV_WC_GRH}. */
    public static final int FLAG_GRH = 1;
    /** {@code IBV_WC_WITH_IMM}: {@link #immData()} is valid. */
    public static final int FLAG_WITH_IMM = 1 << 1;
    /** {@code IBV_WC_WITH_INV}: {@link #invalidatedRkey()} is valid. */
    public static final int FLAG_WITH_INV = 1 << 3;
    /** softverbs: the message was sent with {@link SendFlags#SOLICITED}. */
    public static final int FLAG_SOLICITED = 1 << 8;

    /**
     * Bytes kept unused on both sides of a completion's own copy. Each poll writes that copy, and two threads'
     * completions (one per side of a ping-pong) must not share a cache line, or the pair of lines an adjacent-line
     * prefetcher moves together, wherever the allocator or the collector has put them.
     */
    private static final int GUARD = LinePadding.BYTES;

    /** The own copy's first byte, as an address within {@link #own}. */
    private static final long OWN = BufferUtil.ARRAY_BASE_OFFSET + GUARD;

    private final byte[] own = new byte[GUARD + LENGTH + GUARD];
    /**
     * What the getters read: {@link #own} at {@link #OWN}, or a wrapped CQ slot (its buffer's array, null off the
     * heap, and the slot's address). Read with {@link UnsafeApi} directly, bounds checked once where the slot is
     * chosen: the reads go through no method of an Agrona buffer class, so a poll loop never becomes the thread
     * that first asks C2 to compile one, which resolves (allocates) every string constant of that class on it
     * (see {@link Text}); that was seen to happen after a warm-up, in a write_bw run's measured window.
     */
    private Object base = own;
    private long address = OWN;

    /**
     * Points this completion at a CQE.
     *
     * @param buffer the CQ ring.
     * @param offset the slot's offset.
     * @throws IndexOutOfBoundsException if the slot does not lie within the buffer.
     */
    public void wrap(final DirectBuffer buffer, final int offset)
    {
        checkSlot(buffer, offset, LENGTH);
        final byte[] array = buffer.byteArray();
        if (base != array)
        {
            base = array; // once per ring, not once per completion (see copyFrom)
        }
        address = buffer.addressOffset() + offset;
    }

    /**
     * Copies a CQE into this completion's own storage.
     *
     * @param src       the CQ ring.
     * @param srcOffset the slot.
     * @throws IndexOutOfBoundsException if the slot does not lie within the buffer.
     */
    public void copyFrom(final DirectBuffer src, final int srcOffset)
    {
        checkSlot(src, srcOffset, PAYLOAD_LENGTH);
        UnsafeApi.copyMemory(src.byteArray(), src.addressOffset() + srcOffset, own, OWN, PAYLOAD_LENGTH);
        // Written only on change: a poll loop would otherwise dirty this object's line on every call, and a
        // reference store runs the collector's write barrier (G1: a StoreLoad fence when the two objects lie in
        // different regions).
        if (base != own)
        {
            base = own;
        }
        if (address != OWN)
        {
            address = OWN;
        }
    }

    private static void checkSlot(final DirectBuffer buffer, final int offset, final int length)
    {
        if (offset < 0 || offset > buffer.capacity() - length)
        {
            throw Text.outOfBounds(offset, length, buffer.capacity());
        }
    }

    /** @return {@code wr_id}. */
    public long wrId()
    {
        return UnsafeApi.getLong(base, address + WR_ID_OFFSET);
    }

    /** @return {@code status}. */
    public WcStatus status()
    {
        return WcStatus.of(UnsafeApi.getByte(base, address + STATUS_OFFSET));
    }

    /** @return {@code opcode}. */
    public WcOpcode opcode()
    {
        return WcOpcode.of(UnsafeApi.getByte(base, address + OPCODE_OFFSET));
    }

    /** @return {@code byte_len}: bytes received, read or written. */
    public int byteLen()
    {
        return UnsafeApi.getInt(base, address + BYTE_LEN_OFFSET);
    }

    /** @return {@code imm_data}, valid when {@link #hasImm()}. */
    public int immData()
    {
        return UnsafeApi.getInt(base, address + IMM_DATA_OFFSET);
    }

    /** @return {@code invalidated_rkey}, valid when {@link #hasInv()}. */
    public int invalidatedRkey()
    {
        return UnsafeApi.getInt(base, address + INV_RKEY_OFFSET);
    }

    /** @return {@code qp_num}: the local QP. */
    public int qpNum()
    {
        return UnsafeApi.getInt(base, address + QP_NUM_OFFSET);
    }

    /** @return {@code src_qp}: the remote QP (receives). */
    public int srcQp()
    {
        return UnsafeApi.getInt(base, address + SRC_QP_OFFSET);
    }

    /** @return {@code wc_flags}. */
    public int flags()
    {
        return UnsafeApi.getShort(base, address + FLAGS_OFFSET) & 0xFFFF;
    }

    /** @return {@code vendor_err}: a softverbs detail code for errors, 0 otherwise. */
    public int vendorErr()
    {
        return UnsafeApi.getInt(base, address + VENDOR_ERR_OFFSET);
    }

    /** @return true if the completion carries immediate data. */
    public boolean hasImm()
    {
        return (flags() & FLAG_WITH_IMM) != 0;
    }

    /** @return true if the responder invalidated an rkey. */
    public boolean hasInv()
    {
        return (flags() & FLAG_WITH_INV) != 0;
    }

    /** @return true if the message was solicited. */
    public boolean isSolicited()
    {
        return (flags() & FLAG_SOLICITED) != 0;
    }

    @Override
    public String toString()
    {
        return Text.describe(this);
    }

    /**
     * This class's text, in a constant pool of its own: HotSpot resolves every string constant of a class in the
     * thread that first asks for one of its methods to be compiled by C2, which would allocate it on a thread that
     * is polling completions.
     */
    private static final class Text
    {
        private Text()
        {
        }

        static IndexOutOfBoundsException outOfBounds(final int offset, final int length, final int capacity)
        {
            return new IndexOutOfBoundsException("completion slot at " + offset + " of " + length + " bytes in a " +
                "buffer of " + capacity);
        }

        static String describe(final WorkCompletion wc)
        {
            return "WorkCompletion{wrId=" + wc.wrId() + ", status=" + wc.status() + ", opcode=" + wc.opcode() +
                ", byteLen=" + wc.byteLen() + ", qpNum=" + wc.qpNum() + ", srcQp=" + wc.srcQp() +
                (wc.hasImm() ? ", imm=" + wc.immData() : "") +
                (wc.hasInv() ? ", inv=0x" + Integer.toHexString(wc.invalidatedRkey()) : "") +
                ", flags=0x" + Integer.toHexString(wc.flags()) + '}';
        }
    }
}
