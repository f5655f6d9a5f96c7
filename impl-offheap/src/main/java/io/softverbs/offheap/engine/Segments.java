package io.softverbs.offheap.engine;

import io.softverbs.LinePadding;
import io.softverbs.SendWorkRequest;
import io.softverbs.offheap.host.DeviceBuffer;
import io.softverbs.offheap.host.WqeLayout;
import io.softverbs.offheap.resource.KeyTable;
import io.softverbs.offheap.resource.SoftMr;
import io.softverbs.offheap.resource.SoftPd;
import org.agrona.UnsafeApi;

/**
 * A list of checked memory segments (address, length): what an SGE list or a remote range resolves to once every
 * key, PD, range and right has been checked against a live {@link SoftMr}. Copies run only between Segments, so no
 * copy ever runs on an unchecked address.
 */
public final class Segments extends LinePadding
{
    /** Copies up to this size are done word by word: cheaper than a bulk copy call for a message header's worth. */
    private static final int SMALL = 64;

    /** Most segments a list can hold: 16 SGEs, or an inline payload. */
    public static final int MAX = 16;
    /** Resolution result: every element checked and allowed. */
    public static final int ALLOWED = SoftMr.ALLOWED;
    /** Resolution result: some element failed its check. */
    public static final int DENIED = SoftMr.DENIED;
    /** Resolution result: some element names a region whose registration is still pending. */
    public static final int WAIT = SoftMr.WAIT;

    /**
     * Elements left unused before and after the segments (128 bytes each side): every message writes these
     * arrays, and the engine of the other side of a connection must not share their cache lines, wherever the
     * collector puts them.
     */
    private static final int FIRST = LinePadding.BYTES / Long.BYTES;

    private final long[] address = new long[FIRST + MAX + FIRST];
    private final long[] length = new long[FIRST + MAX + FIRST];
    private int count;
    private long total;

    /** Empties the list. */
    public void clear()
    {
        count = 0;
        total = 0;
    }

    /** @return total bytes. */
    public long total()
    {
        return total;
    }

    /** @return number of segments. */
    public int count()
    {
        return count;
    }

    /** @param i index. @return segment address. */
    public long address(final int i)
    {
        return address[FIRST + i];
    }

    /**
     * Adds a segment the caller has already checked (device memory such as an inline payload).
     *
     * @param segmentAddress start.
     * @param segmentLength  bytes.
     */
    public void addChecked(final long segmentAddress, final long segmentLength)
    {
        if (segmentLength > 0)
        {
            assert count < MAX : Text.tooMany(); // the guard elements would take it silently
            address[FIRST + count] = segmentAddress;
            length[FIRST + count] = segmentLength;
            count++;
            total += segmentLength;
        }
    }

    /**
     * Takes over another list's segments, already checked.
     *
     * @param other the list to copy.
     */
    public void copyFrom(final Segments other)
    {
        System.arraycopy(other.address, FIRST, address, FIRST, other.count);
        System.arraycopy(other.length, FIRST, length, FIRST, other.count);
        count = other.count;
        total = other.total;
    }

    /**
     * Resolves an SGE list stored in device memory (a WQE or a receive slot), checking each element.
     *
     * @param keys     key table of the memory's device.
     * @param pd       PD of the QP the list belongs to.
     * @param buffer   ring holding the SGEs.
     * @param offset   offset of the first SGE.
     * @param numSge   SGE count.
     * @param required {@link io.softverbs.Access} rights each region must grant.
     * @return {@link #ALLOWED}, {@link #DENIED} or {@link #WAIT}.
     */
    public int resolveSgl(
        final KeyTable keys,
        final SoftPd pd,
        final DeviceBuffer buffer,
        final int offset,
        final int numSge,
        final int required)
    {
        clear();
        if (numSge > MAX)
        {
            return DENIED;
        }
        int result = ALLOWED;
        for (int i = 0; i < numSge; i++)
        {
            final int sge = offset + i * WqeLayout.SGE_SIZE;
            final int check = addLocal(keys, pd, buffer.getLong(sge + WqeLayout.SGE_ADDRESS),
                buffer.getInt(sge + WqeLayout.SGE_LENGTH), buffer.getInt(sge + WqeLayout.SGE_LKEY), required);
            if (check == DENIED)
            {
                return DENIED;
            }
            result |= check;
        }
        return result;
    }

