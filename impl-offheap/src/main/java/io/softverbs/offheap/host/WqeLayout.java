package io.softverbs.offheap.host;

/**
 * The send WQE format in device memory: fixed 64-byte blocks, a control block, a remote block, then SGE blocks
 * (four 16-byte SGEs each) or the inline payload. A WQE never wraps: when it would, the producer writes a
 * {@link #OPCODE_NOP} block covering the rest of the ring and starts again at block 0 (as mlx5 pads with NOPs).
 */
public final class WqeLayout
{
    /** Block size. */
    public static final int BLOCK = 64;
    /** log2(BLOCK). */
    public static final int BLOCK_SHIFT = 6;
    /** Bytes per SGE. */
    public static final int SGE_SIZE = 16;

    // control block
    /** Opcode ordinal (byte), or {@link #OPCODE_NOP}. */
    public static final int OPCODE = 0;
    /** {@link io.softverbs.SendFlags} (byte). */
    public static final int FLAGS = 1;
    /** SGE count (byte); 0 for inline. */
    public static final int NUM_SGE = 2;
    /** Blocks in this WQE (short) including control and remote blocks. */
    public static final int BLOCK_COUNT = 4;
    /** Payload length in bytes (int): sum of SGEs or inline length. */
    public static final int LENGTH = 8;
    /** Immediate data (int). */
    public static final int IMM = 12;
    /** Rkey to invalidate (int). */
    public static final int INV_RKEY = 16;
    /** Channel QP number (int), for WQEs of a shared send queue. */
    public static final int CHANNEL = 20;
    /** User cookie (long). */
    public static final int WR_ID = 24;

    // remote block (at BLOCK)
    /** Remote virtual address (long). */
    public static final int REMOTE_ADDRESS = BLOCK;
    /** Remote key (int). */
    public static final int RKEY = BLOCK + 8;
    /** Compare or add operand (long). */
    public static final int COMPARE_ADD = BLOCK + 16;
    /** Swap operand (long). */
    public static final int SWAP = BLOCK + 24;

    /** Offset of the first SGE or inline byte. */
    public static final int DATA = 2 * BLOCK;
    /** SGE field: address (long). */
    public static final int SGE_ADDRESS = 0;
    /** SGE field: length (int). */
    public static final int SGE_LENGTH = 8;
    /** SGE field: lkey (int). */
    public static final int SGE_LKEY = 12;

    /** Opcode byte of a padding block run. */
    public static final byte OPCODE_NOP = (byte)0xFF;

    private WqeLayout()
    {
    }

    /** @param bytes payload or SGE bytes. @return blocks for a WQE carrying them. */
    public static int blocksFor(final int bytes)
    {
        return 2 + ((bytes + BLOCK - 1) >>> BLOCK_SHIFT);
    }
}
