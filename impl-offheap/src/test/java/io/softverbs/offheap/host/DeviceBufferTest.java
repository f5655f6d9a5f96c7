package io.softverbs.offheap.host;

import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DeviceBufferTest
{
    private final ByteBuffer memory = BufferUtil.allocateDirectAligned(128, 64);
    private final DeviceBuffer buffer = new DeviceBuffer(memory);

    @Test
    void wordsRoundTripAndAreSeenByTheCheckedView()
    {
        buffer.putByte(0, (byte)-3);
        buffer.putShort(2, (short)-2);
        buffer.putInt(4, 0x01020304);
        buffer.putLong(8, 0x1122334455667788L);
        buffer.putIntRelease(16, 7);
        buffer.putLongRelease(24, 9L);
        buffer.putIntVolatile(32, 11);
        buffer.putLongVolatile(40, 13L);

        assertEquals(-3, buffer.getByte(0));
        assertEquals(-2, buffer.getShort(2));
        assertEquals(0x01020304, buffer.getInt(4));
        assertEquals(0x1122334455667788L, buffer.getLong(8));
        assertEquals(7, buffer.getIntAcquire(16));
        assertEquals(9L, buffer.getLongAcquire(24));
        assertEquals(11, buffer.getIntVolatile(32));
        assertEquals(13L, buffer.getLongVolatile(40));
        assertEquals(0x1122334455667788L, buffer.view().getLong(8));
        assertEquals(128, buffer.capacity());
    }

    @Test
    void aSubViewStartsWhereItSays()
    {
        buffer.putLong(64, 42L);
        final DeviceBuffer cell = new DeviceBuffer();
        cell.wrap(buffer, 64, 64);
        assertEquals(42L, cell.getLong(0));
        assertEquals(42L, cell.view().getLong(0));
        assertThrows(IndexOutOfBoundsException.class, () -> cell.wrap(buffer, 96, 64));
    }

    @Test
    void anOffsetOutsideTheMemoryTripsTheAssertion()
    {
        assumeTrue(DeviceBuffer.class.desiredAssertionStatus(), "tests run with assertions enabled");
        assertThrows(AssertionError.class, () -> buffer.getLong(121));
        assertThrows(AssertionError.class, () -> buffer.putInt(-1, 0));
        assertThrows(AssertionError.class, () -> buffer.getByte(128));
    }
}
