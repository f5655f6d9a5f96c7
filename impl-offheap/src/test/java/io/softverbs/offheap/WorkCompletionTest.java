package io.softverbs.offheap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import io.softverbs.WcOpcode;
import io.softverbs.WcStatus;
import io.softverbs.WorkCompletion;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * The completion flyweight reads memory with UnsafeApi (see {@code DataPathConstantsTest}), so its bounds are its
 * own: checked once where the slot is chosen, in place (wrap) or copied (copyFrom), on the heap and off it.
 */
class WorkCompletionTest
{
    private static final int SLOT = 2 * WorkCompletion.LENGTH;

    @Test
    void readsASlotInPlaceOnAndOffTheHeap()
    {
        for (final UnsafeBuffer ring : rings())
        {
            fill(ring, SLOT, 42L, 7);
            final WorkCompletion wc = new WorkCompletion();
            wc.wrap(ring, SLOT);
            assertFields(wc, 42L, 7);
            fill(ring, SLOT, 43L, 8);
            assertFields(wc, 43L, 8); // in place: it sees the slot change
        }
    }

    @Test
    void aCopyKeepsItsValuesWhenTheSlotIsReused()
    {
        for (final UnsafeBuffer ring : rings())
        {
            fill(ring, SLOT, 42L, 7);
            final WorkCompletion wc = new WorkCompletion();
            wc.wrap(ring, 0);
            wc.copyFrom(ring, SLOT);
            fill(ring, SLOT, 99L, 1);
            assertFields(wc, 42L, 7);
        }
    }

    @Test
    void aSlotOutsideTheBufferIsRefused()
    {
        for (final UnsafeBuffer ring : rings())
        {
            final WorkCompletion wc = new WorkCompletion();
            final int last = ring.capacity() - WorkCompletion.LENGTH;
            wc.wrap(ring, last);
            assertThrows(IndexOutOfBoundsException.class, () -> wc.wrap(ring, last + 1));
            assertThrows(IndexOutOfBoundsException.class, () -> wc.wrap(ring, -1));
            wc.copyFrom(ring, ring.capacity() - WorkCompletion.PAYLOAD_LENGTH);
            assertThrows(IndexOutOfBoundsException.class,
                () -> wc.copyFrom(ring, ring.capacity() - WorkCompletion.PAYLOAD_LENGTH + 1));
            assertThrows(IndexOutOfBoundsException.class, () -> wc.copyFrom(ring, Integer.MIN_VALUE));
            assertTrue(wc.toString().startsWith("WorkCompletion{"), wc::toString);
        }
    }

    private static UnsafeBuffer[] rings()
    {
        return new UnsafeBuffer[] {
            new UnsafeBuffer(new byte[4 * WorkCompletion.LENGTH]),
            new UnsafeBuffer(ByteBuffer.allocateDirect(4 * WorkCompletion.LENGTH))};
    }

    private static void fill(final UnsafeBuffer ring, final int slot, final long wrId, final int small)
    {
        ring.putLong(slot + WorkCompletion.WR_ID_OFFSET, wrId);
        ring.putInt(slot + WorkCompletion.BYTE_LEN_OFFSET, small * 100);
        ring.putInt(slot + WorkCompletion.IMM_DATA_OFFSET, small * 1000);
        ring.putInt(slot + WorkCompletion.INV_RKEY_OFFSET, small * 10_000);
        ring.putInt(slot + WorkCompletion.QP_NUM_OFFSET, small + 1);
        ring.putInt(slot + WorkCompletion.SRC_QP_OFFSET, small + 2);
        ring.putByte(slot + WorkCompletion.STATUS_OFFSET, (byte)WcStatus.REM_ACCESS_ERR.ordinal());
        ring.putByte(slot + WorkCompletion.OPCODE_OFFSET, (byte)WcOpcode.RECV.ordinal());
        ring.putShort(slot + WorkCompletion.FLAGS_OFFSET,
            (short)(WorkCompletion.FLAG_WITH_IMM | WorkCompletion.FLAG_SOLICITED));
        ring.putInt(slot + WorkCompletion.VENDOR_ERR_OFFSET, small * 3);
    }

    private static void assertFields(final WorkCompletion wc, final long wrId, final int small)
    {
        assertEquals(wrId, wc.wrId());
        assertEquals(small * 100, wc.byteLen());
        assertEquals(small * 1000, wc.immData());
        assertEquals(small * 10_000, wc.invalidatedRkey());
        assertEquals(small + 1, wc.qpNum());
        assertEquals(small + 2, wc.srcQp());
        assertEquals(WcStatus.REM_ACCESS_ERR, wc.status());
        assertEquals(WcOpcode.RECV, wc.opcode());
        assertTrue(wc.hasImm());
        assertTrue(wc.isSolicited());
        assertEquals(small * 3, wc.vendorErr());
    }
}
