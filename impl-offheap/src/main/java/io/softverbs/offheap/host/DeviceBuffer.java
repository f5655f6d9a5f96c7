package io.softverbs.offheap.host;

import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The soft device's own memory: queue rings, doorbell records, CQEs, transport lanes and ACK cells. Every offset
 * into it is computed by the engine from a power-of-two mask and a fixed layout, so it is in bounds by
 * construction, the way an RNIC's own SRAM needs no bounds checks; the word accessors here therefore skip
 * Agrona's per-access check (about a quarter of a round trip's software time when it was on). The checks are
 * still made as assertions, which every test runs with. Application memory (memory regions) is never wrapped
 * by this class: it is always reached through key lookups and checked copies.
 */
public final class DeviceBuffer
{
    /**
     * The same memory as an Agrona buffer, for APIs that take one (bounds-checked, off the word-access path); it
     * also holds the {@link ByteBuffer}, which keeps the memory allocated while this buffer views it.
     */
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private long address;
    private int capacity;

    /** @param buffer direct memory owned by the device. */
    public DeviceBuffer(final ByteBuffer buffer)
    {
        wrap(buffer);
    }

    /** An empty view, to be {@link #wrap}ped later onto device memory. */
    public DeviceBuffer()
    {
    }

    /** @param buffer direct memory owned by the device, now viewed by this buffer. */
    public void wrap(final ByteBuffer buffer)
    {
        if (!buffer.isDirect())
        {
            throw Text.notDirect();
        }
        address = BufferUtil.address(buffer);
        capacity = buffer.capacity();
        view.wrap(buffer);
    }

    /**
     * Views part of another device buffer.
     *
     * @param other  the buffer.
     * @param offset where the view starts in it.
     * @param length the view's length.
     */
    public void wrap(final DeviceBuffer other, final int offset, final int length)
    {
        if (offset < 0 || length < 0 || offset > other.capacity - length)
        {
            throw Text.outside(offset, length, other.capacity);
        }
        address = other.address + offset;
        capacity = length;
        view.wrap(other.view, offset, length);
    }

    /** @return this memory as an Agrona buffer (checked access), for interfaces that take one. */
    public UnsafeBuffer view()
    {
        return view;
    }

    /** @return the address of byte 0. */
    public long addressOffset()
    {
        return address;
    }

    /** @return the length in bytes. */
    public int capacity()
    {
        return capacity;
    }

    // The assertion lives here, not in each accessor: it keeps every accessor under HotSpot's 35-byte limit for
    // inlining at call sites that are not (yet) hot, and with assertions off this is an empty call.
    private void checkBounds(final int index, final int size)
    {
        assert index >= 0 && index <= capacity - size : Text.bounds(index, size, capacity);
    }

    private long at(final int index)
    {
        return address + index;
    }

    public byte getByte(final int index)
    {
        checkBounds(index, Byte.BYTES);
        return UnsafeApi.getByte(null, at(index));
    }

    public void putByte(final int index, final byte value)
    {
        checkBounds(index, Byte.BYTES);
        UnsafeApi.putByte(null, at(index), value);
    }

    public short getShort(final int index)
    {
        checkBounds(index, Short.BYTES);
        return UnsafeApi.getShort(null, at(index));
    }

    public void putShort(final int index, final short value)
    {
        checkBounds(index, Short.BYTES);
        UnsafeApi.putShort(null, at(index), value);
    }

    public int getInt(final int index)
    {
        checkBounds(index, Integer.BYTES);
        return UnsafeApi.getInt(null, at(index));
    }

    public void putInt(final int index, final int value)
    {
        checkBounds(index, Integer.BYTES);
        UnsafeApi.putInt(null, at(index), value);
    }

    public long getLong(final int index)
    {
        checkBounds(index, Long.BYTES);
        return UnsafeApi.getLong(null, at(index));
    }

    public void putLong(final int index, final long value)
    {
        checkBounds(index, Long.BYTES);
        UnsafeApi.putLong(null, at(index), value);
    }

    public int getIntAcquire(final int index)
    {
        checkBounds(index, Integer.BYTES);
        return UnsafeApi.getIntAcquire(null, at(index));
    }

    public int getIntVolatile(final int index)
    {
        checkBounds(index, Integer.BYTES);
        return UnsafeApi.getIntVolatile(null, at(index));
    }

    public void putIntRelease(final int index, final int value)
    {
        checkBounds(index, Integer.BYTES);
        UnsafeApi.putIntRelease(null, at(index), value);
    }

    public void putIntVolatile(final int index, final int value)
    {
        checkBounds(index, Integer.BYTES);
        UnsafeApi.putIntVolatile(null, at(index), value);
    }

    public long getLongAcquire(final int index)
    {
        checkBounds(index, Long.BYTES);
        return UnsafeApi.getLongAcquire(null, at(index));
    }

    public long getLongVolatile(final int index)
    {
        checkBounds(index, Long.BYTES);
        return UnsafeApi.getLongVolatile(null, at(index));
    }

    public void putLongRelease(final int index, final long value)
    {
        checkBounds(index, Long.BYTES);
        UnsafeApi.putLongRelease(null, at(index), value);
    }

    public void putLongVolatile(final int index, final long value)
    {
        checkBounds(index, Long.BYTES);
        UnsafeApi.putLongVolatile(null, at(index), value);
    }

    /** This class's text, kept out of its constant pool (see {@code SoftCq.Text}). */
    private static final class Text
    {
        private Text()
        {
        }

        static IllegalArgumentException notDirect()
        {
            return new IllegalArgumentException("device memory is direct");
        }

        static IndexOutOfBoundsException outside(final int offset, final int length, final int capacity)
        {
            return new IndexOutOfBoundsException(bounds(offset, length, capacity));
        }

        static String bounds(final int offset, final int length, final int capacity)
        {
            return "offset=" + offset + " length=" + length + " capacity=" + capacity;
        }
    }
}