    /**
     * Resolves a work request's SGE list as posted, before it is written anywhere, checking each element.
     *
     * @param keys     key table of the poster's device.
     * @param pd       PD of the posting QP.
     * @param wr       the work request.
     * @param required {@link io.softverbs.Access} rights each region must grant.
     * @return {@link #ALLOWED}, {@link #DENIED} or {@link #WAIT}.
     */
    public int resolveSgl(final KeyTable keys, final SoftPd pd, final SendWorkRequest wr, final int required)
    {
        clear();
        final int numSge = wr.numSge();
        if (numSge > MAX)
        {
            return DENIED;
        }
        int result = ALLOWED;
        for (int i = 0; i < numSge; i++)
        {
            final int check = addLocal(keys, pd, wr.sgeAddress(i), wr.sgeLength(i), wr.sgeLkey(i), required);
            if (check == DENIED)
            {
                return DENIED;
            }
            result |= check;
        }
        return result;
    }

    /** One local SGE: its key's region must hold the whole range with the rights; added if so. */
    private int addLocal(
        final KeyTable keys, final SoftPd pd, final long sgeAddress, final int sgeLength, final int lkey,
        final int required)
    {
        final long length = sgeLength & 0xFFFF_FFFFL;
        final SoftMr mr = keys.lookup(lkey);
        final int check = mr == null ? DENIED : mr.check(pd, sgeAddress, length, required);
        if (check != DENIED)
        {
            addChecked(sgeAddress, length);
        }
        return check;
    }

    /**
     * Resolves a remote range named by an rkey.
     *
     * @param keys          key table of the responder's device.
     * @param pd            PD of the responder QP.
     * @param remoteAddress start.
     * @param remoteLength  bytes.
     * @param rkey          remote key.
     * @param required      rights the region must grant.
     * @return {@link #ALLOWED}, {@link #DENIED} or {@link #WAIT}; a zero-length access needs no key (as InfiniBand).
     */
    public int resolveRemote(
        final KeyTable keys,
        final SoftPd pd,
        final long remoteAddress,
        final long remoteLength,
        final int rkey,
        final int required)
    {
        clear();
        if (remoteLength == 0)
        {
            return ALLOWED;
        }
        final SoftMr mr = keys.lookup(rkey);
        final int check = mr == null ? DENIED : mr.check(pd, remoteAddress, remoteLength, required);
        if (check == ALLOWED)
        {
            addChecked(remoteAddress, remoteLength);
        }
        return check;
    }

    /**
     * Copies min(src.total, dst.total) bytes from one checked list into another, the single data copy of an
     * operation.
     *
     * @param src source.
     * @param dst destination.
     * @return bytes copied.
     */
    public static long copy(final Segments src, final Segments dst)
    {
        final long bytes = Math.min(src.total, dst.total);
        if (bytes <= SMALL && src.count == 1 && dst.count == 1)
        {
            copySmall(src.address[FIRST], dst.address[FIRST], (int)bytes);
            return bytes;
        }
        int si = 0;
        int di = 0;
        long so = 0;
        long dOff = 0;
        long remaining = bytes;
        while (remaining > 0)
        {
            final long chunk =
                Math.min(remaining, Math.min(src.length[FIRST + si] - so, dst.length[FIRST + di] - dOff));
            UnsafeApi.copyMemory(src.address[FIRST + si] + so, dst.address[FIRST + di] + dOff, chunk);
            remaining -= chunk;
            so += chunk;
            dOff += chunk;
            if (so == src.length[FIRST + si])
            {
                si++;
                so = 0;
            }
            if (dOff == dst.length[FIRST + di])
            {
                di++;
                dOff = 0;
            }
        }
        return bytes;
    }

    /**
     * Copies between two addresses the caller has already checked: small copies word by word (the JDK's
     * {@code copyMemory} checks cost more than the copy below a cache line), larger ones with {@code copyMemory}.
     *
     * @param from  source address.
     * @param to    target address.
     * @param bytes how many.
     */
    public static void copyChecked(final long from, final long to, final int bytes)
    {
        if (bytes <= SMALL)
        {
            copySmall(from, to, bytes);
        }
        else
        {
            UnsafeApi.copyMemory(from, to, bytes);
        }
    }

    private static void copySmall(final long from, final long to, final int bytes)
    {
        int i = 0;
        for (; i + Long.BYTES <= bytes; i += Long.BYTES)
        {
            UnsafeApi.putLong(to + i, UnsafeApi.getLong(from + i));
        }
        for (; i < bytes; i++)
        {
            UnsafeApi.putByte(to + i, UnsafeApi.getByte(from + i));
        }
    }

    /** This class's text, kept out of its constant pool (see {@code SoftCq.Text}). */
    private static final class Text
    {
        private Text()
        {
        }

        static String tooMany()
        {
            return "more than " + MAX + " segments";
        }
    }
}
